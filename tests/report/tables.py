"""The report's tables as a reader sees them: every cell under each row and column it spans.

The report merges cells to keep its size down (a unit's cells span its rows of a day on the
plan sheet; a run of slots on one duty is one timeline cell): the tests read the tables
through this parser, which puts a spanning cell's text (and attributes) in every row and
column it covers, so that a row of the plan sheet still reads unit, tier, mode, squad, slots,
duty, crew and a timeline row has a cell per slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    text: str
    attrs: dict[str, str] = field(default_factory=dict)
    #: this cell's place in the spanning cell it stands for: (row offset, column offset)
    offset: tuple[int, int] = (0, 0)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[Cell]]]] = []
        self.section = ""
        self.svg = 0
        self.cell: Cell | None = None
        self.texts: list[str] = []
        # per open table: column → (rows still to fill, the cell) of a rowspan
        self.down: dict[int, tuple[int, Cell]] = {}
        self.rowspans_seen: dict[int, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.section = dict(attrs).get("id") or ""
        elif tag == "svg":
            self.svg += 1
        elif self.svg:
            return
        elif tag == "table":
            self.tables.append((self.section, []))
            self.down = {}
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
            self._fill_down()
        elif tag in ("td", "th"):
            self.cell = Cell("", {k: v or "" for k, v in attrs})
            self.texts = []

    def _fill_down(self) -> None:
        """Cells of rowspans from rows above standing in this row's columns."""
        row = self.tables[-1][1][-1]
        while len(row) in self.down:
            left, cell = self.down[len(row)]
            below = int(cell.attrs.get("rowspan", "1")) - left
            span = int(cell.attrs.get("colspan", "1"))
            for j in range(span):
                row.append(Cell(cell.text, cell.attrs, (below, j)))
            col = len(row) - span
            if left <= 1:
                del self.down[col]
            else:
                self.down[col] = (left - 1, cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg -= 1
        elif tag in ("td", "th") and self.cell is not None and self.tables and not self.svg:
            cell = self.cell
            cell.text = " ".join("".join(self.texts).split())
            row = self.tables[-1][1][-1]
            col = len(row)
            span = int(cell.attrs.get("colspan", "1"))
            for j in range(span):
                row.append(Cell(cell.text, cell.attrs, (0, j)))
            rows = int(cell.attrs.get("rowspan", "1"))
            if rows > 1:
                self.down[col] = (rows - 1, cell)
            self.cell = None
            self._fill_down()

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.svg:
            self.texts.append(data)


def cell_tables(page: str, section: str) -> list[list[list[Cell]]]:
    """The tables of ``<section id=section>`` (outside SVG), rows of cells, spans expanded."""
    parser = _Parser()
    parser.feed(page)
    return [rows for sec, rows in parser.tables if sec == section]


def text_tables(page: str, section: str) -> list[list[list[str]]]:
    """:func:`cell_tables` as cell texts (whitespace folded), the header row first."""
    return [[[c.text for c in row] for row in rows] for rows in cell_tables(page, section)]


def plan_sheet_rows(page: str) -> list[list[str]]:
    """The plan sheet's (勤务表) body rows: unit, tier, mode, squad, slots, duty, crew."""
    (rows,) = text_tables(page, "plan")
    return rows[1:]


NUM = r"-?(?:\d+\.?\d*|\.\d+)"


def path_points(d: str) -> list[list[tuple[float, float]]]:
    """Path data (M, L, l, Z and implicit pairs) read back as absolute points per subpath."""
    lines: list[list[tuple[float, float]]] = []
    cmd, buf = "", []
    for tok in re.findall(r"[MLlZ]|" + NUM, d):
        if tok in "MLlZ":
            cmd = tok
            continue
        buf.append(float(tok))
        if len(buf) < 2:
            continue
        x, y = buf
        buf = []
        if cmd == "M":
            lines.append([(x, y)])
            cmd = "L"
        elif cmd == "L":
            lines[-1].append((x, y))
        else:
            px, py = lines[-1][-1]
            lines[-1].append((px + x, py + y))
    return [[(round(x, 1), round(y, 1)) for x, y in line] for line in lines]
