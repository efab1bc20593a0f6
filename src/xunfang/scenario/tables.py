"""Reading the tables of a scenario folder: CSV in UTF-8 or GB18030/GBK, or ``.xlsx``.

Police systems export GB18030/GBK text and Excel workbooks; both are read as they come. A
table is a header and rows of strings; every problem is reported with the file and row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from xunfang._errors import Problem, ScenarioError

TABLE_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Table:
    """A header and its rows, all cells as stripped strings (empty string = no value).

    ``rows[i]`` is data row ``i + 1`` of the file (the header is row 0).
    """

    file: str
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    numbers: tuple[int, ...] = ()  # each row's number in the file (header 0, blanks counted)

    def has(self, column: str) -> bool:
        return column in self.header


def decode_text(data: bytes, *, file: str, problems: list[Problem]) -> str | None:
    """Text of a file in UTF-8 (with or without BOM) or GB18030 (which includes GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                file=file,
                rule="encoding",
                message=(
                    f"the file is neither UTF-8 nor GB18030/GBK text "
                    f"(undecodable byte at offset {exc.start}); save it as UTF-8"
                ),
            )
        )
        return None


def find_table(folder: Path, stem: str, *, problems: list[Problem]) -> Path | None:
    """``stem.csv`` or ``stem.xlsx`` in ``folder``; both at once is an error."""
    found = [folder / f"{stem}{s}" for s in TABLE_SUFFIXES if (folder / f"{stem}{s}").is_file()]
    if len(found) > 1:
        problems.append(
            Problem(
                file=found[0].name,
                rule="ambiguous-table",
                message=f"both {found[0].name} and {found[1].name} exist; keep one",
            )
        )
        return None
    return found[0] if found else None


def read_table(path: Path, *, label: str, problems: list[Problem]) -> Table | None:
    """Read a CSV or XLSX table. Returns ``None`` (with problems added) when unreadable."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, label=label, problems=problems)
    data = path.read_bytes()
    text = decode_text(data, file=label, problems=problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(file=label, rule="empty-file", message="the file is empty"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        raw = [row for row in reader]
    except csv.Error as exc:
        problems.append(Problem(file=label, rule="csv-syntax", message=f"bad CSV: {exc}"))
        return None
    return _to_table(raw, label=label, problems=problems)


def _read_xlsx(path: Path, *, label: str, problems: list[Problem]) -> Table | None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        problems.append(
            Problem(file=label, rule="xlsx", message=f"not a readable .xlsx workbook: {exc}")
        )
        return None
    try:
        ws = wb.worksheets[0]
        raw = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not any(any(c for c in r) for r in raw):
        problems.append(Problem(file=label, rule="empty-file", message="the sheet is empty"))
        return None
    return _to_table(raw, label=label, problems=problems)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes") if value.time() != datetime.min.time() \
            else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _to_table(raw: list[list[str]], *, label: str, problems: list[Problem]) -> Table | None:
    records = [(k, r) for k, r in enumerate(raw) if any(c.strip() for c in r)]
    if not records:
        problems.append(Problem(file=label, rule="empty-file", message="the file is empty"))
        return None
    first, head = records[0]
    header = [h.strip().lstrip("\ufeff") for h in head]
    body = records[1:]
    # a trailing comma or a formatted-but-empty Excel cell leaves nameless, empty columns
    while header and not header[-1] and not any(
        len(r) >= len(header) and r[len(header) - 1].strip() for _, r in body
    ):
        header.pop()
    seen: set[str] = set()
    for h in header:
        if not h:
            problems.append(
                Problem(file=label, row=0, rule="header", message="a column has no name")
            )
            return None
        if h in seen:
            problems.append(
                Problem(file=label, row=0, column=h, rule="header",
                        message=f"column {h!r} appears twice")
            )
            return None
        seen.add(h)
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for k, r in body:
        number = k - first
        if len(r) > len(header) and any(c.strip() for c in r[len(header):]):
            problems.append(
                Problem(file=label, row=number, rule="row-length",
                        message=f"{len(r)} values for {len(header)} columns")
            )
        cells = [c.strip() for c in r[: len(header)]] + [""] * max(0, len(header) - len(r))
        rows.append(dict(zip(header, cells, strict=True)))
        numbers.append(number)
    if not rows:
        problems.append(
            Problem(file=label, rule="empty-file", severity="warning",
                    message="the file has a header but no data rows")
        )
    return Table(file=label, header=tuple(header), rows=tuple(rows), numbers=tuple(numbers))


def require_columns(
    table: Table, columns: tuple[str, ...], *, problems: list[Problem]
) -> bool:
    """Add a problem for each missing required column; ``True`` when all are there."""
    ok = True
    for c in columns:
        if not table.has(c):
            problems.append(
                Problem(file=table.file, row=0, column=c, rule="missing-column",
                        message=f"required column {c!r} is missing "
                                f"(columns found: {', '.join(table.header)})")
            )
            ok = False
    return ok


def read_required(path: Path, columns: tuple[str, ...], *, label: str | None = None
                  ) -> tuple[Table, list[Problem]]:
    """Read the table at ``path`` that needs ``columns``; raise :class:`ScenarioError` (every
    problem, ``source`` the path) when it is unreadable or lacks one. Returns the table and
    its problem list (warnings so far), for the caller's row checks."""
    name = label if label is not None else path.name
    problems: list[Problem] = []
    table = read_table(path, label=name, problems=problems)
    if table is None or not require_columns(table, columns, problems=problems):
        raise ScenarioError(problems or [Problem(name, "unreadable", "cannot read the file")],
                            source=str(path))
    return table, problems
