"""Incident ingestion: any table of incidents → one checked, projected, columnar table.

Input: CSV (UTF-8 or GB18030, optionally gzipped), Excel, GeoPackage or GeoJSON, with a column
mapping (``time=date,lon=longitude,lat=latitude``). Times are parsed with a given format or as
ISO 8601, value by value: one with a UTC offset is an instant, converted to the jurisdiction's
local time zone ``tz``; one without is a local time in ``source_tz`` (converted to ``tz``) or,
with no ``source_tz``, in ``tz`` (kept as written). Coordinates are lon/lat (WGS84, or GCJ-02 /
BD-09 from Chinese web maps) or x/y in a named CRS, and are projected to the jurisdiction's
metric CRS.

Every row that cannot be used — a CSV row with too few or too many fields, bad time (a local
time in a daylight-saving gap or fold included), bad or missing coordinates, outside the
jurisdiction — is listed with its row number, field and rule in the :class:`IngestReport`;
exact duplicates are listed too and kept out of the table (``keep_duplicates=True`` keeps
them). A priority in words (一级, Ⅱ级, P1: :data:`PRIORITY_WORDS`) is read as its number, with
a note; one that is neither is listed and the row kept without one (0), as an empty priority.
Nothing is dropped or changed without a line in the report. The table is stored as Parquet
(:func:`write_parquet`).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ParamSpec, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from xunfang._errors import XunfangError
from xunfang.geo import (
    LayerChoiceError,
    choose_layer,
    computes_in_utm,
    in_china,
    inside_area,
    misplaced,
    parse_crs,
    reproject,
    to_wgs84,
    utm_crs_for,
)

# from this share of times at exactly 00:00 up, a record gives dates without times of day:
# the hour is unknown, not midnight (the ingest report's note, the forecast's flat hours)
from xunfang.scenario.record import DATES_ONLY

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# a text column: Python strings (object array) or Arrow-backed text (a file's other columns)
TextColumn: TypeAlias = "npt.NDArray[Any] | pd.arrays.ArrowStringArray"

FIELDS = ("id", "time", "x", "y", "lon", "lat", "point", "lonlat", "latlon", "category",
          "priority")
# fields naming one column of points: WKT or pairs in an order found from the values
# ("point"), or pairs in the order named
POINT_FIELDS = ("point", "lonlat", "latlon")
# column names recognised without a mapping (lower case), per field
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "incident_id", "编号", "警情编号", "案件编号"),
    "time": ("time", "date", "datetime", "timestamp", "报警时间", "接警时间", "发案时间",
             "时间"),
    "x": ("x",),
    "y": ("y",),
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "category": ("category", "type", "类别", "警情类别", "案件类别", "警情类型", "案由"),
    "priority": ("priority", "level", "等级", "警情等级", "警情级别"),
}
COORDS = ("wgs84", "gcj02", "bd09")
# an optional field, as category and id: a row whose priority is empty or unusable is kept
PRIORITY_RULE = "priority not a whole number: row kept with priority 0 (none), as if empty"
OUTSIDE_RULE = "outside the jurisdiction"  # a row's rule where it lies outside (the web's)
OUTSIDE_CHINA = ("outside China: {datum} coordinates are used only there (give coordinates "
                 "from elsewhere as WGS 84, without --coords)")
MAX_LISTED = 1000  # problems listed one by one per rule; all are counted


class IngestError(XunfangError):
    """The file cannot be ingested at all (unreadable, unmapped columns, CRS that does not fit)."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based data row (the header is row 0), or the feature number for GIS files
    field: str
    rule: str
    value: str


@dataclass(frozen=True)
class IngestReport:
    """What happened to every row of the input."""

    source: str
    rows: int
    kept: int
    encoding: str | None
    crs: str
    counts: Mapping[str, int]  # rule → number of rows
    problems: tuple[RowProblem, ...]  # the first MAX_LISTED rows of each rule
    duplicates: tuple[tuple[int, int], ...]  # (row, row of its first copy), first MAX_LISTED
    time_format: str = "ISO8601"  # the layout the times were read with (given or recognised)
    source_crs: str | None = None  # the coordinates' CRS as read, where ``crs`` differs
    notes: tuple[str, ...] = ()  # what holds for the whole file (no row is rejected for it)
    # where the kept incidents lie: their middle (the median point, WGS 84 longitude and
    # latitude) and the box of the middle SPREAD_SHARE of them (east-west and north-south,
    # km); None where nothing was kept. A planner's check that the columns, the CRS and the
    # datum were right: a CRS in feet read as metres can place a city inside its zone, at
    # sea (Boston's state-plane feet as UTM 19N: 26.7°N), where no rule can refuse it
    middle: tuple[float, float] | None = None
    box_km: tuple[float, float] | None = None
    # every problem row and every duplicate (row, first copy), for the report file; the
    # fields above list the first MAX_LISTED of each rule
    every_problem: tuple[ProblemRows, ...] = field(default=(), compare=False, repr=False)
    every_duplicate: IntArray | None = field(default=None, compare=False, repr=False)
    tz: str | None = None  # the zone the times are in (--tz); None: naive, taken as written

    def tz_said(self) -> str:
        """The one line on the time zone the times were read in (an audit: without --tz the
        output said nothing, its tz null)."""
        if self.tz is not None:
            return f"times read in {self.tz}"
        return ("no --tz given: the times are taken as written, local times of a zone not "
                "named (none had a UTC offset); name it with --tz, e.g. Asia/Shanghai")

    @property
    def rejected(self) -> int:
        return self.rows - self.kept

    def nothing_kept(self) -> str:
        """What to say when no row could be used (the caller decides whether that is an
        error: a store is not replaced by an empty one; an upload reports every row)."""
        counts = Counter(self.counts)
        counts.pop("exact duplicate", None)  # the first copy of a duplicate is never the cause
        why = "; ".join(f"{k} {r}" for r, k in counts.most_common())
        example = "".join(f"; e.g. row {p.row}, {p.field}: {p.value!r}"
                          for p in self.problems[:1])
        return f"{self.source}: no row can be used ({self.rows} rows: {why}{example})"

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": self.rows,
            "kept": self.kept,
            "rejected": self.rejected,
            "encoding": self.encoding,
            "crs": self.crs,
            "source_crs": self.source_crs,
            "notes": list(self.notes),
            "middle": (None if self.middle is None
                       else {"lon": self.middle[0], "lat": self.middle[1]}),
            "box_km": None if self.box_km is None else list(self.box_km),
            "time_format": self.time_format,
            "tz": self.tz,
            "tz_said": self.tz_said(),
            "counts": dict(self.counts),
            "listed": f"problems and duplicates: the first {MAX_LISTED} of each rule; the "
                      "report file (write_csv) lists every row",
            "problems": [
                {"row": p.row, "field": p.field, "rule": p.rule, "value": p.value}
                for p in self.problems
            ],
            "duplicates": [{"row": r, "first": f} for r, f in self.duplicates],
        }

    def write_csv(self, path: Path) -> None:
        """Every rejected row as a CSV (row, field, rule, value), duplicates included —
        all of them, not only the first MAX_LISTED of each rule — in the order of the rows."""
        parts = [pd.DataFrame({"row": g.rows, "field": g.field, "rule": g.rule,
                               "value": pd.Series(g.values, dtype=object).fillna("")})
                 for g in self.every_problem]
        if not self.every_problem:  # a report made without them: what it lists
            parts.append(pd.DataFrame([(p.row, p.field, p.rule, p.value) for p in self.problems],
                                      columns=["row", "field", "rule", "value"]))
        dups = (self.every_duplicate if self.every_duplicate is not None
                else np.array(self.duplicates, dtype=np.int64).reshape(-1, 2))
        if len(dups):
            first = "same as row " + pd.Series(dups[:, 1]).astype(str)
            parts.append(pd.DataFrame({"row": dups[:, 0], "field": "*",
                                       "rule": "exact duplicate", "value": first}))
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["row", "field", "rule", "value"])
        out = out.sort_values("row", kind="stable")
        # with a BOM, as the plan's CSVs: Excel in China reads a CSV without one as GBK, and
        # the report holds the file's own (Chinese) column names and values
        out.to_csv(path, index=False, encoding="utf-8-sig")


@dataclass(frozen=True)
class IncidentTable:
    """Incidents as columns: local naive times to the second, projected x/y in ``crs``."""

    # text columns hold Python strings (object arrays; see _text) or numpy str; ``extra``
    # (the file's other columns) Arrow-backed text from a file (see _kept_text)
    ids: npt.NDArray[Any]
    time: npt.NDArray[np.datetime64]  # datetime64[s], local time
    x: FloatArray
    y: FloatArray
    crs: str
    category: npt.NDArray[Any]
    priority: IntArray
    extra: Mapping[str, TextColumn] = field(default_factory=dict)
    # the time zone whose wall clock ``time`` is (its clock changes: a forecast's 23- and
    # 25-hour days); None where it was not named (the times as written)
    tz: str | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def xy(self) -> FloatArray:
        return np.column_stack([self.x, self.y])

    def take(self, index: npt.ArrayLike) -> IncidentTable:
        i = np.asarray(index)
        return IncidentTable(
            ids=self.ids[i], time=self.time[i], x=self.x[i], y=self.y[i], crs=self.crs,
            category=self.category[i], priority=self.priority[i],
            extra={k: v[i] for k, v in self.extra.items()}, tz=self.tz,
        )

    def to_crs(self, crs: str) -> IncidentTable:
        """The same incidents with x/y in ``crs``."""
        if crs == self.crs:
            return self
        if "local" in (crs, self.crs):
            raise IngestError(f"incidents in {self.crs} cannot be placed in {crs}: a 'local' "
                              "CRS has no georeference")
        x, y = reproject(self.x, self.y, self.crs, crs)
        return dataclasses.replace(self, x=x, y=y, crs=crs)

    @classmethod
    def from_scenario(cls, incidents: Any, crs: str, tz: str | None = None) -> IncidentTable:
        """The scenario's incident history (:class:`xunfang.scenario.Incidents`)."""
        n = len(incidents)
        xy = np.asarray(incidents.xy, dtype=float).reshape(n, 2)
        return cls(
            ids=np.asarray(incidents.ids, dtype=object),
            time=np.asarray(incidents.time).astype("datetime64[s]"),
            x=xy[:, 0].copy(), y=xy[:, 1].copy(), crs=crs,
            category=np.asarray(incidents.category, dtype=object),
            priority=np.asarray(incidents.priority, dtype=np.int64),
            extra={k: np.asarray(v, dtype=object) for k, v in incidents.extra.items()},
            tz=tz,
        )


@dataclass(frozen=True)
class Ingested:
    table: IncidentTable
    report: IngestReport


def parse_columns(text: str | None) -> dict[str, str]:
    """``"time=date,lon=longitude"`` → ``{"time": "date", "lon": "longitude"}``. A field
    given two columns, or lon/lat beside x/y, is refused: one of them would be dropped
    unsaid (a review: ``time=when,time=lng`` read the times from ``lng``)."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise IngestError(f"--columns: '{part}' is not FIELD=COLUMN (e.g. time=date)")
        key, col = (s.strip() for s in part.split("=", 1))
        key = key.lower()  # a field's name in any case: Lon=, TIME=
        if key not in FIELDS:
            raise IngestError(f"--columns: unknown field '{key}'; fields are {', '.join(FIELDS)}")
        if not col:
            raise IngestError(f"--columns: field '{key}' names no column")
        if key in out and out[key] != col:
            raise IngestError(f"--columns: field '{key}' is mapped twice ('{out[key]}' and "
                              f"'{col}'); map each field to one column")
        out[key] = col
    mixed = _mixed_coordinates(out) or _one_column_twice(out)
    if mixed:
        raise IngestError(f"--columns: {mixed}")
    return out


def _one_column_twice(columns: Mapping[str, str]) -> str | None:
    """What is wrong with a mapping that reads both coordinates of a pair from one column
    (None: it does not): every incident would lie on a diagonal (a review: lon=Latitude,
    lat=Latitude stored Chicago at 41.8, 41.8, in UTM zone 37N, without a word)."""
    for a, b in (("lon", "lat"), ("x", "y")):
        if a in columns and b in columns and columns[a].strip() == columns[b].strip():
            return (f"maps {a} and {b} both to '{columns[a].strip()}': one column holds one "
                    f"coordinate; map {a}= and {b}= to two columns")
    return None


def _mixed_coordinates(columns: Mapping[str, str]) -> str | None:
    """What is wrong with a mapping that gives lon/lat and x/y both (None: it does not):
    the coordinates would be read from one pair, the other ignored."""
    degrees = [k for k in ("lon", "lat") if k in columns]
    planar = [k for k in ("x", "y") if k in columns]
    if not (degrees and planar):
        return None
    return (f"maps {', '.join(degrees)} and {', '.join(planar)}: give the coordinates once, as "
            "lon=,lat= (degrees) or as x=,y= (with --crs), not both")


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RawTable:
    """A file's rows as text columns, with what reading them found."""

    df: pd.DataFrame
    encoding: str | None
    crs: str | None  # the layer's CRS (GIS files)
    rownum: IntArray  # the 1-based data row of each row of ``df`` (header row 0)
    problems: tuple[RowProblem, ...] = ()  # rows that could not be read (not in ``df``)
    delimiter: str = ","  # text tables: the field separator found in the header
    # GIS files: per row, the rule its geometry breaks when it is no point (None: a point)
    geometry: npt.NDArray[np.object_] | None = None
    notes: tuple[str, ...] = ()  # what reading did to the whole file (for the report)

    @property
    def decimal_comma(self) -> bool:
        """A table separated by ';' writes its decimals with commas ("45,52"): the
        spreadsheet export of locales whose decimal mark is the comma (Europe, Latin
        America). Tab and '|' tables come from anywhere: a comma there is not read as a
        decimal (nor is any number with two marks, "1.234,5")."""
        return self.delimiter == ";"

    @property
    def rows(self) -> int:
        return len(self.df) + len(self.problems)


WRONG_WIDTH = "row has a different number of fields than the header"


def _read_text_table(path: Path, raw: bytes | None = None) -> RawTable:
    """A CSV table; ``raw`` its bytes when they come from elsewhere (a ZIP archive's member),
    ``path`` the name its messages give. A plain file is read from disk as it is parsed, not
    held whole as bytes beside the table (a gzipped one is unpacked in memory first)."""
    if raw is None:
        with path.open("rb") as fh:
            first = fh.read(3)
        if first[:2] == GZIP_MAGIC or path.name.lower().endswith(".gz"):
            raw = _gunzip(path, path.read_bytes())
    elif raw[:2] == GZIP_MAGIC or path.name.lower().endswith(".gz"):
        raw = _gunzip(path, raw)
    utf16 = (first if raw is None else raw[:2])[:2] in (b"\xff\xfe", b"\xfe\xff")
    if utf16:  # Excel's "Unicode text" (UTF-16, tab-separated): as UTF-8 from here on
        raw = _utf16(path, path.read_bytes() if raw is None else raw)
    bom = (first if raw is None else raw[:3]) == BOM
    encoding = "utf-8"
    notes: tuple[str, ...] = ()
    try:
        blank = _check_text(path, raw, "utf-8")
    except UnicodeDecodeError as not_utf8:
        if not _mostly_utf8(path, raw):  # (UTF-8 with a character cut in two: below)
            try:  # a GB18030 text behind a UTF-8 byte-order mark (a mis-saved file): not it
                blank = _check_text(path, raw, "gb18030", skip=3 if bom else 0)
                encoding = "gb18030"
            except UnicodeDecodeError:
                pass
        if encoding != "gb18030" or not _reads_as_chinese(path, raw, 3 if bom else 0):
            # a few broken bytes in a UTF-8 or GB18030 text, or a Western European one
            raw, encoding, notes = _decoded(path, raw, not_utf8.start)
            blank = not raw.strip()
    # the encoding the bytes are read in from here on: a text decoded above is UTF-8 now
    text_in = "utf-8" if notes else encoding
    if utf16:
        encoding = "utf-16"
    if blank:
        raise IngestError(f"{path}: the file is empty")
    # a UTF-8 byte-order mark is not part of the first name. Arrow drops it from a UTF-8
    # file read from disk; in GB18030 it would read as characters of the name (and take the
    # name's first byte with them), so it is skipped for Arrow and the header read here alike
    if raw is not None:
        raw = _without_bom(raw)
    else:
        with path.open("rb") as fh:
            head = _without_bom(fh.read(1 << 16))
    sep, header = _header(head if raw is None else raw, text_in)
    skipped: list[object] = []

    def skip(row: object) -> str:  # a row of the wrong width: set aside, found again below
        skipped.append(row)
        return "skip"

    if raw is not None:
        source: Any = pa.BufferReader(raw)
    elif bom and text_in != "utf-8":
        fh = path.open("rb")
        fh.seek(len(BOM))
        source = pa.PythonFile(fh, mode="r")
    else:  # (Arrow skips a UTF-8 file's byte-order mark itself)
        source = pa.input_stream(str(path), compression=None)
    try:
        tab = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(encoding=text_in, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(  # every column as text: parsing is ours;
                column_types={n.strip(): pa.large_string() for n in header},  # pandas' own
                strings_can_be_null=True),  # text type, so the table is not copied into it
        )
    except pa.ArrowInvalid as exc:
        raise IngestError(f"{path}: not a readable CSV table: {exc}") from None
    finally:
        source.close()
    if not skipped:
        del raw  # not needed again: a file's worth of memory back before the table is made
        df = tab.to_pandas()
        del tab
        return RawTable(df, encoding, None, np.arange(1, len(df) + 1, dtype=np.int64),
                        delimiter=sep, notes=notes)
    df = tab.to_pandas()
    if raw is None:
        raw = _without_bom(path.read_bytes())
    # the fast reader does not number the rows it skips: count the rows again
    total, problems = _wrong_width(raw, text_in, sep)
    if len(problems) != len(skipped) or total != len(df) + len(problems):
        # the two readers disagree: read row by row
        return replace(_read_rows(raw, text_in, sep), encoding=encoding, notes=notes)
    rownum = np.delete(np.arange(1, total + 1, dtype=np.int64),
                       np.array([p.row - 1 for p in problems], dtype=np.int64))
    return RawTable(df, encoding, None, rownum, tuple(problems), delimiter=sep, notes=notes)


def _utf16(path: Path, data: bytes) -> bytes:
    """A UTF-16 text (with its byte-order mark) as UTF-8 bytes."""
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: the text starts as UTF-16 (Excel's \"Unicode text\") but "
                          f"byte {exc.start} is not UTF-16") from None


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
# a run of Chinese characters touching a Latin letter: inside a Latin word when misread
_CJK_BY_LETTER = re.compile(f"(?<=[A-Za-z])[{_CJK}]+|[{_CJK}]+(?=[A-Za-z])")
# distinct characters from which mostly GB2312 ones make a text Chinese whatever stands beside
# them (a Western file's accented pairs land on a few GB2312 characters: 'ção' → 玢)
GB2312_DISTINCT = 10
# Chinese characters looked at to judge a text (enough to judge; the rest is not read)
CJK_SAMPLE = 5000


def _pieces(path: Path, raw: bytes | None, skip: int = 0, chunk: int = 1 << 24
            ) -> Iterator[bytes | memoryview]:
    """A file's bytes (or ``raw``'s) from byte ``skip`` on, piece by piece."""
    if raw is not None:
        view = memoryview(raw)
        yield from (view[at:at + chunk] for at in range(skip, len(raw), chunk))
        return
    with path.open("rb") as fh:
        fh.seek(skip)
        while piece := fh.read(chunk):
            yield piece


def _reads_as_chinese(path: Path, raw: bytes | None, skip: int) -> bool:
    """Whether a text that decodes as GB18030 reads as Chinese (Simplified or Traditional):
    its Chinese characters stand among their own kind, not inside Latin words. GB18030 takes
    almost any pair of bytes, so a Western European file (Windows-1252: 'Körperverletzung')
    decodes too, each accented letter's byte and the ASCII letter after it one character in
    the middle of a word ('K鰎perverletzung'). Judged on the pieces of the file that hold
    bytes beyond ASCII, wherever they are, up to :data:`CJK_SAMPLE` Chinese characters; or
    whose characters are mostly GB2312's (Simplified text full of Latin codes)."""
    cjk = by_letter = 0
    seen: set[str] = set()
    for piece in _pieces(path, raw, skip, 1 << 20):
        if bytes(piece).isascii():
            continue
        text = bytes(piece).decode("gb18030", errors="ignore")
        found = _CJK_CHAR.findall(text)
        cjk += len(found)
        seen.update(found)
        by_letter += sum(len(run) for run in _CJK_BY_LETTER.findall(text))
        if cjk >= CJK_SAMPLE:
            break
    if not cjk:
        return False
    # Simplified Chinese beside Latin codes ('A座', '川A12345', 'KTV包间') is of GB2312, the
    # common characters; a Western file's accents are not
    common = sum(1 for c in seen if _in_gb2312(c))
    return by_letter <= cjk / 2 or (len(seen) >= GB2312_DISTINCT
                                    and common >= 0.9 * len(seen))


def _in_gb2312(c: str) -> bool:
    try:
        c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _mostly_utf8(path: Path, raw: bytes | None) -> bool:
    """A text that is UTF-8 but for a few broken byte sequences (see :data:`BROKEN_SHARE`):
    read piece by piece, and given up as soon as the broken ones outnumber the rest."""
    import codecs

    dec = codecs.getincrementaldecoder("utf-8")(errors="replace")
    broken = wide = 0
    for piece in _pieces(path, raw):
        b, w = _damage(dec.decode(bytes(piece)))
        broken, wide = broken + b, wide + w
        if broken > 100 and broken > wide - broken:
            return False
    b, w = _damage(dec.decode(b"", final=True))
    return _few_broken(broken + b, wide + w)


def _damage(text: str) -> tuple[int, int]:
    """The broken byte sequences of a decoded text (U+FFFD) and its characters beyond
    ASCII, those among them."""
    return text.count("\ufffd"), len(text) - len(text.encode("ascii", errors="ignore"))


def _few_broken(broken: int, wide: int) -> bool:
    """So few broken sequences (see :data:`BROKEN_SHARE`) that the text is read with them
    replaced: one, or a hundredth of its characters beyond ASCII, and fewer than the sound."""
    return broken <= max(1.0, BROKEN_SHARE * wide) and broken <= wide - broken


# broken byte sequences, as a share of a text's characters beyond ASCII (or one), up to which
# the text is read with them replaced (and said so) rather than refused whole
BROKEN_SHARE = 0.01


def _decoded(path: Path, raw: bytes | None, utf8_error: int
             ) -> tuple[bytes, str, tuple[str, ...]]:
    """A text that is neither clean UTF-8 nor GB18030 that reads as Chinese, as UTF-8 bytes,
    the encoding it was read in, and what the report should say: UTF-8 or GB18030 with a few
    broken bytes (a character cut in two by a truncating export) replaced by U+FFFD and their
    lines named, or else Windows-1252 (a Western European spreadsheet's CSV). A text more
    than a few of whose UTF-8 characters are broken is refused, naming the first."""
    whole = path.read_bytes() if raw is None else raw
    data = _without_bom(whole)
    line = whole[:utf8_error].count(b"\n") + 1
    for name in ("utf-8", "gb18030"):
        if name == "gb18030" and not _reads_as_chinese(path, data, 0):
            continue
        text = data.decode(name, errors="replace")
        broken, wide = _damage(text)
        if _few_broken(broken, wide):
            at = _lines_with(text, "\ufffd")
            shown = ", ".join(str(n) for n in at[:10]) + (", …" if len(at) > 10 else "")
            return text.encode("utf-8"), name, (
                f"{broken} byte sequence(s) are not {name.upper()}: read as '\ufffd' on "
                f"line(s) {shown} of the file (a character cut in two?); a row is listed only "
                "where such a value is one it needs",)
        if name == "utf-8" and broken < wide - broken:  # mostly UTF-8, too much of it broken
            raise IngestError(
                f"{path}: the text is UTF-8 with {broken} broken byte sequence(s), the first "
                f"at byte {utf8_error}, on line {line}; repair or export the file again")
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise IngestError(
            f"{path}: the text is neither UTF-8 nor GB18030 nor Windows-1252; the first byte "
            f"that is not UTF-8 is byte {utf8_error}, on line {line}; save the file as "
            "UTF-8") from None
    return text.encode("utf-8"), "cp1252", (
        "the text is neither UTF-8 nor Chinese GB18030: read as Windows-1252 (Western "
        "European); if names read wrong, save the file as UTF-8",)


def _lines_with(text: str, char: str) -> list[int]:
    """The 1-based lines of ``text`` that hold ``char``."""
    out: list[int] = []
    line, seen, at = 1, 0, text.find(char)
    while at >= 0:
        line += text.count("\n", seen, at)
        seen = at
        if not out or out[-1] != line:
            out.append(line)
        at = text.find(char, at + 1)
    return out


DELIMITERS = (",", ";", "\t", "|")


# the most a gzip file or a ZIP archive's member is unpacked to. A plain file on disk has no
# limit, but a packed one can claim any size: a 0.5 MB bomb.zip of a 500 MB member took 1.25 GB
# and 7 s before failing, and a 16 MB upload could unpack to some 16 GB (a review). Measured:
# a million rows of a city's full crime export (Chicago's portal layout, 22 columns) weigh
# 228 MB (456 MB at two million, bench/RESULTS.md, session 10), the benchmarked million-row
# CSV 54 MB; 400 MB is 1.75 times the former (ingestion's peak, some 7 times the text, is then
# 2.8 GB). A bigger file is read unpacked, from disk
MAX_UNPACKED = 400_000_000
GZIP_MAGIC = b"\x1f\x8b"
GZIP_CHUNK = 1 << 24  # bytes unpacked at a time, checked against MAX_UNPACKED


def _too_big(name: Path | str, size: int, exact: bool, unpack: str,
             instead: str = "the unpacked file instead (a file on disk has no such limit)"
             ) -> IngestError:
    """The refusal of a packed file that unpacks to more than MAX_UNPACKED: ``size`` the bytes
    it unpacks to (``exact``) or that were unpacked before the limit was passed."""
    said = f"{size / 1e6:,.0f} MB" if exact else f"more than {size / 1e6:,.0f} MB"
    return IngestError(
        f"{name}: unpacks to {said}, over the {MAX_UNPACKED / 1e6:,.0f} MB xunfang unpacks in "
        f"memory (MAX_UNPACKED: some 1.75 million rows of a city's full crime export); "
        f"{unpack} and give {instead}")


def _gunzip(path: Path, data: bytes) -> bytes:
    """A gzip file's text, unpacked a member at a time up to MAX_UNPACKED bytes (a bomb is
    refused once that much is unpacked: its trailer's size is not trusted, a truncated file's
    reads as any number); a damaged one, or one that is not gzip, is refused naming the file
    and the damage."""
    import zlib

    if data[:2] != GZIP_MAGIC:  # (a file named .gz that is not one: read as text, it had
        # been called "neither UTF-8 nor GB18030", a review)
        begins = f"with the bytes {data[:2].hex(' ')}" if data else "with nothing (it is empty)"
        raise IngestError(f"{path}: not a gzip file: a .gz file begins with the bytes 1f 8b, "
                          f"this one {begins}; if it is a plain CSV, rename it without .gz")
    out = io.BytesIO()  # grown in place, and handed over without a copy
    rest = data
    try:
        while True:  # one gzip member after another (concatenated .gz files)
            unpack = zlib.decompressobj(wbits=31)
            while True:  # a chunk at a time: a bomb is refused as it passes the limit
                chunk = unpack.decompress(rest, GZIP_CHUNK)
                out.write(chunk)
                if out.tell() > MAX_UNPACKED:
                    raise _too_big(path, MAX_UNPACKED, False, "unpack it (gunzip)")
                rest = unpack.unconsumed_tail  # (zlib may hold output back at a full chunk)
                if unpack.eof or (not rest and len(chunk) < GZIP_CHUNK):
                    break
            if not unpack.eof:
                raise EOFError
            rest = unpack.unused_data
            if rest[:2] != GZIP_MAGIC:
                if rest.count(0) == len(rest):  # the end (or zeros padding it to a block)
                    break
                raise OSError("bytes that are not gzip after its end")
    except EOFError:
        raise IngestError(f"{path}: the gzip file is truncated (it ends before its compressed "
                          "data does); copy or download it again") from None
    except (zlib.error, OSError) as exc:
        raise IngestError(f"{path}: the gzip file is damaged ({exc}); copy or download it "
                          "again, or check it with gzip -t") from None
    return out.getvalue()


BOM = b"\xef\xbb\xbf"  # UTF-8's byte-order mark


def _without_bom(raw: bytes) -> bytes:
    """A text without a UTF-8 byte-order mark (a GB18030 text may carry one, mis-saved)."""
    return raw[len(BOM):] if raw.startswith(BOM) else raw


def _check_text(path: Path, raw: bytes | None, encoding: str, chunk: int = 1 << 24,
                skip: int = 0) -> bool:
    """Raise UnicodeDecodeError (its ``start`` the byte of the file) unless the file — or
    ``raw``, its bytes — is text in ``encoding`` from byte ``skip`` on; True when it holds
    only white space. Piece by piece: decoding a whole file at once holds it as a Python
    string too, one to four times its size in bytes."""
    import codecs

    dec = codecs.getincrementaldecoder(encoding)()
    at = skip
    blank = True
    for piece in _pieces(path, raw, skip, chunk):
        pending = len(dec.getstate()[0])  # bytes of a character begun in the piece before
        try:
            dec.decode(piece, final=False)
        except UnicodeDecodeError as exc:
            raise UnicodeDecodeError(exc.encoding, b"", at - pending + exc.start,
                                     at - pending + exc.end, exc.reason) from None
        blank = blank and not bytes(piece).strip()
        at += len(piece)
    pending = len(dec.getstate()[0])
    try:
        dec.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # the file ends inside a character
        raise UnicodeDecodeError(exc.encoding, b"", at - pending + exc.start,
                                 at - pending + exc.end, exc.reason) from None
    return blank


def _header(raw: bytes, encoding: str) -> tuple[str, list[str]]:
    """The header's field separator — the one of ``, ; tab |`` it holds most of, outside
    quotes (a comma where it holds none) — and its column names."""
    import csv

    # the first record, which a quoted header name may spread over several lines
    head = raw[: 1 << 16].decode(encoding, errors="replace")
    fields = {d: next(csv.reader(io.StringIO(head), delimiter=d), []) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (len(fields[d]), d == ","))
    return (best, fields[best]) if len(fields[best]) > 1 else (",", fields[","])


def _records(raw: bytes, encoding: str, sep: str
             ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and every data row with its number (empty lines skipped and not counted,
    as the fast reader does)."""
    import csv

    reader = csv.reader(io.StringIO(raw.decode(encoding), newline=""), delimiter=sep)
    header = next(reader)
    return header, enumerate((rec for rec in reader if rec), start=1)


def _width_problem(row: int, rec: list[str], width: int, sep: str) -> RowProblem:
    text = sep.join(rec)
    text = text if len(text) <= 200 else text[:200] + "…"
    return RowProblem(row, "*", f"{WRONG_WIDTH} ({width})", f"{len(rec)} fields: {text}")


def _wrong_width(raw: bytes, encoding: str, sep: str) -> tuple[int, list[RowProblem]]:
    """The number of data rows, and the rows whose number of fields is not the header's."""
    header, records = _records(raw, encoding, sep)
    width = len(header)
    total = 0
    problems: list[RowProblem] = []
    for total, rec in records:  # total ends as the last row number
        if len(rec) != width:
            problems.append(_width_problem(total, rec, width, sep))
    return total, problems


def _read_rows(raw: bytes, encoding: str, sep: str) -> RawTable:
    """The slow, exact reading: every row whose number of fields differs from the header's
    is listed (its data row, its width, its text) and the others are read as the fast reader
    reads them (its null markers null)."""
    header, records = _records(raw, encoding, sep)
    width = len(header)
    good: list[list[str]] = []
    rownum: list[int] = []
    problems: list[RowProblem] = []
    for row, rec in records:
        if len(rec) == width:
            good.append(rec)
            rownum.append(row)
        else:
            problems.append(_width_problem(row, rec, width, sep))
    nulls = set(pacsv.ConvertOptions().null_values)
    cols = list(zip(*good, strict=True)) if good else [()] * width
    tab = pa.table({name: pa.array([None if v in nulls else v for v in col], pa.string())
                    for name, col in zip(header, cols, strict=True)})
    return RawTable(tab.to_pandas(), encoding, None, np.asarray(rownum, dtype=np.int64),
                    tuple(problems), delimiter=sep)


def pick_layer(path: Path | str, layer: str | None, error: type[XunfangError], *,
               geometry: str, what: str, option: str, subject: str | None = None) -> str:
    """The layer of a GIS file to read (:func:`xunfang.geo.choose_layer`): ``error`` is
    raised when the file cannot be opened or the choice is not clear, its message beginning
    with ``subject`` (default: the path) and naming ``option``, the one that chooses."""
    subject = subject or str(path)
    try:
        import pyogrio
    except ImportError as exc:  # pragma: no cover - the gis extra is part of the test install
        raise error(f"{subject}: reading GIS layers needs pyogrio: pip install 'xunfang[gis]'"
                    ) from exc
    if not str(path).startswith("/vsi") and not Path(path).is_file():  # /vsizip/: an archive's
        raise error(f"{subject}: no such file")
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:  # GDAL cannot open it
        raise error(f"{subject}: {_unreadable_gis(path, exc)}") from None
    if not len(listed):  # (choose_layer had said "name the layer", of none)
        raise error(f"{subject}: the file holds no layer (it is empty); export the "
                    f"{what}s into it again")
    try:
        return choose_layer(listed, layer, geometry)
    except LayerChoiceError as exc:
        raise error(exc.explain(option, layer, what, str(path))) from None


SQLITE_MAGIC = b"SQLite format 3\x00"  # how every SQLite database, so a GeoPackage, begins
# GDAL's advice for a file of no format it knows, which a user cannot act on
_DRIVER_ADVICE = re.compile(r";?\s*It might help to specify the correct driver.*$", re.S)


def _unreadable_gis(path: Path | str, exc: BaseException) -> str:
    """Why GDAL cannot open a GIS file, in words a user can act on: a GeoPackage that is empty
    (0 bytes, or a database without a layer: GDAL says only "not recognized … prefix the file
    path with '<DRIVER>:'", a review) or no SQLite database at all is said to be so."""
    said = _DRIVER_ADVICE.sub("", str(exc)).strip()
    name = str(path)
    if not name.lower().endswith(".gpkg") or name.startswith("/vsi"):
        return f"cannot read as a GIS file: {said}"
    with open(name, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if not head:
        return "the file is empty (0 bytes): not a GeoPackage; export the layer again"
    if head != SQLITE_MAGIC:
        return ("not a GeoPackage: a GeoPackage is an SQLite database, and this file does not "
                f"begin as one (with {SQLITE_MAGIC[:15].decode()!r}); is it another kind of "
                "file named .gpkg?")
    if "not recognized" in said:  # an SQLite database, and GDAL found no layer in it
        return ("the GeoPackage holds no layer (an empty GeoPackage); export the layer into "
                "it again")
    return f"cannot read as a GeoPackage: {said}"


def read_layer(path: Path | str, layer: str | None, error: type[XunfangError] = XunfangError,
               geometry: str = "point", what: str = "incident", option: str = "--layer",
               ) -> tuple[pd.DataFrame, npt.NDArray[np.object_], str | None]:
    """A GIS layer (GeoPackage, GeoJSON, KML, shapefile) as its attribute table, its geometries
    and its CRS; ``error`` is raised, naming the file, when it cannot be read. Without a
    ``layer`` name the file's only layer, or its only layer of ``geometry``, is read; a file
    with several is refused, its layers listed (never the first one read silently)."""
    df, geoms, crs, _ = _read_layer(path, layer, error, geometry, what, option)
    return df, geoms, crs


# a shapefile's text without a .cpg that is not UTF-8: Chinese GIS software writes GBK
SHAPEFILE_GB18030 = ("the shapefile has no .cpg naming its text encoding and its text is not "
                     "UTF-8: read as GB18030 (GBK), as Chinese GIS software writes it; if the "
                     "names read wrong, put a .cpg file holding the encoding (e.g. CP1252) "
                     "beside the .shp")


def _read_layer(path: Path | str, layer: str | None, error: type[XunfangError],
                geometry: str, what: str, option: str,
                ) -> tuple[pd.DataFrame, npt.NDArray[np.object_], str | None, str | None]:
    """:func:`read_layer`, and the text encoding it fell back to (None: GDAL's own). A
    shapefile whose text is not UTF-8 and which has no .cpg is read as GB18030."""
    # pick_layer first: without pyogrio it says to install the gis extra (importing it here
    # first gave a bare ModuleNotFoundError on a core install, a review found)
    layer = pick_layer(path, layer, error, geometry=geometry, what=what, option=option)
    import pyogrio  # present: pick_layer checked

    def read(encoding: str | None) -> tuple[dict[str, Any], pd.DataFrame]:
        # date-times as written ("2018-07-01T00:01:00", "…+08:00"): as Arrow timestamps GDAL
        # gives a field without a zone as UTC, and local times became instants 8 hours off
        meta, tab = pyogrio.read_arrow(path, layer=layer, encoding=encoding,
                                       datetime_as_string=True)
        return meta, tab.to_pandas()  # (the names are decoded here)

    fallback = None
    try:
        try:
            meta, df = read(None)
        except Exception as exc:
            if not (_undecodable(exc) and _shapefile_without_cpg(path)):
                raise
            fallback = "gb18030"
            meta, df = read(fallback)
    except Exception as exc:
        more = (" (its text is not UTF-8: put a .cpg file holding its encoding, e.g. GBK, "
                "beside the .shp)" if _undecodable(exc) else "")
        raise error(f"{path}: cannot read as a GIS layer: {exc}{more}") from None
    geom_col = meta.get("geometry_name") or "wkb_geometry"
    if geom_col not in df.columns:
        raise error(f"{path}: the layer has no geometry column")
    geoms = shapely.from_wkb(df.pop(geom_col).to_numpy())
    return df, geoms, meta.get("crs"), fallback


def _undecodable(exc: BaseException) -> bool:
    """An error of text that is not UTF-8 (Python's, or GDAL's and Arrow's words for it)."""
    text = str(exc).lower()
    return isinstance(exc, UnicodeDecodeError) or "utf8" in text or "utf-8" in text


def _shapefile_without_cpg(path: Path | str) -> bool:
    """A shapefile (on disk, or a ZIP archive's member through /vsizip/) with no .cpg."""
    import zipfile

    name = str(path)
    if not name.lower().endswith(".shp"):
        return False
    cpg = name[:-4] + ".cpg"
    if not name.startswith("/vsi"):
        return not any(Path(c).exists() for c in (cpg, name[:-4] + ".CPG"))
    at = name.lower().find(".zip/")
    if not name.startswith("/vsizip/") or at < 0:
        return False  # another virtual file system: not looked into, no fallback
    archive, member = name[len("/vsizip/"):at + 4], cpg[at + 5:]
    with zipfile.ZipFile(archive) as z:
        return member.lower() not in {n.lower() for n in z.namelist()}


def _read_gis(path: Path | str, layer: str | None
              ) -> tuple[pd.DataFrame, str | None, npt.NDArray[np.object_], str | None]:
    """The layer's attributes with each point's coordinates (``__x``, ``__y``; NaN where the
    geometry is no point), its CRS, and for each feature whose geometry is no point the
    rule it breaks (None for a point). A MultiPoint of exactly one point is that point."""
    df, geoms, crs, encoding = _read_layer(path, layer, IngestError, "point", "incident",
                                           "--layer")
    single = (shapely.get_type_id(geoms) == 4) & (shapely.get_num_geometries(geoms) == 1)
    if single.any():
        geoms = geoms.copy()
        geoms[single] = shapely.get_geometry(geoms[single], 0)
    kind = shapely.get_type_id(geoms)
    ok = (kind == 0) & ~shapely.is_empty(geoms)
    x = np.full(len(df), np.nan)
    y = np.full(len(df), np.nan)
    x[ok] = shapely.get_x(geoms[ok])
    y[ok] = shapely.get_y(geoms[ok])
    df["__x"] = x
    df["__y"] = y
    why = np.full(len(df), None, dtype=object)
    for i in np.flatnonzero(~ok).tolist():
        why[i] = _not_a_point(geoms[i])
    return df, crs, why, encoding


def _not_a_point(geom: shapely.Geometry | None) -> str:
    """The rule a feature's geometry breaks when it is no usable point."""
    if geom is None:
        return "geometry missing (null)"
    if geom.is_empty:
        return f"geometry is empty ({geom.geom_type})"
    if geom.geom_type == "MultiPoint":
        return "geometry is not a point (MultiPoint of several points)"
    return f"geometry is not a point ({geom.geom_type})"


def _check_header(raw: RawTable, path: Path) -> RawTable:
    """Refuse a header that names a column twice: which one a mapping means is unknown."""
    names = [str(c).strip() for c in raw.df.columns]
    # pandas names a workbook's empty header cell 'Unnamed: 3'
    empty = [i for i, n in enumerate(names) if not n or re.fullmatch(r"Unnamed: \d+", n)]
    # columns without a name and without a value (a spreadsheet's CSV ends its rows with
    # commas: 'time,lon,lat,,,') hold nothing to read or lose: gone, with a note
    blank = [i for i in empty if _empty(raw.df.iloc[:, i])]
    if blank:
        keep = [i for i in range(len(names)) if i not in set(blank)]
        raw = replace(raw, df=raw.df.iloc[:, keep], notes=(*raw.notes, (
            f"{len(blank)} column{'s' if len(blank) > 1 else ''} without a name or a value "
            "left out")))
        return _check_header(raw, path)
    if len(empty) > 1:  # one empty name is a CSV's index column; more, a title row above
        listed = ", ".join(str(i + 1) for i in empty[:10]) + (" …" if len(empty) > 10 else "")
        first = ([_shown(v).strip() for v in raw.df.iloc[0].tolist()]
                 if len(raw.df) else [])
        below = (f"; data row 1 reads like a header ({', '.join(first[:6])})"
                 if first and all(first) and len(set(first)) == len(first) else "")
        raise IngestError(
            f"{path}: the header row has {len(empty)} empty column names (columns {listed} "
            f"of {len(names)}): is a title row, or the upper row of a two-level header, above "
            f"the real header{below}? Delete the rows above the header so that the column "
            "names are the first row, or give every column a name")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise IngestError(f"{path}: the header names {', '.join(map(repr, twice))} more than "
                          "once; rename the copies so that each column has its own name")
    return raw


GIS_SUFFIXES = (".gpkg", ".geojson", ".json", ".kml", ".shp")
TEXT_SUFFIXES = (".csv", ".txt", ".csv.gz", ".txt.gz")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
TABLE_SUFFIXES = (*TEXT_SUFFIXES, *EXCEL_SUFFIXES, *GIS_SUFFIXES)  # a file of incidents


def _suffix(name: str | Path) -> str:
    p = Path(name)
    return "".join(p.suffixes[-2:]).lower() if p.suffix.lower() == ".gz" else p.suffix.lower()


FRAME_NAME = "DataFrame"  # what messages call a table handed over in memory


def frame_table(frame: pd.DataFrame) -> RawTable:
    """A DataFrame as the text columns a file's reading gives (an Excel sheet is read as
    text too): values as their text, missing ones missing, a column at a time (value by
    value, a million rows took 5.9 s of a 10 s budget; a review). Datetimes are written in
    ISO 8601, with "+00:00" where they carry a time zone (read as a file's offsets, with
    --tz); a float column of whole numbers (an integer column with a gap, as pandas holds
    it) without '.0' (ids 1, 2 stay '1', '2').

    A named index (a DatetimeIndex of times, a case number) is a column by its name, as
    ``reset_index`` makes it; an unnamed index of times the column ``index``. Rows are named
    by the frame's index labels where they are unique whole numbers (``df.loc[row]`` finds a
    listed row, of a filtered frame too; a fresh frame's first row is 0), else numbered from
    1 in order, with a note that says why."""
    notes: list[str] = []
    index = frame.index
    taken = {str(c) for c in frame.columns}
    named = [n for n in index.names if n is not None and str(n) not in taken]
    if named:
        frame = frame.reset_index(level=named)
    elif isinstance(index, pd.DatetimeIndex) and index.name is None and "index" not in taken:
        frame = frame.reset_index()
        notes.append("the DataFrame's unnamed index of times is read as the column 'index'")
    out: dict[int, npt.NDArray[np.object_]] = {i: _frame_text(frame.iloc[:, i])
                                               for i in range(frame.shape[1])}
    text = pd.DataFrame({i: pd.Series(v, dtype=object) for i, v in out.items()})
    text.columns = [str(c) for c in frame.columns]
    if index.nlevels == 1 and pd.api.types.is_integer_dtype(index.dtype) and index.is_unique:
        rownum = np.asarray(index, dtype=np.int64)
    else:
        rownum = np.arange(1, len(text) + 1, dtype=np.int64)
        why = ("repeat" if index.nlevels == 1 and pd.api.types.is_integer_dtype(index.dtype)
               else "are not one level of whole numbers")
        notes.append(f"the DataFrame's index labels {why}: its rows are numbered from 1 in "
                     "their order")
    return _check_header(RawTable(text, None, None, rownum, notes=tuple(notes)),
                         Path(FRAME_NAME))


def _frame_text(col: pd.Series) -> npt.NDArray[np.object_]:
    """One DataFrame column as text values (None where missing), by whole arrays where the
    type allows."""
    missing = col.isna().to_numpy(dtype=bool)
    kind = col.dtype
    if isinstance(kind, pd.CategoricalDtype):
        col = col.astype(object)
        kind = col.dtype
    if isinstance(kind, pd.DatetimeTZDtype):
        utc = col.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[s]")
        text = np.char.add(np.datetime_as_string(utc, unit="s"), "+00:00").astype(object)
    elif pd.api.types.is_datetime64_dtype(kind):
        text = np.datetime_as_string(col.to_numpy("datetime64[s]"), unit="s").astype(object)
    elif pd.api.types.is_bool_dtype(kind) or pd.api.types.is_integer_dtype(kind):
        text = col.astype(object).astype(str).to_numpy(dtype=object)
    elif pd.api.types.is_float_dtype(kind):
        values = col.to_numpy(dtype=float, na_value=np.nan)
        given = values[~missing]
        if len(given) and np.all(np.isfinite(given)) and np.all(given == np.round(given)):
            whole = np.where(missing, 0, values)
            text = (whole.astype(np.int64).astype(str).astype(object)
                    if np.all(np.abs(given) < 2.0**63)
                    else np.array([str(int(v)) for v in whole], dtype=object))
        else:
            text = values.astype(str).astype(object)
    else:
        values = col.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(col, skipna=True) == "string":
            text = values.copy()
        else:
            text = np.array([str(v) for v in values], dtype=object)
    text[missing] = None
    return np.asarray(text, dtype=object)


def read_table(path: Path, *, layer: str | None = None) -> RawTable:
    """The raw table (text columns), its text encoding, for GIS files the layer's CRS, and
    the rows that could not be read (a CSV row of the wrong width). A ZIP archive (as open-data
    portals hand out shapefiles and big CSVs) is read when it holds one table."""
    path = Path(path)
    if path.is_dir():
        raise IngestError(_folder(path))
    if not path.is_file():
        raise IngestError(f"{path}: no such file{_builtin_hint(path)}")
    suffix = _suffix(path)
    if suffix == ".zip":
        return _read_zip(path, layer)
    return _read_typed(path, suffix, layer)


def _builtin_hint(path: Path) -> str:
    """For a missing file named as a built-in scenario (``ebian``): what to give instead (a
    review: `intel ingest ebian` said only "no such file")."""
    from xunfang.scenario.loader import builtin_names, resolve  # (the scenario's tables)

    name = str(path)
    if name not in builtin_names():
        return ""
    table = resolve(name) / "incidents.csv"
    return (f"; {name} is a built-in scenario: ingestion reads a file of incidents; its own "
            f"are {table} (intel ingest {table} --scenario {name}), and `intel forecast "
            f"{name}` and `intel evaluate {name}` read them as they are")


def _folder(path: Path) -> str:
    """Why a folder cannot be ingested, and what to give instead: a scenario's incident
    table (checked against the scenario), an incident file, one of the tables it holds (a
    review: a folder was called "no such file")."""
    if (path / "scenario.toml").is_file():
        table = next((path / n for n in ("incidents.csv", "incidents.xlsx")
                      if (path / n).is_file()), None)
        return (f"{path}: a scenario folder, not an incident file; ingestion reads one file of "
                "incidents: give the file"
                + (f" (its own history is {table})" if table else "")
                + f", and --scenario {path} to check it against the scenario's zones")
    if (path / "incidents.parquet").is_file():
        return (f"{path}: a folder holding an ingested store (incidents.parquet), not an "
                "incident file: the analyses read the folder as it is; ingestion reads one "
                "file of incidents")
    tables = sorted(p.name for p in path.iterdir()
                    if p.is_file() and _suffix(p) in (*TABLE_SUFFIXES, ".zip"))
    held = (f"; it holds {', '.join(tables[:5])}{', …' if len(tables) > 5 else ''}"
            if tables else "; it holds none of them")
    return (f"{path}: a folder, neither a scenario (no scenario.toml) nor a file; give one "
            f"file of incidents ({', '.join(TABLE_SUFFIXES)}"
            f" or a .zip of one){held}")


def _read_typed(name: Path, suffix: str, layer: str | None, data: bytes | None = None,
                gis: str | None = None) -> RawTable:
    """A table by its file type. ``name`` is the file, or what messages call it; ``data`` its
    bytes where they are already in memory, ``gis`` the path GDAL opens (a ZIP archive's
    member: both)."""
    if layer is not None and suffix not in (*GIS_SUFFIXES, *EXCEL_SUFFIXES):
        raise IngestError(f"--layer {layer!r}: {name} is not a GIS file or a workbook; "
                          f"layers are for {', '.join(GIS_SUFFIXES)}, sheets for "
                          f"{', '.join(EXCEL_SUFFIXES)}")
    if suffix in TEXT_SUFFIXES:
        return _check_header(_read_text_table(name, data), name)
    if suffix == ".xls":
        return _check_header(_read_xls(name, data, layer), name)
    if suffix in EXCEL_SUFFIXES:
        return _check_header(_read_excel(name, data, layer), name)
    if suffix in GIS_SUFFIXES:
        df, crs, why, encoding = _read_gis(gis or name, layer)
        return RawTable(df, encoding, crs, np.arange(1, len(df) + 1, dtype=np.int64),
                        geometry=why, notes=(SHAPEFILE_GB18030,) if encoding else ())
    raise IngestError(
        f"{name}: unknown file type '{suffix}'; use .csv, .csv.gz, .txt, .xlsx, .xls, "
        f"{', '.join(GIS_SUFFIXES)}, or a .zip that holds one of them")


def _read_excel(name: Path, data: bytes | None, sheet: str | None) -> RawTable:
    """A workbook's sheet: ``sheet``, or the only one that holds data (a workbook with
    several is refused, its sheets listed). Merged cells read as their top-left value, as
    the sheet shows them, and the report's notes say where."""
    import zipfile

    import openpyxl

    def source() -> Any:
        return name if data is None else io.BytesIO(data)

    # a workbook is a ZIP archive of XML parts: a part whose stated size is over the cap (a
    # bomb: openpyxl holds the shared strings in memory) is refused before anything is
    # unpacked; zipfile reads no part past the size its header states
    try:
        with zipfile.ZipFile(source()) as z:
            big = next((i for i in z.infolist() if i.file_size > MAX_UNPACKED), None)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{name}: not a readable Excel workbook: {exc}") from None
    if big is not None:
        raise _too_big(f"{name}: its part {big.filename}", big.file_size, True,
                       "save the sheet as CSV (Excel or WPS: Save As, CSV UTF-8)",
                       "the CSV instead")
    try:  # opened once, and handed to pandas (a workbook's shared strings take long to load)
        book = openpyxl.load_workbook(source(), read_only=True, data_only=True,
                                      keep_links=False)
    except Exception as exc:
        raise IngestError(f"{name}: not a readable Excel workbook: {exc}") from None
    notes: list[str] = []
    try:
        sheet = _pick_sheet(name, list(book.sheetnames), sheet,
                            lambda s: _holds_data(book[s]), notes)
        try:
            df = pd.read_excel(book, sheet_name=sheet, dtype=str, engine="openpyxl")
            with zipfile.ZipFile(source()) as z:
                merged = _merged_ranges(z, sheet)
        except Exception as exc:
            raise IngestError(f"{name}: not a readable Excel workbook (sheet {sheet!r}): "
                              f"{exc}") from None
    finally:
        book.close()
    note = _fill_merged(df, merged)
    if note:
        notes.append(note)
    return RawTable(df, None, None, np.arange(1, len(df) + 1, dtype=np.int64),
                    notes=tuple(notes))


def _read_xls(name: Path, data: bytes | None, sheet: str | None) -> RawTable:
    """A file named .xls, by what it holds: a workbook of Excel 97-2003 (read with xlrd), an
    .xlsx renamed, or what records systems' "export to Excel" often writes instead — an HTML
    table, or tab-separated text."""
    raw = name.read_bytes() if data is None else data
    if raw[:4] == b"PK\x03\x04":
        got = _read_excel(name, raw, sheet)
        return replace(got, notes=(f"{name.name} is an .xlsx workbook named .xls",
                                   *got.notes))
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _read_biff(name, raw, sheet)
    if sheet is not None:
        raise IngestError(f"--layer {sheet!r}: {name} is no workbook (it holds text), so it "
                          "has no sheets")
    head = _without_bom(raw[:4096]).lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta", b"<head")):
        return _read_html_table(name, raw)
    got = _read_text_table(name, raw)
    return replace(got, notes=(f"{name.name} is a text table named .xls", *got.notes))


def _read_biff(name: Path, raw: bytes, sheet: str | None) -> RawTable:
    """An Excel 97-2003 workbook's sheet (as :func:`_read_excel`: the one that holds data,
    or the one named), every cell as text; date cells as ISO date-times."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=raw, on_demand=True)
    except Exception as exc:
        raise IngestError(f"{name}: not a readable Excel 97-2003 workbook: {exc}") from None
    notes: list[str] = []
    try:
        sheet = _pick_sheet(name, book.sheet_names(), sheet,
                            lambda s: book.sheet_by_name(s).nrows > 0, notes)
        ws = book.sheet_by_name(sheet)
        rows = [[_biff_cell(ws.cell(r, c), book.datemode) for c in range(ws.ncols)]
                for r in range(ws.nrows)]
    finally:
        book.release_resources()
    if not rows:
        return RawTable(pd.DataFrame(), None, None, np.zeros(0, dtype=np.int64),
                        notes=tuple(notes))
    df = pd.DataFrame(rows[1:], columns=[str(h) for h in rows[0]], dtype=object)
    df = df.astype("string").replace("", pd.NA)
    return RawTable(df, None, None, np.arange(1, len(df) + 1, dtype=np.int64),
                    notes=tuple(notes))


def _biff_cell(cell: Any, datemode: int) -> str:
    """An .xls cell as the sheet shows its value: a date cell as an ISO date-time, a whole
    number without '.0'."""
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        if cell.value == 0:  # Excel's '1900-01-00': a date not given
            return ""
        when = xlrd.xldate_as_datetime(cell.value, datemode)
        if 0 < cell.value < 1:  # a time of day alone (beside a date cell): its clock
            return str(when.time().isoformat())
        return str(when.isoformat(sep=" "))
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        v = float(cell.value)
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return str(cell.value)


def _read_html_table(name: Path, raw: bytes) -> RawTable:
    """The table of an HTML page saved as .xls (the largest, where it holds several): its
    first row the header, every cell's text as written."""
    import lxml.html

    text, encoding, notes = _html_text(name, raw)
    # lxml refuses a str that declares its encoding (an XHTML page's '<?xml … encoding=…?>')
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"))
    try:
        doc = lxml.html.fromstring(text)
    except Exception as exc:  # lxml's parser errors vary
        raise IngestError(f"{name}: an HTML page named .xls that cannot be read: {exc}"
                          ) from None
    tables = [[[" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
               for tr in t.xpath(".//tr")] for t in doc.xpath("//table")]
    tables = [t for t in tables if len(t) >= 2]
    if not tables:
        raise IngestError(f"{name}: an HTML page named .xls, with no table of a header and "
                          "rows; open it in Excel or WPS and save it as .xlsx or CSV")
    rows = max(tables, key=len)
    fits = [len(r) == len(rows[0]) for r in rows]  # as wide as the header
    problems = tuple(RowProblem(i, "*", WRONG_WIDTH, f"{len(rows[i])} fields")
                     for i in range(1, len(rows)) if not fits[i])
    rownum = np.array([i for i in range(1, len(rows)) if fits[i]], dtype=np.int64)
    df = pd.DataFrame([rows[i] for i in rownum], columns=rows[0],
                      dtype=object).astype("string").replace("", pd.NA)
    notes.insert(0, f"{name.name} is an HTML table named .xls")
    if len(tables) > 1:
        notes.append(f"the page holds {len(tables)} tables: the largest ({len(rows) - 1} rows) "
                     "is read")
    return RawTable(df, encoding, None, rownum, problems, notes=tuple(notes))


_CHARSET = re.compile(rb"""<meta[^>]*charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _html_text(name: Path, raw: bytes) -> tuple[str, str, list[str]]:
    """An HTML page's text, the encoding it was read in, and a note where characters could
    not be read: UTF-8, else the charset its <meta> declares, else GB18030 (of which GB2312
    and GBK are parts: a Chinese records system's export). An audit found a GB2312 page
    reported as read in UTF-8."""
    import codecs

    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    found = _CHARSET.search(raw[:4096])
    declared = found.group(1).decode("ascii").lower() if found else None
    tries = ["gb18030"]
    if declared is not None:
        try:
            known = codecs.lookup(declared).name
        except LookupError:
            known = None
        if known is not None and known not in ("utf-8", "gb2312", "gbk", "gb18030"):
            tries.insert(0, known)  # (GB2312 and GBK are read as GB18030, their whole)
    for encoding in tries:
        try:
            return raw.decode(encoding), encoding, []
        except UnicodeDecodeError:
            continue
    text = raw.decode(tries[0], errors="replace")
    return text, tries[0], [f"{name.name} is not wholly {tries[0]}: "
                            f"{text.count(chr(0xFFFD)):,} characters could not be read "
                            "(shown as '\ufffd')"]


def _pick_sheet(name: Path, sheets: list[str], sheet: str | None,
                holds_data: Callable[[str], bool], notes: list[str]) -> str:
    """The sheet of a workbook to read: ``sheet`` (``--layer``), else the only one that
    holds data (a workbook with several is refused, its sheets listed), said in ``notes``
    where the others are empty."""
    if sheet is not None:
        if sheet not in sheets:
            raise IngestError(f"--layer {sheet!r}: {name} has no sheet of that name; its "
                              f"sheets are {', '.join(map(repr, sheets))}")
        return sheet
    full = [s for s in sheets if holds_data(s)]
    if len(full) > 1:
        raise IngestError(
            f"{name}: the workbook has {len(full)} sheets holding data "
            f"({', '.join(map(repr, full))}); choose one with --layer SHEET (ingest "
            "each sheet on its own, or gather them in one sheet)")
    sheet = full[0] if full else sheets[0]
    if len(sheets) > 1 and full:
        others = [s for s in sheets if s != sheet]
        notes.append(f"sheet {sheet!r} read, the only one holding data (the workbook's other "
                     f"sheets, {', '.join(map(repr, others))}, are empty)")
    return sheet


def _holds_data(ws: Any) -> bool:
    """A sheet with a cell that is not empty (read until the first one); a chart sheet has
    no cells."""
    if not hasattr(ws, "iter_rows"):
        return False
    return any(v is not None and str(v).strip()
               for row in ws.iter_rows(values_only=True) for v in row)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')


def _merged_ranges(book: Any, sheet: str) -> list[tuple[int, int, int, int]]:
    """The merged cell ranges of a workbook's sheet (``book`` the .xlsx as a ZIP archive),
    as (first column, first row, last column, last row), 1-based. Read from the sheet's XML
    (openpyxl's fast read-only mode, which pandas uses, does not give them)."""
    import posixpath
    import xml.etree.ElementTree as ET

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def target(rels: str, rid: str | None = None, kind: str | None = None) -> str | None:
        for el in ET.fromstring(book.read(rels)).iter():
            if local(el.tag) != "Relationship":
                continue
            if (rid is not None and el.get("Id") == rid) or (
                    kind is not None and el.get("Type", "").endswith("/" + kind)):
                return el.get("Target")
        return None

    main = (target("_rels/.rels", kind="officeDocument") or "xl/workbook.xml").lstrip("/")
    rid = None
    for el in ET.fromstring(book.read(main)).iter():
        if local(el.tag) == "sheet" and el.get("name") == sheet:
            rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
    folder = posixpath.dirname(main)
    where = target(posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels"),
                   rid=rid) if rid else None
    if where is None:
        raise ValueError(f"sheet {sheet!r} has no part in the archive")
    part = where.lstrip("/") if where.startswith("/") else posixpath.normpath(
        posixpath.join(folder, where))
    found: set[tuple[int, int, int, int]] = set()
    tail = b""
    with book.open(part) as fh:  # streamed: a big sheet's XML is not held whole
        while chunk := fh.read(1 << 22):
            text = tail + chunk
            if b"mergeCell" in text:
                for m in _MERGE.finditer(text):
                    c0, r0 = _column_number(m[1]), int(m[2])
                    c1, r1 = (_column_number(m[3]), int(m[4])) if m[3] else (c0, r0)
                    found.add((c0, r0, c1, r1))
            tail = text[-512:]
    return sorted(found, key=lambda r: (r[1], r[0]))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _fill_merged(df: pd.DataFrame, ranges: Sequence[tuple[int, int, int, int]]) -> str | None:
    """Fill each merged range below the header with its top-left value, in place (a sheet
    row r is ``df`` row r - 2: pandas keeps the empty rows); what was filled, for the
    report's notes. A range that reaches into the header row is left: names, not values."""
    filled, cells, columns = 0, 0, []
    width = len(df.columns)
    if not ranges or not len(df):
        return None
    # filled in numpy and written back column by column: a pandas assignment per range cost
    # 0.5 ms (a sheet of 10,000 merged ranges: 11 s instead of 1.2 s; a review)
    values = df.to_numpy(dtype=object, copy=True)
    na = df.isna().to_numpy()
    changed: set[int] = set()
    for c0, r0, c1, r1 in ranges:
        top, left = r0 - 2, c0 - 1
        if top < 0 or top >= len(df) or left >= width:
            continue
        bottom, right = min(r1 - 2, len(df) - 1), min(c1 - 1, width - 1)
        if na[top, left]:  # an empty merged range stays empty
            continue
        value = values[top, left]
        empty = na[top:bottom + 1, left:right + 1]
        if not empty.any():
            continue
        values[top:bottom + 1, left:right + 1][empty] = value
        n_empty = int(empty.sum())
        empty[:] = False
        filled += 1
        cells += n_empty
        changed.update(range(left, right + 1))
        columns += [str(c) for c in df.columns[left:right + 1] if str(c) not in columns]
    if not filled:
        return None
    for j in sorted(changed):
        df.isetitem(j, pd.Series(values[:, j], index=df.index, dtype=df.dtypes.iloc[j]))
    return (f"{filled} merged cell ranges ({cells} cells, in {', '.join(columns)}) read as "
            "their top-left value, as the sheet shows them")


def _read_zip(path: Path, layer: str | None) -> RawTable:
    """The one table of a ZIP archive: a CSV or workbook is read from memory, a GIS file (a
    shapefile with its .dbf, .shx and .prj beside it) through GDAL's /vsizip/. A .txt or
    .json member counts only where nothing else is a table (a README or metadata file rides
    along with many exports). An archive with none, or with several, is refused with its
    members listed."""
    import zipfile

    data = None
    try:
        with zipfile.ZipFile(path) as z:
            names = [i.filename for i in z.infolist() if not i.is_dir()]
            tables = [n for n in names if not n.startswith("__MACOSX/")
                      and not Path(n).name.startswith(".")
                      and _suffix(n) in TABLE_SUFFIXES]
            members = [n for n in tables if _suffix(n) not in (".txt", ".json")] or tables
            if len(members) != 1:
                listed = (", ".join(names[:20]) + (f" and {len(names) - 20} more"
                                                    if len(names) > 20 else "")) or "none"
                what = "no table" if not members else (
                    f"{len(members)} tables ({', '.join(members[:10])})")
                raise IngestError(f"{path}: the archive holds {what}; xunfang reads an "
                                  f"archive of one CSV, workbook or GIS file. Its members: "
                                  f"{listed}. Unpack the one to read and give it instead")
            member = members[0]
            inner = _suffix(member)
            name = Path(f"{path}!{member}")  # how messages name it
            # a member's stated size is checked before anything is unpacked, its own and its
            # companions' (a shapefile's .dbf) for GDAL; a CSV or workbook is read with the
            # same cap, as the header can lie (zipfile stops at the size it states, too)
            stem = str(Path(member).with_suffix("")).lower()
            for info in z.infolist():
                if (str(Path(info.filename).with_suffix("")).lower() == stem
                        and info.file_size > MAX_UNPACKED):
                    raise _too_big(f"{path}: its member {info.filename}", info.file_size,
                                   True, "unpack the archive with an archive tool")
            if inner not in GIS_SUFFIXES:  # GDAL reads a GIS member itself
                try:
                    with z.open(member) as fh:
                        data = fh.read(MAX_UNPACKED + 1)
                except (RuntimeError, NotImplementedError, zipfile.BadZipFile,
                        EOFError) as exc:  # encrypted, Deflate64, damaged
                    raise IngestError(f"{name}: cannot be unpacked ({exc}); unpack it with "
                                      "an archive tool and give the file instead") from None
                if len(data) > MAX_UNPACKED:
                    raise _too_big(f"{path}: its member {member}", MAX_UNPACKED, False,
                                   "unpack the archive with an archive tool")
    except zipfile.BadZipFile as exc:
        raise IngestError(f"{path}: not a readable ZIP archive: {exc}") from None
    vsi = f"/vsizip/{path.resolve()}/{member}"
    try:
        return _read_typed(name, inner, layer, data, vsi)
    except IngestError as exc:  # name the archive as the user gave it, not GDAL's path
        raise IngestError(str(exc).replace(vsi, str(name))) from None


# -- the pipeline ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProblemRows:
    """Rows that broke one rule, in one field: all of them, as columns (a file of a million
    bad rows is not held as a million :class:`RowProblem` objects)."""

    rule: str
    field: str
    rows: IntArray  # data rows (1-based)
    values: npt.NDArray[np.object_]  # each row's value as read (None: empty)


@dataclass
class _Rejects:
    rownum: IntArray  # data row number of each table position
    counts: Counter[str] = field(default_factory=Counter)
    listed: list[RowProblem] = field(default_factory=list)  # the first MAX_LISTED a rule
    every: list[ProblemRows] = field(default_factory=list)  # all of them

    def add(self, rule: str, fld: str, rows: IntArray, values: Sequence[object]) -> None:
        """``rows`` are positions in the table; the report names their data rows."""
        if not len(rows):
            return
        room = max(MAX_LISTED - self.counts[rule], 0)
        self.counts[rule] += len(rows)
        kept = np.empty(len(rows), dtype=object)
        kept[:] = list(values) if not isinstance(values, np.ndarray) else values
        numbers = self.rownum[rows]
        self.every.append(ProblemRows(rule, fld, numbers, kept))
        for r, v in zip(numbers[:room].tolist(), kept[:room].tolist(), strict=True):
            self.listed.append(RowProblem(int(r), fld, rule, _shown(v)))

    def add_problems(self, problems: Sequence[RowProblem]) -> None:
        for p in problems:
            if self.counts[p.rule] < MAX_LISTED:
                self.listed.append(p)
            self.counts[p.rule] += 1
        by_rule: dict[tuple[str, str], list[RowProblem]] = {}
        for p in problems:
            by_rule.setdefault((p.rule, p.field), []).append(p)
        for (rule, fld), ps in by_rule.items():
            values = np.empty(len(ps), dtype=object)
            values[:] = [p.value for p in ps]
            self.every.append(ProblemRows(rule, fld, np.array([p.row for p in ps],
                                                              dtype=np.int64), values))


def _listed(columns: Iterable[object]) -> str:
    """The file's columns for a message (not the point layers' own ``__x``/``__y``)."""
    return ", ".join(str(c) for c in columns if c not in ("__x", "__y"))


def _calendar_numbers(texts: list[pd.Series]) -> bool:
    """Three to six columns of whole numbers (perhaps written '22.0', as pandas writes a
    column with a blank), the first of them four-digit years: a time written as YEAR,
    MONTH, DAY and perhaps HOUR, MINUTE, SECOND apart."""
    if not 3 <= len(texts) <= 6:
        return False
    given = [t[t != ""] for t in texts]
    return (all(len(g) and g.str.fullmatch(r"[0-9]{1,4}(?:\.0+)?").all() for g in given)
            and bool(given[0].str.fullmatch(r"[0-9]{4}(?:\.0+)?").all()))


def _from_numbers(texts: list[pd.Series]) -> pd.Series:
    """ISO text ("2019-01-05 07:30:00") of YEAR, MONTH, DAY[, HOUR[, MINUTE[, SECOND]]]
    columns; a value out of range (month 13) makes a text no parser reads, listed as such."""
    texts = [t.str.replace(r"\.0+$", "", regex=True) for t in texts]  # '22.0': pandas' floats
    two = [t.str.zfill(2) for t in texts[1:]]
    out = texts[0] + "-" + two[0] + "-" + two[1]
    if len(texts) == 4 and int(texts[3].str.len().max()) >= 3:  # the time of day as HHMM
        return out + " " + _clock_digits(texts[3])
    if len(two) > 2:
        clock = two[2:] + [pd.Series("00", index=out.index)] * (5 - len(two))
        out = out + " " + clock[0] + ":" + clock[1] + ":" + clock[2]
    return out


def _clock_digits(text: pd.Series) -> pd.Series:
    """The times of day of a column written as fractions of a day (a spreadsheet's time cell
    in General format: "0.9375" is 22:30:00), or as whole numbers, as HH:MM: HHMM where any of them
    has three or four digits (Los Angeles's TIME OCC: "2230"; "5" is 00:05, "0005" too),
    hours where each has one or two, none is above 23 and no value of the column has a
    colon (Boston's HOUR). Other values are left as written, to be read or listed as such."""
    fraction = text.str.fullmatch(r"0?\.[0-9]+|0").fillna(False)
    if fraction.any() and text[fraction].str.contains(".", regex=False).any() and bool(
            fraction[text != ""].all()):  # a spreadsheet's time of day in General format
        # (the last second of a day rounds to 24:00: kept in it)
        seconds = (pd.to_numeric(text[fraction]) * 86400).round().astype(int).clip(upper=86399)
        clock = (seconds // 3600).astype(str).str.zfill(2) + ":" + (
            seconds // 60 % 60).astype(str).str.zfill(2) + ":" + (
            seconds % 60).astype(str).str.zfill(2)
        out = text.copy()
        out[clock.index] = clock
        return out
    digits = text.str.fullmatch(r"[0-9]{1,4}").fillna(False)  # ASCII: '\d' takes '０' too
    given = text[digits]
    if given.empty:
        return text
    width = given.str.len()
    num = given.astype(int)
    if int(width.max()) >= 3:
        hh, mm = num // 100, num % 100
        ok = (hh < 24) & (mm < 60)
        clock = (hh.astype(str).str.zfill(2) + ":" + mm.astype(str).str.zfill(2)).where(
            ok, given)  # 2460 is kept as written: not a time, listed
    elif int(num.max()) <= 23 and not text.str.contains(":", regex=False).any():
        clock = num.astype(str).str.zfill(2) + ":00"
    else:
        return text
    out = text.copy()
    out[given.index] = clock
    return out


POLAR = 75.0  # |latitude| beyond which no city lies (Svalbard's Longyearbyen: 78°N, a few)
_NUM = r"([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"


def _point_parts(text: pd.Series, geographic: bool, order: str = "point",
                 name: str = "") -> tuple[pd.Series, pd.Series, str | None]:
    """x and y (lon and lat) of a column of points, and what the report should say of their
    order: WKT 'POINT (x y)' (SF's Point, NYC's Lat_Lon is the other form), or pairs of
    degrees '(a, b)' or 'a,b'. A pair's order is the field's (``lonlat``, ``latlon``); for
    ``point`` the values tell it: the side where most values lie beyond ±90 holds longitudes
    (Chinese exports' '104.06,30.66'); else the order that does not put the middle beyond
    :data:`POLAR` (Chicago's '(41.8, -87.6)', Urumqi's '87.61,43.82'); else it is Socrata's
    '(lat, lon)', said in the note. A value in no form is passed on as written, to be listed
    as not a number."""
    t = text.astype("string").str.strip()
    wkt = t.str.extract(rf"^(?i:POINT)\s*(?:Z|M|ZM)?\s*\(\s*{_NUM}\s+{_NUM}(?:\s+{_NUM})*\s*\)$")
    x, y = wkt[0], wkt[1]
    note = None
    if geographic:
        pair = t.str.extract(rf"^\(?\s*{_NUM}\s*[,;]\s*{_NUM}\s*\)?$")
        a, b = pd.to_numeric(pair[0]).abs(), pd.to_numeric(pair[1]).abs()
        if order == "point":  # by most values: one typo ('418.8') does not turn them all
            first_lon, second_lon = int((a > 90).sum()), int((b > 90).sum())
            real = pair[0].notna() & ~((a == 0) & (b == 0))  # (0, 0): a missing position
            given = bool(real.any())
            lat_a, lat_b = ((float(a[real].median()), float(b[real].median())) if given
                            else (0.0, 0.0))
            pairs = int(real.sum())
            if max(first_lon, second_lon) * 2 > pairs:  # most pairs say which is longitude
                order = "lonlat" if first_lon > second_lon else "latlon"
            elif given and (lat_a > POLAR) != (lat_b > POLAR):
                # no value beyond ±90, but one order puts the middle nearer a pole than
                # any city: '87.61,43.82' is Urumqi, not the Arctic Ocean
                order = "latlon" if lat_b > POLAR else "lonlat"
            elif given:
                order = "latlon"
                note = (f"the pairs of {name} are read as (latitude, longitude), Socrata's "
                        "order: no value lies beyond ±90 to tell; if they are (longitude, "
                        f"latitude), map the column as lonlat={name}")
        lon, lat = (pair[0], pair[1]) if order == "lonlat" else (pair[1], pair[0])
        x, y = x.fillna(lon), y.fillna(lat)
    return x.fillna(t), y.fillna(t), note


def _mapping(df: pd.DataFrame, columns: Mapping[str, str], path: Path,
             time_format: str | None = None, crs: str | None = None,
             notes: list[str] | None = None) -> dict[str, str]:
    """The columns of ``df`` for each field, from ``columns`` and the aliases; ``notes``
    gathers what the report should say of them."""
    notes = [] if notes is None else notes
    have = {str(c).strip(): c for c in df.columns}
    lower = {k.lower(): v for k, v in have.items()}
    out: dict[str, str] = {}
    points = [k for k in POINT_FIELDS if k in columns]
    if points:
        both = [k for k in ("lon", "lat", "x", "y", *POINT_FIELDS[1:]) if k in columns
                and k != points[0]]
        if both:
            raise IngestError(f"{path}: --columns maps {points[0]} and {', '.join(both)}: give "
                              "the column of points, or the coordinate columns, not both")
    mixed = _mixed_coordinates(columns) or _one_column_twice(columns)  # as parse_columns
    if mixed:
        raise IngestError(f"{path}: --columns {mixed}")
    for key, col in columns.items():
        if key in POINT_FIELDS:
            if col not in have:
                raise IngestError(
                    f"{path}: --columns maps {key} to '{col}', which is not a column; "
                    f"columns are {_listed(have)}")
            geographic = crs is None or _crs(crs)[1]
            if key != "point" and not geographic:
                raise IngestError(f"{path}: --columns {key}= is a column of longitude and "
                                  f"latitude pairs, and --crs {crs} is projected: map a "
                                  "column of WKT points with point=")
            xs, ys, note = _point_parts(df[have[col]], geographic, key, col)
            if note:
                notes.append(note)
            pair = ("lon", "lat") if crs is None else ("x", "y")
            for k, values in zip(pair, (xs, ys), strict=True):
                df[f"{col} ({k})"] = values
                out[k] = f"{col} ({k})"
            continue
        if key == "time" and col not in have and "+" in col:  # date and time of day apart
            parts = [c.strip() for c in col.split("+")]
            for c in parts:
                if c not in have:
                    raise IngestError(
                        f"{path}: --columns maps time to '{col}', but '{c}' is not a column; "
                        f"columns are {_listed(have)}")
            texts = [df[have[c]].astype("string").str.strip().fillna("") for c in parts]
            # a date cell of a workbook or a GIS date-time field reads "2024-01-01 00:00:00"
            # (a US export "01/08/2020 12:00:00 AM"): its time of day is the other column's
            texts[0] = texts[0].str.replace(
                r"[ T](?:00:00(?::00(?:\.0+)?)?|12:00(?::00)?\s*[Aa]\.?[Mm]\.?)$", "",
                regex=True)
            if time_format is None and len(texts) == 2:  # a date, and its time of day
                texts[1] = _clock_digits(texts[1])
            numbered = time_format is None and _calendar_numbers(texts)
            if numbered:  # YEAR+MONTH+DAY[+HOUR[+MINUTE[+SECOND]]] (Vancouver's VPD)
                joined = _from_numbers(texts)
            else:
                joined = texts[0]
                for t in texts[1:]:
                    joined = joined + " " + t
            # a part missing (a date without its time of day) is a missing time, listed as
            # such: never read as midnight
            empty = np.logical_or.reduce([(t == "").to_numpy(dtype=bool) for t in texts])
            df[col] = joined.mask(empty)
            out[key] = col
            continue
        if col not in have:
            raise IngestError(
                f"{path}: --columns maps {key} to '{col}', which is not a column; "
                f"columns are {_listed(have)}")
        out[key] = have[col]
    # a name guessed from the aliases never displaces a mapping given: coordinates of a kind
    # the user mapped (lon/lat, x/y or a column of points) exclude the other kinds' aliases
    given = set(columns)
    coordinates = (("lon", "lat", "x", "y") if given & set(POINT_FIELDS)
                   else ("lon", "lat") if given & {"x", "y"}
                   else ("x", "y") if given & {"lon", "lat"} else ())
    for key, names in _ALIASES.items():
        if key in out or key in coordinates:
            continue
        for n in names:
            # a column empty in every row is no guess (GDAL adds an empty 'timestamp' to KML)
            if n in lower and lower[n] not in out.values() and not _empty(df[lower[n]]):
                out[key] = lower[n]
                break
    return out


def _empty_aliases(df: pd.DataFrame, keys: Sequence[str]) -> str:
    """For a message: the columns named as ``keys`` are that no alias took, being empty."""
    names = {n for k in keys for n in _ALIASES[k]}
    empty = [str(c) for c in df.columns if str(c).strip().lower() in names and _empty(df[c])]
    return (f"; {', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty in every row"
            if empty else "")


def _empty(values: pd.Series) -> bool:
    """True when every value is missing or white space."""
    given = values[values.notna().to_numpy(dtype=bool)]
    if given.empty:
        return True
    if str(given.iloc[0]).strip():  # the usual case, at once
        return False
    return not bool(given.astype("string").str.strip().ne("").any())


# layouts tried, on a sample, when no --time-format is given and the times are not ISO 8601
TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %I:%M %p",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y%m%d%H%M", "%Y%m%d%H%M%S", "%Y%m%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H时%M分", "%Y年%m月%d日",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%d/%m/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y", "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
    "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日 %H时%M分%S秒", "%Y年%m月%d日%H时%M分%S秒",
    "%Y年%m月%d日%H:%M:%S", "%Y年%m月%d日%H:%M",
    # month names: Oracle-based records systems ('02-JAN-19 03.04.05.000000 PM') and US
    # reports ('Jan 2, 2019 3:04 PM')
    "%d-%b-%y %I.%M.%S.%f %p", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y %H:%M", "%d-%b-%y %H:%M:%S",
    "%d-%b-%y %H:%M", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M",
    "%b %d, %Y %I:%M:%S %p", "%b %d, %Y %I:%M %p", "%b %d, %Y %H:%M", "%b %d, %Y",
    # SQL Server's default text ('Jan  2 2019  3:04PM') and JavaScript's ('Jan 02 2019 15:04:05'
    # once its weekday and zone are respelt), 12-hour ISO dates
    "%b %d %Y %I:%M%p", "%b %d %Y %I:%M:%S%p", "%b %d %Y %H:%M:%S", "%b %d %Y %H:%M",
    "%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d %I:%M %p",
)


# Unix times (ArcGIS REST and many APIs export dates so): UTC instants, seconds or milliseconds
EPOCH_LAYOUTS = {"epoch_s": "s", "epoch_ms": "ms"}
_EPOCH_DIGITS = {"epoch_s": r"\d{9,10}", "epoch_ms": r"\d{12,13}"}
# a number is read as a time (a Unix time, a spreadsheet serial date) only from 1990 to a
# year from now: a number outside is not an incident's time (a phone number, an id, a ZIP
# code, seconds read as milliseconds, a YYYYMMDDhhmm stamp)
EPOCH_FROM = pd.Timestamp("1990-01-01", tz="UTC")


def _epoch_until() -> pd.Timestamp:
    """The end of the span of :data:`EPOCH_FROM`: a year from now (UTC)."""
    return pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=366)


def _epoch_values(text: pd.Series, layout: str) -> pd.Series:
    """The UTC instants of the values that are Unix times in ``layout`` (whole seconds or
    milliseconds, optionally with a fraction) between 1990 and a year from now; NaT for any
    other value."""
    ok = text.str.fullmatch(_EPOCH_DIGITS[layout] + r"(?:\.\d+)?").fillna(False)
    num = pd.to_numeric(text.where(ok), errors="coerce")
    scale = 1.0 if layout == "epoch_s" else 1000.0
    inside = ((num >= EPOCH_FROM.timestamp() * scale)
              & (num <= _epoch_until().timestamp() * scale))
    return pd.to_datetime(num.where(inside), unit=EPOCH_LAYOUTS[layout], utc=True,
                          errors="coerce")


# spreadsheet serial dates (a CSV saved from Excel or WPS with the time column as numbers):
# days since 1899-12-30 with the time of day as the fraction, local wall-clock times
SERIAL = "excel_serial"
SERIAL_EPOCH = pd.Timestamp("1899-12-30")


def _serial_values(text: pd.Series) -> pd.Series:
    """The local times of the values that are spreadsheet serial dates between 1990 and a
    year from now (rounded to the second); NaT for any other value."""
    ok = text.str.fullmatch(r"\d{5}(?:\.\d+)?").fillna(False)
    days = pd.to_numeric(text.where(ok), errors="coerce")
    lo, hi = ((t.tz_localize(None) - SERIAL_EPOCH).days for t in (EPOCH_FROM, _epoch_until()))
    secs = (days.where((days >= lo) & (days <= hi)) * 86400).round()
    return SERIAL_EPOCH + pd.to_timedelta(secs, unit="s")


def _serials_with_points(values: pd.Series) -> pd.Series:
    """Spreadsheet serial dates written with a decimal comma ('43466,0020833', a ';' export
    of a European locale) with a point instead; any other value as it is."""
    text = values.astype("string")
    comma = text.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
    if not comma.any():  # a plain substring test: a column of other times pays ~nothing
        return text
    text = text.copy()
    text[comma] = text[comma].str.replace(r"^(\s*\d{5}),(\d+\s*)$", r"\1.\2", regex=True)
    return text


def _epoch_layout(sample: pd.Series) -> str | None:
    """``epoch_ms`` or ``epoch_s`` when at least 99 % of the sample are Unix times of that
    layout between 1990 and a year from now."""
    for layout in EPOCH_LAYOUTS:
        if _epoch_values(sample, layout).notna().sum() >= 0.99 * len(sample):
            return layout
    return None


# layouts without separators, recognised only in their full width
COMPACT_WIDTH = {"%Y%m%d%H%M": 12, "%Y%m%d%H%M%S": 14, "%Y%m%d %H:%M": 14}


def guess_time_format(text: pd.Series) -> str | None:
    """The layout of the times: ``ISO8601`` or one of :data:`TIME_FORMATS` that reads at least
    99 % of a sample spread over the column; None when none does. Where a day-first and a
    month-first layout both read the sample, the whole column decides (a value with a day
    above 12 fits only one); where both read it all, an error asks for ``--time-format``."""
    given = text.dropna()
    given = given[given != ""]
    if given.empty:
        return None
    # spread over the file: an export sorted by date starts with days 1-12 only
    sample = given.iloc[np.unique(np.linspace(0, len(given) - 1, min(2000, len(given)))
                                  .astype(np.int64))]
    need = 0.99 * len(sample)

    def share(fmt: str, values: pd.Series = sample) -> int:
        # utc=True: values with different UTC offsets (or none) are counted, not refused
        got = pd.to_datetime(values, format=fmt, errors="coerce", utc=True).notna()
        if fmt in COMPACT_WIDTH:  # pandas reads '2019011514' as %Y%m%d%H%M (01-01 15:14)
            got &= values.astype("string").str.strip().str.len() == COMPACT_WIDTH[fmt]
        return int(got.sum())

    if share("ISO8601") >= need:
        return "ISO8601"
    numbers = sample.astype("string").str.strip()
    epoch = _epoch_layout(numbers)
    if epoch is not None:
        return epoch
    if (_serial_values(numbers).notna().sum() >= need
            and numbers.str.contains(".", regex=False).sum() >= 0.5 * len(numbers)):
        return SERIAL  # most with a time of day: whole five-digit numbers (ZIP codes, ids)
        # are no guess; a column of whole serial days is read with --time-format
    local = _without_offsets(numbers)  # a layout reads the time; the offset is applied apart
    fits = [f for f in TIME_FORMATS if share(f, local) >= need]
    if not fits:
        return None
    first = fits[0]
    swapped = (first.replace("%m/%d", "%d/%m") if "%m/%d" in first
               else first.replace("%d/%m", "%m/%d") if "%d/%m" in first else None)
    if swapped is not None and swapped in fits:
        whole_local = _without_offsets(given.astype("string").str.strip())
        whole = {f: share(f, whole_local) for f in (first, swapped)}
        if whole[first] != whole[swapped]:
            return max(whole, key=lambda f: whole[f])
        raise IngestError(
            f"the times (e.g. '{sample.iloc[0]}') read both day-first and month-first; "
            f"give the layout with --time-format (e.g. '{first}')")
    return first


# a value that ends in a UTC offset after its time of day (and AM/PM; Oracle writes the clock
# with dots, '03.04.05.000000 PM +08:00'): Z, +08, +0800, +08:00, UTC, GMT
_OFFSET_END = r"(?:[Zz]|UTC|GMT|[+-]\d\d(?::?\d\d)?)$"
_OFFSET_CLOCK = (r"(?:\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?\s*)?"
                 r"|T\d{4,6}(?:[.,]\d+)?)" + _OFFSET_END)
_OFFSET_DOTS = r"\d\.\d\d\.\d\d(?:\.\d+)?\s*(?:[AaPp][Mm]\s*)?" + _OFFSET_END
_OFFSET = f"(?:{_OFFSET_CLOCK})|(?:{_OFFSET_DOTS})"
# the offset itself, split from the local time it follows
_OFFSET_PART = r"^(.*?)\s*(?:[Zz]|UTC|GMT|([+-])(\d\d):?(\d\d)?)$"

# spellings no layout reads, respelt (:func:`_respell`) when no --time-format is given (a layout
# given reads the values as written)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MERIDIEM = {"上午": False, "凌晨": False, "早上": False, "中午": True, "下午": True,
             "晚上": True}  # True: after noon
_MERIDIEM_WORDS = re.compile("|".join(_MERIDIEM))
_CLOCK = r"(\d{1,2})(:\d\d(?::\d\d)?)"
_MERIDIEM_AT = re.compile(rf"({'|'.join(_MERIDIEM)})\s*{_CLOCK}|{_CLOCK}\s*({'|'.join(_MERIDIEM)})")
_WEEKDAY_AT = re.compile(rf"^(?:{'|'.join(_WEEKDAYS)})[a-z]*\.?,?\s+", re.I)
_ZONE_AT = re.compile(r"\s*(?:([+-]\d\d:?\d\d)\s*(?:utc|gmt)|(?:utc|gmt)\s*(?:([+-])(\d{1,2})"
                      r"(?::?(\d\d))?)?)(?:\s*\([^()]*\))?$", re.I)
# a zone abbreviation after the time: 'CST' is China's, and the US Central zone's in winter
# (only the names time zones use are taken for one: not 'SUN', 'JUNE', 'NOON' or 'HRS')
_ABBREVIATION = r"(?:\d|[AaPp]\.?[Mm]\.?)\s+([A-Z]{3,5})$"
ABBREVIATION_RULE = ("time ends in a zone abbreviation ({names}), which is no UTC offset; "
                     "name the zone that uses it with --tz, or --source-tz if it differs")
COARSE = r"\d{4}(?:[-/.]\d{1,2})?|\d{1,2}[-/.]\d{4}|\d{4}年(?:\d{1,2}月)?"
COARSE_RULE = "time gives no day, only a month or a year (forecasts are by day)"
CLOCK_ONLY = (r"(?:上午|下午|凌晨|早上|中午|晚上)?\s*\d{1,2}:\d\d(?::\d\d(?:[.,]\d+)?)?"
              r"\s*(?:[AaPp]\.?\s?[Mm]\.?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)?|0?\.\d+")
CLOCK_ONLY_RULE = ("a time of day without its date: map the date column with it, --columns "
                   "time=DATE+TIME")
NO_CLOCK_RULE = ("time of day missing beside its date: the hour is unknown, not midnight "
                 "(a file of dates only is read as such; this row's columns give both)")
# the span of years an incident's time may lie in (and up to a year from now)
TIMES_FROM = "1900-01-01"
# the placeholders records systems and spreadsheets write for a date not given: 1900-01-01
# (SQL Server's and many exports' zero date), 1899-12-30 and 1899-12-31 (Excel's and
# Delphi's day 0), each at 00:00 exactly
PLACEHOLDER_TIMES = np.array(["1900-01-01T00:00:00", "1899-12-30T00:00:00",
                              "1899-12-31T00:00:00"], dtype="datetime64[s]")
PLACEHOLDER_RULE = ("time is a placeholder for no date (1900-01-01 00:00, Excel's "
                    "1899-12-30/31 or day 0, or the Unix epoch 1970-01-01 00:00 UTC on a "
                    "local clock): no time given")
# the Unix epoch (a time stored as 0 seconds) as a local clock shows it: 1970-01-01 00:00 UTC
# is 08:00 in Beijing and 1969-12-31 19:00 in Chicago; any whole quarter hour within 14 hours
# of it (the widest UTC offsets) with no seconds. An audit: '1970-01-01 08:00:00' rows of a
# Chinese export were kept as incidents 54 years before the rest
EPOCH_ZERO = np.datetime64("1970-01-01T00:00:00", "s")
EPOCH_ZERO_REACH = np.timedelta64(14 * 3600, "s")


def _epoch_zero(t: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """The times that are the Unix epoch on some local clock (:data:`EPOCH_ZERO`): within
    14 hours of it, on a whole quarter hour."""
    off = (t - EPOCH_ZERO).astype("timedelta64[s]").astype(np.int64)
    near: npt.NDArray[np.bool_] = ~np.isnat(t) & (np.abs(t - EPOCH_ZERO) <= EPOCH_ZERO_REACH)
    quarter: npt.NDArray[np.bool_] = off % 900 == 0
    return near & quarter


YEAR_RULE = "time before 1900 or after {until}: a typo in the year"
JOINED_HINT = (" (the columns' values joined with spaces, as shown; give their layout with "
               "--time-format, e.g. '%d %m %Y %H:%M')")
GAP = "local time does not exist in {zone} (daylight-saving gap)"
FOLD = "ambiguous local time in {zone}: it occurs twice (daylight-saving fold)"


def _at_midnight(times: pd.Series) -> npt.NDArray[np.bool_]:
    """The times at exactly 00:00:00."""
    return np.asarray((times.dt.hour == 0) & (times.dt.minute == 0) & (times.dt.second == 0),
                      dtype=bool)


def same_zone(a: str, b: str) -> bool:
    """Whether two time-zone names keep the same clock (US/Central and America/Chicago,
    Asia/Chongqing and Asia/Shanghai): the same offset from UTC at every hour of 1970-2040."""
    if a == b:
        return True
    hours = pd.date_range("1970-01-01", "2041-01-01", freq="h", tz="UTC")
    return bool((hours.tz_convert(a).tz_localize(None)
                 == hours.tz_convert(b).tz_localize(None)).all())


def _aware(text: pd.Series) -> npt.NDArray[np.bool_]:
    """The values that end in a UTC offset after their time of day (:data:`_OFFSET`). The
    pattern is tried only where the end could be one — a sign among the last six characters,
    'Z', 'UTC' or 'GMT' last —: a column of local times pays next to nothing for it."""
    import pyarrow.compute as pc

    arr = _arrow(text)
    tail = pc.utf8_slice_codeunits(arr, -6, 1 << 30)
    last = pc.utf8_slice_codeunits(arr, -3, 1 << 30)
    maybe = _marks(pc.or_(pc.or_(pc.match_substring(tail, "+"), pc.match_substring(tail, "-")),
                          pc.or_(pc.match_substring(last, "Z", ignore_case=True),
                                 pc.is_in(last, pa.array(["UTC", "GMT"])))))
    if not maybe.any():
        return maybe
    some = text if maybe.all() else text[maybe]
    found = np.array(some.str.contains(_OFFSET_CLOCK, regex=True).fillna(False), dtype=bool)
    dots = ~found & np.array(some.str.contains(".", regex=False).fillna(False), dtype=bool)
    if dots.any():  # Oracle's clock: only where the first pattern failed
        found[dots] = some[dots].str.contains(_OFFSET_DOTS, regex=True).fillna(False).to_numpy(
            dtype=bool)
    maybe[maybe] = found
    return maybe


def _without_offsets(text: pd.Series) -> pd.Series:
    """``text`` with the UTC offset after each time of day taken off (the local time)."""
    aware = _aware(text)
    if not aware.any():
        return text
    text = text.copy()
    text[aware] = _local_part(text[aware])[0]
    return text


def _respelt(value: str) -> str:
    """One value in the spelling the layouts read (see :func:`_respell`): 上午/下午 as a
    24-hour clock, no weekday, single spaces, the offset as '+08:00'."""
    value = _WEEKDAY_AT.sub("", " ".join(value.split()))

    def clock(m: re.Match[str]) -> str:
        word, hour, rest = (m[1], m[2], m[3]) if m[1] else (m[6], m[4], m[5])
        h = int(hour)
        if word == "晚上" and h == 12:  # midnight, but of which day: left unread
            return m[0]
        if h <= 12:  # 下午1:04 is 13:04, 上午12:03 is 00:03; a 24-hour clock stays
            h = h % 12 + (12 if _MERIDIEM[word] else 0)
        return f"{h:02d}{rest}"

    value = _MERIDIEM_AT.sub(clock, value)

    def offset(m: re.Match[str]) -> str:
        if m[1]:  # Go's '+0000 UTC': the offset is there; the word repeats it
            return m[1]
        if m[2]:
            return f"{m[2]}{int(m[3]):02d}:{m[4] or '00'}"
        return "+00:00"

    return _ZONE_AT.sub(offset, value)


def _arrow(text: pd.Series) -> pa.Array:
    """The Arrow array of a text column (without a copy where it is Arrow-backed)."""
    arr = pa.array(text.array) if hasattr(text.array, "__arrow_array__") else pa.array(
        text.astype(object), type=pa.large_string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _marks(found: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _needs_respelling(text: pd.Series) -> npt.NDArray[np.bool_]:
    """The values that may be in a spelling :func:`_respelt` rewrites: a character beyond
    ASCII, a run of spaces, 'utc' or 'gmt' in any case, or a leading weekday. Arrow's plain
    substring tests, so that a column of ISO times, 'Z', offsets or AM/PM pays next to
    nothing for them."""
    import pyarrow.compute as pc

    arr = _arrow(text)
    lead = pc.utf8_lower(pc.utf8_slice_codeunits(arr, 0, 3))
    found = pc.or_(pc.or_(pc.invert(pc.string_is_ascii(arr)), pc.match_substring(arr, "  ")),
                   pc.or_(pc.or_(pc.match_substring(arr, "utc", ignore_case=True),
                                 pc.match_substring(arr, "gmt", ignore_case=True)),
                          pc.is_in(lead, pa.array(_WEEKDAYS))))
    return _marks(found)


def _respell(text: pd.Series) -> pd.Series:
    """``text`` with the values in spellings no layout reads respelt: a Chinese
    spreadsheet's 上午/下午 ('2019/1/2 下午1:04:00'), a leading weekday (RFC 1123's 'Wed, 02
    Jan 2019 15:04:00 GMT', JavaScript's 'Wed Jan 02 2019 15:04:00 GMT+0800 (China Standard
    Time)'), runs of spaces (SQL Server's 'Jan  2 2019  3:04PM'), and an offset as a word in
    any case ('utc', 'GMT+8', 'UTC+08:00', Go's '+0000 UTC')."""
    odd = _needs_respelling(text)
    if not odd.any():
        return text
    import pyarrow.compute as pc

    # the word alone after the clock (BigQuery's '2019-01-01 00:03:00 UTC'), at column speed
    arr = _arrow(text)
    word = pc.is_in(pc.utf8_upper(pc.utf8_slice_codeunits(arr, -3, 1 << 30)),
                    pa.array(["UTC", "GMT"]))
    clock = pc.utf8_rtrim_whitespace(pc.utf8_slice_codeunits(arr, 0, -3))
    plain = pc.and_(word, pc.and_(  # '…:03:00 UTC', not Go's '+0000 UTC' nor '… PM UTC'
        pc.equal(pc.utf8_slice_codeunits(clock, -3, -2), ":"),
        pc.utf8_is_digit(pc.utf8_slice_codeunits(clock, -2, 1 << 30))))
    if pc.any(plain).as_py():
        arr = pc.if_else(plain, pc.binary_join_element_wise(
            clock, pa.scalar("+00:00", arr.type), pa.scalar("", arr.type)), arr)
        text = pd.Series(pd.arrays.ArrowStringArray(arr), index=text.index, name=text.name)
    else:
        text = text.copy()
    rest = np.flatnonzero(odd)
    rest = rest[_needs_respelling(text.iloc[rest])]
    if len(rest):
        text.iloc[rest] = [_respelt(v) for v in text.iloc[rest]]
    return text


def _local_part(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Values that end in a UTC offset, split: the local time as written, and the offset in
    minutes east of Greenwich."""
    parts = text.str.extract(_OFFSET_PART)
    sign = parts[1].map({"+": 1.0, "-": -1.0}).astype(float).fillna(0.0)
    minutes = sign * (pd.to_numeric(parts[2]).fillna(0) * 60 + pd.to_numeric(parts[3]).fillna(0))
    return parts[0].astype("string"), minutes


def _zone_names(zone: str, coarse: bool = False) -> dict[str, bool]:
    """The abbreviations ``zone`` has used since 1990, each with whether it names daylight-
    saving time ('CST': False and 'CDT': True for America/Chicago; 'CST' for Asia/Shanghai);
    numeric ones ('+08') are left out. ``coarse``: looked up in January and July of every
    fifth year only."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    z = ZoneInfo(zone)
    years = range(EPOCH_FROM.year, _epoch_until().year + 1, 5 if coarse else 1)
    names: dict[str, bool] = {}
    for y in years:
        for m in (1, 7) if coarse else range(1, 13):
            t = dt.datetime(y, m, 15, 12, tzinfo=z)
            name = t.tzname()
            if name and name.isalpha():
                names[name] = bool(t.dst())
    return names


@dataclass(frozen=True)
class _Times:
    time: npt.NDArray[np.datetime64]  # datetime64[s], local time; NaT where unusable
    layout: str
    gap: npt.NDArray[np.bool_]  # local times that do not exist in the source zone
    fold: npt.NDArray[np.bool_]  # local times that occur twice in the source zone (read as
    # the first of the two instants, and noted)
    coarse: npt.NDArray[np.bool_]  # a month or a year without its day ("2019-01")
    # a zone abbreviation the zone does not use (or no zone named), and the rule that says so
    abbreviated: npt.NDArray[np.bool_]
    abbreviation_rule: str


def zone_check(option: str, name: str) -> None:
    """Refuse a time-zone name pandas cannot use, naming the option."""
    try:
        pd.Timestamp("2000-01-01").tz_localize(name)
    except (LookupError, ValueError, TypeError, AttributeError):
        raise IngestError(
            f"{option} '{name}' is not a time zone; give an IANA name such as Asia/Shanghai, "
            "America/Chicago or UTC") from None


_END_OF_DAY = r"([ T])24:00((?::00(?:\.0+)?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)?)$"


def _clock_only(text: pd.Series) -> npt.NDArray[np.bool_]:
    """The values that are a time of day alone (:data:`CLOCK_ONLY`), in Arrow's regular
    expressions: a column of date-times pays 0.04 s a million values for it, not pandas' 0.3."""
    import pyarrow.compute as pc

    return _marks(pc.match_substring_regex(_arrow(text), f"^(?:{CLOCK_ONLY})$"))


def _parse_times(
    values: pd.Series, fmt: str | None, tz: str | None, source_tz: str | None
) -> _Times:
    """:func:`_read_times`, with a day's end written '24:00' (NYPD's CMPLNT_FR_TM '24:00:00',
    as ISO 8601 allows) read as the next day's 00:00."""
    import pyarrow.compute as pc

    text = values.astype("string").str.strip()
    # a time of day alone ('06:00:00') is no incident's time: pandas would date it today
    short = _clock_only(text)
    if short.any():
        text = text.mask(short)
        values = text
    end = _marks(pc.match_substring_regex(_arrow(text), _END_OF_DAY))
    if not end.any():
        return _read_times(values, fmt, tz, source_tz)
    times = _read_times(text.str.replace(_END_OF_DAY, r"\g<1>00:00\g<2>", regex=True), fmt, tz,
                        source_tz)
    read = end & ~np.isnat(times.time)
    times.time[read] += np.timedelta64(1, "D")
    return times


def _gap_named(local: pd.Series, summer: npt.NDArray[np.int8], tz: str) -> pd.Series:
    """Local times in the hour ``tz``'s clocks skip, each written with its zone's name
    (``summer``: 1 a daylight-saving name, 0 a standard one), as the clock reads the instant
    they name: a standard time is the offset before the change (PEP 495's ``fold=0`` in a
    gap), a daylight-saving one the offset after. A few rows a year: one by one."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    z = ZoneInfo(tz)
    out = [pd.Timestamp(t.to_pydatetime().replace(tzinfo=z, fold=int(s == 1)).astimezone(UTC)
                        .astimezone(z).replace(tzinfo=None))
           for t, s in zip(local, summer.tolist(), strict=True)]
    return pd.Series(out, index=local.index, dtype=local.dtype)


def _read_times(
    values: pd.Series, fmt: str | None, tz: str | None, source_tz: str | None
) -> _Times:
    """Local times in ``tz``. A value with a UTC offset is an instant, converted to ``tz``;
    a value without one is a local time in ``source_tz`` (converted to ``tz``) or, with no
    ``source_tz``, in ``tz`` itself (kept as written). Each value is judged on its own, so a
    column may mix offsets, and values with and without one."""
    text = values.astype("string").str.strip()
    n = len(text)
    abbreviated, abbreviation_rule = np.zeros(n, dtype=bool), ""
    summer = np.full(n, -1, dtype=np.int8)  # 1: a daylight-saving name, 0: standard, -1: none
    if fmt is not None and "%p" in fmt:  # a given layout's %p reads Chinese 上午/下午 too
        text = text.str.replace(_MERIDIEM_WORDS, lambda m: "PM" if _MERIDIEM[m[0]] else "AM",
                                regex=True)
    if fmt is None:  # a layout given reads the values as written ('%Y-%m-%d %H:%M:%S UTC')
        text = _respell(text)
        text, abbreviated, abbreviation_rule, summer = _abbreviations(text, source_tz or tz)
    layout = fmt or guess_time_format(text) or "ISO8601"
    if layout in EPOCH_LAYOUTS:
        if source_tz is not None:
            raise IngestError("--source-tz applies to times written without a UTC offset; "
                              f"these are Unix times ({layout}), instants in UTC")
        return _epoch_times(text, layout, tz)
    aware = _aware(text)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    gap = np.zeros(n, dtype=bool)
    fold = np.zeros(n, dtype=bool)

    # values with an offset are exact instants (read as UTC); the others are local times
    groups = [(np.flatnonzero(aware), True), (np.flatnonzero(~aware), False)]
    if layout == SERIAL:  # numbers: local times, none with an offset
        read = [pd.Series(pd.NaT, index=text.index[:0], dtype="datetime64[ns, UTC]"),
                _serial_values(text)]
    else:
        read = [pd.to_datetime(text.iloc[idx], format=layout, errors="coerce", utc=utc)
                for idx, utc in groups]
        if fmt is None and layout != "ISO8601" and len(groups[0][0]):
            # a guessed layout reads the local time; the offset after it is applied here
            local, minutes = _local_part(text.iloc[groups[0][0]])
            wall = pd.to_datetime(local, format=layout, errors="coerce")
            read[0] = (wall - pd.to_timedelta(minutes, unit="min")).dt.tz_localize("UTC")
    if fmt is None and layout != SERIAL and any(r.notna().any() for r in read):
        # a few values in other layouts: those one by one (not when no value fits the layout:
        # then the column is in no layout we know, and guessing value by value could swap
        # days and months)
        read = [_others(r, text.iloc[idx], utc) for r, (idx, utc) in zip(read, groups,
                                                                          strict=True)]
    (idx, _), inst = groups[0], read[0]
    if inst.notna().any():
        if tz is None:
            raise IngestError(
                "the times carry a UTC offset; name the jurisdiction's time zone with --tz "
                "(e.g. Asia/Shanghai) so they become local times")
        out[idx] = _seconds(inst.dt.tz_convert(tz).dt.tz_localize(None))
    (idx, _), local = groups[1], read[1]
    if source_tz is None and tz is not None and len(idx):
        # local times on the jurisdiction's own clock, kept as written; one in the hour the
        # clocks skip never happened on it (a review: '2019-03-10 02:30' in Chicago was kept
        # in a slot every forecast of that day holds empty). One in the hour they repeat is
        # kept: its day and hour are the same whichever of the two it was
        placed = local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        lost = np.flatnonzero(placed.isna().to_numpy() & local.notna().to_numpy())
        if len(lost):
            once = local.iloc[lost].dt.tz_localize(
                tz, ambiguous=np.ones(len(lost), dtype=bool), nonexistent="NaT")
            skipped = lost[once.isna().to_numpy()]
            # but a date without its time (00:00) stays on its date where the clocks go
            # forward at midnight (São Paulo, Santiago, Havana, Beirut: a review found such a
            # record's every incident of that day listed)
            skipped = skipped[~_at_midnight(local.iloc[skipped])]
            local = local.copy()
            # but a zone's name says which offset it was written in: '02:30 CST' on the
            # spring day is 08:30 UTC, 03:30 on the clock (a review found it listed as a
            # gap; '02:30-06:00' was kept as 03:30)
            told = summer[idx[skipped]] >= 0
            if told.any():
                local.iloc[skipped[told]] = _gap_named(local.iloc[skipped[told]],
                                                       summer[idx[skipped[told]]], tz)
                skipped = skipped[~told]
            gap[idx[skipped]] = True
            local.iloc[skipped] = pd.NaT
    if source_tz is not None and len(idx):
        assert tz is not None  # checked by ingest
        placed = local.dt.tz_localize(source_tz, ambiguous="NaT", nonexistent="NaT")
        lost = np.flatnonzero(placed.isna().to_numpy() & local.notna().to_numpy())
        if len(lost):  # which of them fall in a gap (the others are in a fold)
            once = local.iloc[lost].dt.tz_localize(
                source_tz, ambiguous=np.ones(len(lost), dtype=bool), nonexistent="NaT")
            in_gap = once.isna().to_numpy()
            # a date without its time where the clocks go forward at midnight: the day's
            # first instant
            day = in_gap & _at_midnight(local.iloc[lost])
            if day.any():
                placed.iloc[lost[day]] = local.iloc[lost[day]].dt.tz_localize(
                    source_tz, nonexistent="shift_forward")
            # in a fold, an abbreviation tells which hour: CDT the first, CST the second; one
            # without a name is read as the first of the two instants, and counted for the
            # report's note, as the scenario loader reads it (a review: ingest refused it
            # where a scenario's plan counted it)
            folded = ~in_gap
            if folded.any():
                placed.iloc[lost[folded]] = local.iloc[lost[folded]].dt.tz_localize(
                    source_tz, ambiguous=summer[idx[lost[folded]]] != 0)
            # a gap time with its zone's name is the instant the name gives, as on the
            # jurisdiction's own clock (a review: '02:30 CDT' kept with --tz, listed with
            # --source-tz)
            named = in_gap & ~day & (summer[idx[lost]] >= 0)
            if named.any():
                placed.iloc[lost[named]] = _gap_named(
                    local.iloc[lost[named]], summer[idx[lost[named]]], source_tz
                ).dt.tz_localize(source_tz)
            gap[idx[lost[in_gap & ~day & ~named]]] = True
            fold[idx[lost[folded & (summer[idx[lost]] < 0)]]] = True
        local = placed.dt.tz_convert(tz).dt.tz_localize(None)
    out[idx] = _seconds(local)
    # "2019-01" reads as 2019-01-01 in ISO 8601 (the UK's police data give only the month):
    # a whole month's incidents on its first day is no day's record
    coarse = np.zeros(n, dtype=bool)
    if fmt is None:  # a layout given (say %H%M: '2230') reads its values as written
        coarse = text.str.fullmatch(COARSE).fillna(False).to_numpy(dtype=bool)
        out[coarse] = np.datetime64("NaT")
    return _Times(out, layout, gap, fold, coarse, abbreviated, abbreviation_rule)


@functools.cache
def _zone_abbreviations() -> frozenset[str]:
    """The alphabetic abbreviations time zones have used since 1990."""
    from zoneinfo import available_timezones

    return frozenset().union(*(_zone_names(z, coarse=True) for z in available_timezones()))


def _abbreviations(text: pd.Series, zone: str | None
                   ) -> tuple[pd.Series, npt.NDArray[np.bool_], str, npt.NDArray[np.int8]]:
    """``text`` without the zone abbreviations ``zone`` uses ('2019-01-01 00:03:00 CST' with
    America/Chicago or Asia/Shanghai), or any after an offset (Go's '+0800 CST': the offset
    decides); values ending in any other abbreviation (or in any, with no zone named) are
    set to nothing and marked, with the rule that lists them; and for each value whether
    its abbreviation names daylight-saving time (1), standard time (0) or is none (-1)."""
    import pyarrow.compute as pc

    summer = np.full(len(text), -1, dtype=np.int8)
    tail = pc.utf8_slice_codeunits(_arrow(text), -3, 1 << 30)
    has = _marks(pc.and_(pc.ascii_is_alpha(tail), pc.ascii_is_upper(tail)))
    if not has.any():
        return text, has, "", summer
    found = pd.Series(pd.NA, index=text.index, dtype="string")
    found[has] = text[has].str.extract(_ABBREVIATION)[0]
    found = found.where(found.isin(_zone_abbreviations()))
    has = found.notna().to_numpy(dtype=bool)
    if not has.any():
        return text, has, "", summer
    names = _zone_names(zone) if zone is not None else {}
    text = text.copy()
    text[has] = text[has].str.replace(r"\s+[A-Z]{3,5}$", "", regex=True)
    used = has & found.isin(list(names)).to_numpy(dtype=bool)
    summer[used] = found[used].map(names).to_numpy(dtype=np.int8)
    used[has] |= _aware(text[has])  # after an offset, whatever the name: the offset decides
    odd = has & ~used
    if not odd.any():
        return text, odd, "", summer
    listed = ", ".join(sorted(set(found[odd]))[:5])
    rule = (ABBREVIATION_RULE.format(names=listed) if zone is None else
            f"time ends in a zone abbreviation ({listed}) that {zone} does not use "
            f"(it uses {', '.join(sorted(names)) or 'none'}); name the zone of the times "
            "with --source-tz")
    text[odd] = pd.NA
    return text, odd, rule, summer


def _epoch_times(text: pd.Series, layout: str, tz: str | None) -> _Times:
    """Unix times: instants in UTC, converted to local times in ``tz``; or, when they are
    dates stored as midnight UTC, those dates."""
    inst = _epoch_values(text, layout)
    utc = _seconds(inst.dt.tz_localize(None))
    at_midnight = ~np.isnat(utc) & (utc == utc.astype("datetime64[D]"))
    given = int((~np.isnat(utc)).sum())
    # dates without times, stored as midnight UTC (as ArcGIS keeps a date field): the date
    # is the day itself, not an instant; west of Greenwich it would become 18:00 or 19:00 of
    # the day before. Only a column of them says so: one value at midnight UTC may be an
    # instant like any other (an upload of one report at 08:00 in Beijing)
    dates = given >= DATES_MIN and at_midnight.sum() >= DATES_ONLY * given
    none = np.zeros(len(text), dtype=bool)
    if dates and at_midnight.sum() == given:  # no time zone needed
        return _Times(utc, layout, none, none.copy(), none.copy(), none.copy(), "")
    if tz is None:
        raise IngestError(
            f"the times are Unix times ({layout}: instants in UTC); name the jurisdiction's "
            "time zone with --tz (e.g. America/Chicago) so they become local times")
    local = _seconds(inst.dt.tz_convert(tz).dt.tz_localize(None))
    if dates:  # the dates as they are; the odd instant among them converted
        local[at_midnight] = utc[at_midnight]
    return _Times(local, layout, none, none.copy(), none.copy(), none.copy(), "")


def _others(parsed: pd.Series, text: pd.Series, utc: bool) -> pd.Series:
    """``parsed``, with the values that did not fit the layout read in any layout: naive
    (``utc=False``) or as UTC instants (``utc=True``)."""
    bad = (parsed.isna() & text.notna()).to_numpy()
    if not bad.any():
        return parsed
    rest = text[bad]
    try:
        again = pd.to_datetime(rest, format="mixed", errors="coerce", utc=utc)
        if not utc and getattr(again.dt, "tz", None) is not None:
            raise ValueError("a time-zone name the offset test did not see")
    except ValueError:  # zone names among values taken as naive: those are not usable
        return parsed
    # a value without its year ('13 JAN') is read as the year 1: no incident's time
    again = again.where(again.dt.year >= 1900)
    out = parsed.copy()
    out[bad] = again
    return out


def _seconds(parsed: pd.Series) -> npt.NDArray[np.datetime64]:
    return np.asarray(parsed.to_numpy(dtype="datetime64[s]"), dtype="datetime64[s]")


#: a priority as records systems write it in words: 一级, 1级, Ⅱ级, II类, P1, level 3, 第2级
PRIORITY_WORDS = re.compile(
    r"^(?:p|priority|level|第)?\s*(\d+|[一二三四五六七八九十]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|[ivx]+)\s*(?:级|类|等)?$",
    re.IGNORECASE)
_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_ROMAN = {**{c: i for i, c in enumerate("ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ", start=1)},
          **{r: i for i, r in enumerate(("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix",
                                         "x"), start=1)}}


#: a priority as English and German records systems write it, on the scale of 1 (the
#: most urgent) to 3: high/hoch is 1 as 一级 is (an audit: a Munich file's hoch, mittel,
#: niedrig gave every row of it a "not a whole number" line). Chinese 110 records grade a
#: call by its urgency: 特急/紧急 (urgent) as 1, 加急/较急 as 2, 一般/普通 (ordinary) as 3, and
#: urgent/emergency as 1 (an audit: 紧急 and 一般 were no priority)
PRIORITY_LEVELS = {
    **dict.fromkeys(("high", "hoch", "高", "特急", "紧急", "urgent", "emergency"), 1.0),
    **dict.fromkeys(("medium", "med", "mittel", "中", "加急", "较急"), 2.0),
    **dict.fromkeys(("low", "niedrig", "gering", "低", "一般", "普通"), 3.0),
}


def _priority_words(text: pd.Series) -> FloatArray:
    """Priorities written in words (:data:`PRIORITY_WORDS`, :data:`PRIORITY_LEVELS`) as
    numbers, NaN where a value is no such word: "一级" is priority 1, as "1" and "high"
    are (a review: 一级 was kept as 0, none)."""
    def one(v: object) -> float:
        if isinstance(v, str) and (level := PRIORITY_LEVELS.get(v.strip().lower())):
            return level
        m = PRIORITY_WORDS.match(str(v)) if isinstance(v, str) else None
        if m is None:
            return math.nan
        d = m.group(1)
        d = d.lower() if d.isascii() else d  # "Ⅲ".lower() is "ⅲ", another character
        return float(d) if d.isdigit() else float(_CN_DIGITS.get(d) or _ROMAN.get(d) or math.nan)
    return np.array([one(v) for v in text.to_numpy(dtype=object, na_value=None)],
                    dtype=np.float64)


# numbers with their thousands grouped, as spreadsheets of other locales export them: read
# where the marks say which is the decimal one (an audit: Munich's 5.640.551,90 was not read,
# every row set aside). A space, a no-break space (U+00A0) or a narrow one (U+202F, French
# and Swiss exports) between groups of three digits; dots between groups before a decimal
# comma, or two or more of them ("1.234.567"); commas so before a decimal point ("1,234.5")
_GROUP_SPACES = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?$")
_SPACES = "[ \u00a0\u202f\u2009]"
_DOT_GROUPS = r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$"  # 1.234.567,89 / 1.234,5 / 1.234
_DOT_GROUPS_SURE = r"^[+-]?\d{1,3}(?:(?:\.\d{3})+,\d+|(?:\.\d{3}){2,})$"
_COMMA_GROUPS_SURE = r"^[+-]?\d{1,3}(?:(?:,\d{3})+\.\d+|(?:,\d{3}){2,})$"
NUMBER_FORMAT_RULE = ("number format not understood (not 1234.5, 1234,5, 1.234.567,89, "
                      "1,234,567.89 nor 1 234 567,89)")


def _numbers(values: pd.Series, decimal_comma: bool = False) -> FloatArray:
    """A column's numbers (NaN where a value is none). A decimal comma ("45,52") is read in a
    table that writes its decimals so (``decimal_comma``); thousands marks wherever the
    value's marks leave no doubt (see :data:`_DOT_GROUPS_SURE`), and a column that writes one
    so ("5.640.551,90") has every dot of its other numbers read as one too ("640.551")."""
    text = values.astype("string").str.strip()
    if decimal_comma:  # "45,52" → 45.52
        text = text.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    out = np.asarray(pd.to_numeric(text, errors="coerce").to_numpy(dtype=float,
                                                                   na_value=np.nan),
                     dtype=np.float64)
    unread = np.isnan(out) & text.notna().to_numpy(dtype=bool) & (text != "").to_numpy(
        dtype=bool, na_value=False)
    if not unread.any():
        return out
    # only the values the plain reading left (a column of a million rows is read above)
    rest = text[unread]
    rest = rest.where(~rest.str.match(_GROUP_SPACES, na=False),
                      rest.str.replace(_SPACES, "", regex=True))
    dots = rest.str.match(_DOT_GROUPS_SURE, na=False).to_numpy(dtype=bool)
    commas = rest.str.match(_COMMA_GROUPS_SURE, na=False).to_numpy(dtype=bool)
    spaced = rest.str.match(r"^[+-]?\d+,\d+$", na=False).to_numpy(dtype=bool) & (
        text[unread] != rest).to_numpy(dtype=bool)  # "1 234,5": the comma is the decimal
    fixed = rest.copy()
    european = dots | spaced
    fixed[european] = (rest[european].str.replace(".", "", regex=False)
                       .str.replace(",", ".", regex=False))
    fixed[commas] = rest[commas].str.replace(",", "", regex=False)
    out[unread] = pd.to_numeric(fixed, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if dots.any():  # this column groups with dots: "640.551" is 640551, not 640.551
        grouped = (~unread & text.str.match(_DOT_GROUPS, na=False).to_numpy(dtype=bool)
                   & text.str.contains(".", regex=False, na=False).to_numpy(dtype=bool))
        if grouped.any():
            out[grouped] = pd.to_numeric(text[grouped].str.replace(".", "", regex=False),
                                         errors="coerce").to_numpy(dtype=float,
                                                                    na_value=np.nan)
    return out


def _number_like(values: pd.Series) -> npt.NDArray[np.bool_]:
    """The values that are digits with marks between them, as a number in some locale's
    format is written ("5.640.551.90", "1'234,5"), though :func:`_numbers` cannot read them."""
    like = values.astype("string").str.strip().str.fullmatch(
        r"[+-]?\d[\d.,' \u00a0\u202f\u2009]*\d", na=False)
    return np.asarray(like.to_numpy(dtype=bool), dtype=bool)


P = ParamSpec("P")
# errors of an option's own value, said before any file is read: about no file (the web's
# import form words them as its fields' and matches their start)
OPTION_ERRORS = ("--coords must be", "--tz '", "--source-tz '", "--source-tz needs",
                 "--far-km must", "--far-km is for")


def _naming_the_file(fn: Callable[P, Ingested]) -> Callable[P, Ingested]:
    """``fn`` (:func:`ingest`) whose errors name the file read (its path, or ``DataFrame``)
    where their message does not: an audit found "--crs EPSG:32650 is projected …" said
    without it, as the checks of coordinates, options and CRSs each word their own."""
    @functools.wraps(fn)
    def named(*args: P.args, **kwargs: P.kwargs) -> Ingested:
        try:
            return fn(*args, **kwargs)
        except IngestError as exc:
            path = args[0] if args else kwargs.get("path")
            name = (FRAME_NAME if isinstance(path, pd.DataFrame)
                    else str(path) if isinstance(path, (str, Path)) else None)
            said = str(exc)
            if (name is not None and name not in said and Path(name).name not in said
                    and not said.startswith(OPTION_ERRORS)):
                exc.args = (f"{name}: {said}", *exc.args[1:])
            raise
    return named


@_naming_the_file
def ingest(
    path: Path | str | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    crs: str | None = None,
    target_crs: str | None = None,
    coords: str = "wgs84",
    time_format: str | None = None,
    tz: str | None = None,
    source_tz: str | None = None,
    jurisdiction: shapely.Geometry | None = None,
    keep_duplicates: bool = False,
    layer: str | None = None,
    far_km: float | None = None,
    default_crs: str | None = None,
) -> Ingested:
    """Read, check, convert and project one incident file.

    ``crs`` is the CRS of x/y columns (lon/lat columns are WGS84, or ``coords`` gcj02/bd09);
    ``target_crs`` the metric CRS of the result (default: the local UTM zone of the data);
    ``jurisdiction`` a polygon in ``target_crs`` outside which rows are rejected; without
    one, rows farther than ``far_km`` from the middle of the incidents are (default: see
    :data:`FAR_MIN_M`; 0 keeps them all), and a file whose incidents spread as wide as a
    province's is said so in a note, one wider than the United States' refused unless
    ``far_km`` is given (:data:`SPREAD_MAX_M`). A coordinate
    column mapped beside its partner found by name must be of its kind (see
    :func:`_check_kinds`). ``default_crs``: the CRS of x/y columns where
    neither ``crs`` nor the file gives one (a scenario's, for ``intel ingest --scenario``),
    said in the report's notes.

    ``path`` may be a pandas DataFrame already in memory (a notebook's, a database query's):
    it is read as a file of the same columns would be, each value as its text (a datetime
    column as ``2019-01-01 08:30:00``, with its UTC offset where it has a time zone); rows are
    listed by the frame's index labels (see :func:`frame_table`).
    """
    frame = path if isinstance(path, pd.DataFrame) else None
    if frame is None and not isinstance(path, (str, Path)):
        raise IngestError(f"ingest reads a file (its path) or a pandas DataFrame, got a "
                          f"{type(path).__name__}" + (": pd.DataFrame(...) or .to_frame() "
                                                      "makes one" if isinstance(
                                                          path, (pd.Series, dict)) else ""))
    if frame is not None and columns:  # a frame's labels may be numbers: read as their text
        columns = {k: str(v) for k, v in columns.items()}
    path = Path(FRAME_NAME) if frame is not None else Path(path)
    if coords not in COORDS:
        raise IngestError(f"--coords must be one of {', '.join(COORDS)}, got '{coords}'")
    if tz is not None:
        zone_check("--tz", tz)
    if source_tz is not None:
        zone_check("--source-tz", source_tz)
        if tz is None:
            raise IngestError("--source-tz needs --tz, the jurisdiction's time zone")
        if same_zone(source_tz, tz):
            # the times are on the jurisdiction's own clock: as without --source-tz (a review:
            # the repeated autumn hour's times were set aside as ambiguous, though their day
            # and hour are the same whichever of the two hours they were)
            source_tz = None
    if frame is not None and layer is not None:
        raise IngestError(f"--layer {layer!r}: a DataFrame has no layers or sheets")
    raw = read_table(path, layer=layer) if frame is None else frame_table(frame)
    df, encoding, gis_crs, rownum = raw.df, raw.encoding, raw.crs, raw.rownum
    n = len(df)
    if raw.rows == 0:
        raise IngestError(f"{path}: the table has a header but no rows")
    if n == 0:
        first = raw.problems[0]
        raise IngestError(f"{path}: no row has as many fields as the header; row {first.row} "
                          f"has {first.value}")
    mapping_notes: list[str] = []
    m = _mapping(df, columns or {}, path, time_format, crs, mapping_notes)
    if "time" not in m:
        raise IngestError(
            f"{path}: no time column; map one with --columns time=COLUMN "
            f"(columns: {_listed(df.columns)}){_empty_aliases(df, ('time',))}")
    rej = _Rejects(rownum)
    rej.add_problems(raw.problems)  # rows of the wrong width: not in the table at all
    bad = np.zeros(n, dtype=bool)

    # time
    raw_time = df[m["time"]]
    comma = raw.decimal_comma
    times = _parse_times(_serials_with_points(raw_time) if comma else raw_time, time_format,
                         tz, source_tz)
    t, layout = times.time, times.layout
    tbad = np.isnat(t)
    abbreviated = times.abbreviated
    if tbad.any():
        rows = np.flatnonzero(tbad)
        missing = raw_time.isna().to_numpy()[rows]
        dated = np.zeros(len(rows), dtype=bool)  # DATE+TIME: the date given, the time not
        parts = [c.strip() for c in m["time"].split("+")]
        if len(parts) > 1 and all(c in df.columns for c in parts):
            dated = missing & df[parts[0]].astype("string").str.strip().fillna("").ne(
                "").to_numpy(dtype=bool)[rows]
        rej.add("time missing", m["time"], rows[missing & ~dated],
                [None] * int((missing & ~dated).sum()))
        shown = [df[c].astype("string").fillna("").to_numpy(dtype=object)[rows[dated]]
                 for c in parts] if dated.any() else []
        rej.add(NO_CLOCK_RULE, m["time"], rows[dated],
                [" + ".join(v) for v in zip(*shown, strict=True)] if dated.any() else [])
        # a spreadsheet's day 0 in a column of serial dates ('0', '0.0'): Excel's 1899-12-30,
        # the date left empty, not a time of day (an audit: '0' was called a time without
        # its date, '0.0' not a date-time)
        text = raw_time.take(rows).astype("string").str.strip()
        zero = ~missing & (layout == SERIAL) & text.str.fullmatch(r"0+(?:[.,]0*)?").fillna(
            False).to_numpy(dtype=bool)
        rej.add(PLACEHOLDER_RULE, m["time"], rows[zero], raw_time.to_numpy()[rows[zero]])
        # a time of day alone ('06:00:00', a spreadsheet's '0.25'): the date is elsewhere
        clock = ~missing & ~zero & _clock_only(text)
        rej.add(CLOCK_ONLY_RULE, m["time"], rows[clock], raw_time.to_numpy()[rows[clock]])
        for rule, mask in ((GAP.format(zone=source_tz or tz), times.gap[rows]),
                           (COARSE_RULE, times.coarse[rows] & ~clock & ~zero),
                           (times.abbreviation_rule, abbreviated[rows])):
            rej.add(rule, m["time"], rows[mask], raw_time.to_numpy()[rows[mask]])
        rest = (~missing & ~times.gap[rows] & ~times.coarse[rows]
                & ~abbreviated[rows] & ~clock & ~zero)
        rule = f"time not in format {time_format}" if time_format else "time not a date-time"
        # columns joined (DATE+TIME, DAY+MONTH+YEAR…) whose layout is not read: how to say it
        if not time_format and "+" in m["time"] and 2 * int(rest.sum()) > n:
            rule += JOINED_HINT
        rej.add(rule, m["time"], rows[rest], raw_time.to_numpy()[rows[rest]])
    bad |= tbad
    # a null date as exports write an empty one (an audit: '1900/1/1 0:00' was kept as a
    # time): listed as no time, before the year's check would call it a typo
    null_date = ~bad & (np.isin(t, PLACEHOLDER_TIMES) | _epoch_zero(t))
    rows = np.flatnonzero(null_date)
    rej.add(PLACEHOLDER_RULE, m["time"], rows, raw_time.to_numpy()[rows])
    bad |= null_date
    # a year no incident record holds: a typo ('1019', '2109'). Listed, not kept: one such
    # row would stretch the record by centuries and its last day would end every default
    # test period
    lo, hi = np.datetime64(TIMES_FROM, "s"), np.datetime64(_epoch_until().tz_localize(None), "s")
    odd_year = ~bad & ((t < lo) | (t > hi))
    rows = np.flatnonzero(odd_year)
    rej.add(YEAR_RULE.format(until=str(hi)[:10]), m["time"], rows,
            raw_time.to_numpy()[rows])
    bad |= odd_year

    # coordinates
    before = Counter(rej.counts)  # what the coordinates reject, for the message if all are
    named = "--crs"
    if (crs is None and gis_crs is None and default_crs is not None and "x" in m
            and "y" in m and not ("lon" in m and "lat" in m)):
        crs, named = default_crs, "the scenario's crs"
        mapping_notes.append(f"x/y read in {default_crs} (the scenario's crs): no --crs "
                             "given, and the file declares none")
    given_fields = set(columns or {})
    guessed = (frozenset() if given_fields & set(POINT_FIELDS) else
               frozenset(k for k in ("lon", "lat", "x", "y") if k in m) - given_fields)
    src_crs, lonlat, xname, yname = _coordinate_columns(df, m, crs, gis_crs, coords, path,
                                                        comma, named, guessed)
    if "__x" in df.columns and xname == "__x":
        xs, ys = df["__x"].to_numpy(dtype=float), df["__y"].to_numpy(dtype=float)
        if raw.geometry is not None:  # each feature that is no point, under its own rule
            _geometry_problems(rej, raw.geometry, bad)
            bad |= pd.notna(raw.geometry)
    else:
        xs, ys = _numbers(df[xname], comma), _numbers(df[yname], comma)
    cbad = ~(np.isfinite(xs) & np.isfinite(ys))
    # a rule that shows a row's position names both its columns and gives the file's own
    # values: not degrees converted from GCJ-02, nor the metres they project to (a review:
    # "lon, outside the jurisdiction, 344601.6, 3242285.8" for 103.40, 29.30 in the file)
    both = "geometry" if xname == "__x" else f"{xname} and {yname}"
    fx, fy = (xs.copy(), ys.copy()) if lonlat and coords != "wgs84" else (xs, ys)

    def as_written(rows: IntArray) -> list[str]:
        if xname in df.columns and yname in df.columns:  # the cells ("379864", not 379864.0)
            a, b = (df[c].take(rows).astype("string").str.strip().fillna("")
                    .to_numpy(dtype=object) for c in (xname, yname))
            return [f"{u}, {v}" for u, v in zip(a, b, strict=True)]
        return [f"{a}, {b}" for a, b in zip(fx[rows], fy[rows], strict=True)]

    # a number written in a format not read ("5.640.551.90"): said so, in its column, not
    # taken for a missing value (an audit: German numbers were blamed on the CRS)
    unread = np.zeros(n, dtype=bool)
    for col, vals in ((xname, xs), (yname, ys)):
        odd = ~np.isfinite(vals) & ~bad & ~unread
        if col in df.columns and odd.any():
            rows = np.flatnonzero(odd)
            rows = rows[_number_like(df[col].take(rows))]
            rej.add(NUMBER_FORMAT_RULE, col, rows, df[col].to_numpy()[rows])
            unread[rows] = True
    # one line per row: the column that is missing, or both (named together)
    xmiss, ymiss = ~np.isfinite(xs), ~np.isfinite(ys)
    for names, mask in (((xname,), xmiss & ~ymiss), ((yname,), ymiss & ~xmiss),
                        ((xname, yname), xmiss & ymiss)):
        rows = np.flatnonzero(mask & ~bad & ~unread)
        if not len(rows):
            continue
        name = " and ".join(names)
        cols = [c for c in names if c in df.columns]
        texts = [df[c].take(rows).astype("string").fillna("").reset_index(drop=True)
                 for c in cols]  # only the rows listed: not the column as Python strings
        rawv: Any = [None] * len(rows)
        if texts:
            joined = texts[0] if len(texts) == 1 else texts[0] + ", " + texts[1]
            rawv = joined.to_numpy(dtype=object)
        rej.add("coordinate missing or not a number", name, rows, rawv)
    if lonlat:
        out_range = ~cbad & ((np.abs(xs) > 180) | (np.abs(ys) > 90))
        rows = np.flatnonzero(out_range & ~bad)
        rej.add("longitude must lie in [-180, 180] and latitude in [-90, 90]", both, rows,
                as_written(rows))
        cbad |= out_range
    # (0, 0) is a missing position written as zeros in any CRS: in lon/lat a point in the
    # Gulf of Guinea, in a UTM zone one on the equator far west of the zone (Vancouver's
    # suppressed X, Y)
    zero = ~cbad & (xs == 0) & (ys == 0)
    rows = np.flatnonzero(zero & ~bad)
    rej.add("coordinates (0, 0): a missing position written as zeros", both, rows,
            ["0, 0"] * len(rows))
    cbad |= zero
    if lonlat and coords != "wgs84":
        abroad = ~cbad & ~in_china(np.where(cbad, 0.0, xs), np.where(cbad, 0.0, ys))
        rows = np.flatnonzero(abroad & ~bad)
        rej.add(OUTSIDE_CHINA.format(datum=coords.upper().replace("02", "-02")
                                     .replace("09", "-09")), both, rows, as_written(rows))
        cbad |= abroad
    bad |= cbad
    ok = ~cbad
    if not ok.any():
        raise IngestError(_no_coordinates(path, xname, yname, rej.counts - before, xs, ys,
                                          lonlat))
    if lonlat:
        _check_hemisphere(path, xname, yname, xs[ok], ys[ok])
    if lonlat and coords != "wgs84":
        xs[ok], ys[ok] = to_wgs84(xs[ok], ys[ok], coords)  # type: ignore[arg-type]
    if target_crs is None:
        if lonlat:
            mlon, mlat = float(np.median(xs[ok])), float(np.median(ys[ok]))
            try:
                target_crs = utm_crs_for(mlon, mlat)
            except ValueError:
                raise IngestError(
                    f"{path}: the incidents' middle lies at longitude {mlon:.2f}, latitude "
                    f"{mlat:.2f}, where no UTM zone reaches (80°S to 84°N): are {xname} and "
                    f"{yname} the longitude and the latitude, in that order?") from None
        elif computes_in_utm(src_crs):  # feet, or a Mercator's stretched metres: not cells
            lon, lat = reproject(np.median(xs[ok])[None], np.median(ys[ok])[None], src_crs,
                                 "EPSG:4326")
            target_crs = utm_crs_for(float(lon[0]), float(lat[0]))
        else:
            target_crs = src_crs
    px, py = xs.copy(), ys.copy()
    if src_crs != target_crs:
        px[ok], py[ok] = reproject(xs[ok], ys[ok], src_crs, target_crs)
        pbad = ok & ~(np.isfinite(px) & np.isfinite(py))
        rows = np.flatnonzero(pbad & ~bad)
        rej.add(f"coordinates do not project to {target_crs}", both, rows, as_written(rows))
        bad |= pbad

    if far_km is not None and not (far_km >= 0):
        raise IngestError(f"--far-km must be 0 (keep every row) or more, got {far_km}")
    if far_km is not None and jurisdiction is not None:
        raise IngestError("--far-km is for a file without a jurisdiction: with --scenario, "
                          "rows outside its zones are listed instead")
    if jurisdiction is None:  # a bare file: no border, but a city has a size
        if far_km != 0:
            def lonlat_of(rows: IntArray) -> tuple[FloatArray, FloatArray]:
                if lonlat:  # (WGS 84 by now)
                    return xs[rows], ys[rows]
                return reproject(xs[rows], ys[rows], src_crs, "EPSG:4326")

            far, limit = _far_rows(px, py, ~bad, lonlat_of,
                                   None if far_km is None else far_km * 1000)
            rows = np.flatnonzero(far)
            rej.add((FAR_RULE if far_km is None else FAR_KM_RULE).format(km=limit / 1000),
                    both, rows, as_written(rows))
            bad |= far
        wide = _spread(px, py, ~bad)
        if wide > SPREAD_NOTE_M:
            live = np.flatnonzero(~bad)
            spans = ", ".join(
                f"{name} from {_as_written(df, col, lo_hi[0])} to "
                f"{_as_written(df, col, lo_hi[1])}" for name, col, lo_hi in (
                    ("x" if xname == "__x" else xname, xname,
                     _quantile_rows(fx, live, SPREAD_SHARE)),
                    ("y" if yname == "__y" else yname, yname,
                     _quantile_rows(fy, live, SPREAD_SHARE))))
            said = (f"the middle {SPREAD_SHARE[1] - SPREAD_SHARE[0]:.0%} of the incidents "
                    f"spread over {wide / 1000:,.0f} km ({spans})")
            if wide > SPREAD_MAX_M and far_km is None:
                raise IngestError(
                    f"{path}: {said}, more than {SPREAD_MAX_M / 1000:,.0f} km, wider than a "
                    "national file of the contiguous United States (4,252 km): check that the "
                    "coordinate columns are the longitude and the latitude (or x and y) of the "
                    "incidents, mapping "
                    "both with --columns; a file that truly spans so far is read as given with "
                    "--far-km 0 (every row kept), or --far-km KM (rows farther than KM from "
                    "the middle listed, not kept)")
            mapping_notes.append(
                f"{said}: as wide as a province's, a state's or a country's file; if the "
                "incidents are one city's, check that the coordinate columns are the "
                "longitude and the latitude (or x and y)")
    else:
        inside = np.zeros(n, dtype=bool)
        live = ~bad
        inside[live] = shapely.contains_xy(jurisdiction, px[live], py[live])
        rows = np.flatnonzero(live & ~inside)
        rej.add(OUTSIDE_RULE, both, rows, as_written(rows))
        bad |= live & ~inside

    # exact duplicates among the rows that survive: every column of the input equal
    dups = np.zeros((0, 2), dtype=np.int64)  # (data row, data row of its first copy)
    live_idx = np.flatnonzero(~bad)
    id_codes = None  # the id column's codes, from the same pass
    if len(live_idx):
        key, id_codes = _row_groups(df, m.get("id"))
        firsts = key[live_idx]  # not df.iloc[live_idx]: a copy of the table
        dmask = pd.Series(firsts).duplicated(keep="first").to_numpy()
        if dmask.any():
            # each row's first copy without a loop over the rows (one took 0.35 s of a
            # million-row ingestion): factorize numbers the groups in the order they first
            # appear, so the first rows, in order, are those of groups 0, 1, 2…
            codes, _ = pd.factorize(firsts)
            first_of = np.flatnonzero(~dmask)  # position of group k's first row
            drows = live_idx[dmask]
            dups = np.column_stack([rownum[drows],
                                    rownum[live_idx[first_of[codes[dmask]]]]]).astype(np.int64)
            rej.counts["exact duplicate"] += len(drows)
            if not keep_duplicates:
                bad[drows] = True
    if times.fold.any():  # kept, as the first of the two instants; the rows named (a
        # review: the analyst who would mend them could not find them)
        folded = rownum[times.fold]
        named = ", ".join(str(r) for r in folded[:10].tolist())
        mapping_notes.append(
            f"{len(folded):,} times fall in the hour {source_tz}'s clocks repeat "
            f"(daylight-saving fold: {FOLD.format(zone=source_tz)}) without a zone's name or "
            "offset to tell which: read as the first of the two instants, as a scenario's "
            f"source_timezone reads them (row{'s' if len(folded) > 1 else ''} {named}"
            f"{', …' if len(folded) > 10 else ''})")
    notes = raw.notes + tuple(mapping_notes)
    if id_codes is not None:  # one incident on several rows (one per unit sent, per offence)
        again, earlier = _repeated_ids(df, m, id_codes, t, px, py, ~bad)
        if len(again) and keep_duplicates:
            notes += (f"{len(again)} rows repeat an earlier row's id, category, time and place: "
                      "kept (--keep-duplicates), each counted as an incident",)
        elif len(again):
            ids = df[m["id"]].to_numpy()
            rej.add(SAME_ID_RULE, m["id"], again,
                    [f"{ids[r]} (as row {rownum[f]})" for r, f in
                     zip(again.tolist(), earlier.tolist(), strict=True)])
            bad[again] = True

    keep = np.flatnonzero(~bad)
    priority = np.zeros(n, dtype=np.int64)
    if "priority" in m:  # optional, as category and id: a row is kept without it
        text = df[m["priority"]].astype("string").str.strip()
        num = _numbers(text, comma)
        given = (text.notna() & (text != "")).to_numpy(dtype=bool, na_value=False)
        worded = np.isnan(num) & given
        if worded.any():
            num[worded] = _priority_words(text[worded])
            read = worded & np.isfinite(num)
            if read.any():
                value = dict(zip(text.to_numpy(dtype=object)[read], num[read], strict=True))
                said = ", ".join(f"{w} → {int(v)}" for w, v in list(value.items())[:6]) + (
                    " …" if len(value) > 6 else "")
                notes += (f"{int(read.sum()):,} priorities written in words read as "
                          f"numbers ({said})",)
        whole = np.isfinite(num) & (np.abs(num) < 2**53) & (num == np.round(num))
        priority[whole] = num[whole].astype(np.int64)
        rows = keep[(given & ~whole)[keep]]
        if len(rows) and not (given & whole).any():
            # no value of the column is a priority: the column is not one, said once with
            # its values, not on every row (an audit: 12,011 lines buried the real ones)
            notes += (_no_priority_column(m["priority"], text[given]),)
        else:
            rej.add(PRIORITY_RULE, m["priority"], rows, df[m["priority"]].to_numpy()[rows])
    table = dataclasses.replace(_table(df, keep, m, t[keep], px[keep], py[keep], target_crs,
                                       rownum[keep], priority[keep]), tz=tz)
    report = IngestReport(
        source=str(path), rows=raw.rows, kept=len(keep), encoding=encoding, crs=target_crs,
        time_format=layout, source_crs=src_crs if src_crs != target_crs else None,
        notes=notes + _time_notes(t[keep]),
        counts=dict(rej.counts), problems=tuple(rej.listed),
        duplicates=tuple((int(r), int(f)) for r, f in dups[:MAX_LISTED].tolist()),
        every_problem=tuple(rej.every),
        every_duplicate=dups,
        tz=tz,
        **_where(px[keep], py[keep], target_crs),
    )
    return Ingested(table, report)


def _no_priority_column(name: str, given: pd.Series, shown: int = 10) -> str:
    """The note for a priority column none of whose values is read as a priority."""
    counts = given.value_counts(sort=True)
    values = ", ".join(f"{v!r} ({c:,})" for v, c in counts.head(shown).items()) + (
        f", and {len(counts) - shown:,} more" if len(counts) > shown else "")
    return (f"column problem: the priority column '{name}' holds no priority (a whole number, "
            f"1 the most urgent, or a word such as 一级, P1, 紧急/一般, high/medium/low, "
            f"hoch/mittel/niedrig): its {len(counts):,} distinct values are {values}; every "
            "row kept with priority 0 (none); map priority to another column, or leave it "
            "unmapped")


def where_said(report: IngestReport) -> str | None:
    """The report's line on where the kept incidents lie (:attr:`IngestReport.middle`,
    ``box_km``), or None where nothing was kept."""
    if report.box_km is None:
        return None
    share = SPREAD_SHARE[1] - SPREAD_SHARE[0]
    box = (f"{share:.0%} of them lie within {report.box_km[0]:,.1f} km east-west by "
           f"{report.box_km[1]:,.1f} km north-south")
    if report.middle is None:  # a local planar CRS: no longitude and latitude
        return box
    lon, lat = report.middle
    return (f"the incidents' middle lies at {abs(lat):.4f}°{'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.4f}°{'E' if lon >= 0 else 'W'}, and {box}: check that this is the "
            "place the file is of")


def _where(px: FloatArray, py: FloatArray, crs: str) -> dict[str, Any]:
    """:attr:`IngestReport.middle` and ``box_km`` of the kept rows' stored (metric)
    coordinates (no middle in a local planar CRS)."""
    if not len(px):
        return {}
    qx, qy = np.quantile(px, SPREAD_SHARE), np.quantile(py, SPREAD_SHARE)
    out: dict[str, Any] = {"box_km": (round(float(qx[1] - qx[0]) / 1000, 3),
                                      round(float(qy[1] - qy[0]) / 1000, 3))}
    if crs != "local":
        lon, lat = reproject(np.array([np.median(px)]), np.array([np.median(py)]), crs,
                             "EPSG:4326")
        out["middle"] = (round(float(lon[0]), 6), round(float(lat[0]), 6))
    return out


SAME_ID_RULE = ("same id, category, time and place (within 100 m) as an earlier row: one "
                "incident written on several rows (one per unit sent, or per offence), "
                "counted once")
SAME_PLACE_M = 100.0


def _repeated_ids(df: pd.DataFrame, m: Mapping[str, str], id_codes: IntArray,
                  t: npt.NDArray[np.datetime64], px: FloatArray, py: FloatArray,
                  live: npt.NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
    """The rows of ``live`` that repeat an earlier live row's id (``id_codes``: a number per
    row, equal for equal ids, -1 for none), category (if mapped) and time, within
    :data:`SAME_PLACE_M` of it, and that row for each: one incident on several rows. Time
    and place are part of it: rows that share a placeholder id ('无', '0') or a number
    given anew each year are other incidents, and an incident of two kinds counts once for
    each kind, as ``--category`` selects them."""
    rows = np.flatnonzero(live & (id_codes >= 0))
    code = id_codes[rows]
    repeated = np.bincount(code)[code] > 1  # only ids on more than one row (most files: none)
    rows, code = rows[repeated], code[repeated]
    key = pd.DataFrame({"id": code, "time": t[rows]})
    if "category" in m:
        key["category"] = (df[m["category"]].iloc[rows].astype("string").str.strip()
                           .to_numpy(dtype=object, na_value=""))
    group = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()
    again = pd.Series(group).duplicated(keep="first").to_numpy()
    if not again.any():
        return rows[:0], rows[:0]
    first_of = np.full(int(group.max()) + 1, -1, dtype=np.int64)
    order = np.flatnonzero(~again)
    first_of[group[order]] = rows[order]
    earlier = first_of[group[again]]
    near = np.hypot(px[rows[again]] - px[earlier], py[rows[again]] - py[earlier]) <= SAME_PLACE_M
    return rows[again][near], earlier[near]


def _geometry_problems(rej: _Rejects, why: npt.NDArray[np.object_],
                       bad: npt.NDArray[np.bool_]) -> None:
    """List the features whose geometry is no point (and whose row is not rejected yet)."""
    given = pd.Series(why)
    given = given[given.notna().to_numpy() & ~bad]
    for rule, rows in given.groupby(given, sort=False).groups.items():
        rows = np.asarray(rows, dtype=np.int64)
        rej.add(str(rule), "geometry", rows, [""] * len(rows))


def _shown(value: object) -> str:
    """A cell as the report shows it: "" for an empty one (None, NA, NaN)."""
    return "" if value is None or value is pd.NA or value != value else str(value)


def _no_coordinates(path: Path, xname: str, yname: str, counts: Counter[str], xs: FloatArray,
                    ys: FloatArray, lonlat: bool) -> str:
    """Why no row has usable coordinates: the rules the rows broke, how many each, and
    for lon/lat beyond ±180/±90 what they seem to be (metres, or the columns swapped)."""
    why = "; ".join(f"{k} {r}" for r, k in counts.most_common())
    where = "a point geometry" if xname == "__x" else f"usable coordinates ({xname}, {yname})"
    msg = f"{path}: no row has {where}: {why}"
    given = np.isfinite(xs) & np.isfinite(ys)
    far = given & ((np.abs(xs) > 180) | (np.abs(ys) > 90))
    if lonlat and far.any():
        swapped = far & (np.abs(xs) <= 90) & (np.abs(ys) <= 180)
        if swapped.sum() * 2 > far.sum() and xname.endswith(" (lon)"):  # a column of pairs
            col = xname[:-len(" (lon)")]
            msg += (f". The pairs of {col} read as (latitude, longitude) put latitudes beyond "
                    f"±90: map the column as lonlat={col}")
        elif swapped.sum() * 2 > far.sum():
            msg += (f". The values of {yname} lie beyond ±90 but within ±180, and those of "
                    f"{xname} within ±90: the columns seem swapped; map them with --columns "
                    f"lon={yname},lat={xname}")
        else:
            i = int(np.flatnonzero(far)[0])
            msg += (f". The values lie beyond ±180 (longitude) / ±90 (latitude), e.g. "
                    f"{xs[i]:g}, {ys[i]:g}: if they are metres or feet of a projected CRS, "
                    f"map them with --columns x={xname},y={yname} and give their CRS with "
                    "--crs EPSG:NNNN")
    return msg


def _row_groups(df: pd.DataFrame, also: str | None = None) -> tuple[IntArray, IntArray | None]:
    """A number per row, the same for rows equal in every column (empty equal to empty), as
    ``DataFrame.duplicated`` compares them; and, for the column ``also``, a number per row the
    same for equal values (-1 where it is empty). Column by column: ``duplicated`` codes
    every column before it combines them, and a city's full export (22 columns, 2 million
    rows) then took 650 MB more than the table itself."""
    key = np.zeros(len(df), dtype=np.int64)
    kept: IntArray | None = None
    span = 1  # key < span
    for name in df.columns:
        codes, uniques = pd.factorize(df[name].array, use_na_sentinel=False)
        if name == also:  # its values without the blanks round them ('X1 ' is 'X1')
            trimmed = pd.Series(uniques, dtype="string").str.strip().fillna("")
            same, _ = pd.factorize(trimmed)
            same = np.where((trimmed == "").to_numpy(dtype=bool), -1, same)
            kept = same[codes].astype(np.int64)
        width = len(uniques) + 1
        if span * width >= 2**62:  # renumber the keys 0.. first: then span · width < rows²
            key, seen = pd.factorize(key)
            span = len(seen)
        key = key * width + codes
        span *= width
        # Arrow's allocator keeps what the column's coding freed: give it back, or the
        # codings of twenty columns stay held while the rest of the ingestion runs
        pa.default_memory_pool().release_unused()
    return key, kept


def _coordinate_columns(
    df: pd.DataFrame, m: Mapping[str, str], crs: str | None, gis_crs: str | None,
    coords: str, path: Path, comma: bool = False, named: str = "--crs",
    guessed: frozenset[str] = frozenset(),
) -> tuple[str, bool, str, str]:
    """(source CRS, lon/lat?, x column, y column); ``named``: where ``crs`` came from;
    ``guessed``: the fields of ``m`` found by their columns' names, not mapped."""
    for pair in (("lon", "lat"), ("x", "y")):
        if all(k in m for k in pair) and len(guessed & set(pair)) == 1:
            _check_kinds(df, m, pair, guessed, path, comma)
    if "lon" in m and "lat" in m:
        if crs is not None and not _crs(crs)[1]:
            raise IngestError(
                f"--crs {crs} is projected ({_unit(_crs(crs)[0])}) but the mapped columns are "
                "lon/lat; use x=,y= columns for projected coordinates")
        return "EPSG:4326", True, m["lon"], m["lat"]
    if "x" in m and "y" in m:
        src = crs or gis_crs
        xs, ys = _numbers(df[m["x"]], comma), _numbers(df[m["y"]], comma)
        if src is None:
            ok = np.isfinite(xs) & np.isfinite(ys)
            degrees = bool(ok.any()) and bool(
                (np.abs(xs[ok]) <= 180).all() and (np.abs(ys[ok]) <= 90).all())
            hint = (" — the values look like degrees: if they are WGS 84 longitude and "
                    "latitude (as many GIS exports name them X and Y), give --crs EPSG:4326"
                    if degrees else "")
            raise IngestError(
                f"{path}: x/y columns need their CRS: --crs EPSG:NNNN (or lon/lat columns)"
                + hint)
        code, geographic = _crs(src)
        _check_fit(xs, ys, code, geographic, named if crs is not None else "the layer's CRS",
                   (m["x"], m["y"]))
        return code, geographic, m["x"], m["y"]
    if "__x" in df.columns:
        src = crs or gis_crs
        if src is None:
            raise IngestError(f"{path}: the layer declares no CRS; give it with --crs")
        code, geographic = _crs(src)
        _check_fit(df["__x"].to_numpy(float), df["__y"].to_numpy(float), code, geographic,
                   named if crs is not None else "the layer's CRS")
        return code, geographic, "__x", "__y"
    for a, b in (("lon", "lat"), ("x", "y"), ("lat", "lon"), ("y", "x")):
        if a in m and b not in m:  # one of a pair: name the other
            names = "/".join(_ALIASES[b])
            # the column named for it may be the one mapped to its partner (a review:
            # lon=latitude was told "no column is named lat/latitude")
            taken = next((str(col) for col in df.columns
                          if str(col).strip().lower() in {n.lower() for n in _ALIASES[b]}),
                         None)
            why = (f"its column '{taken}' is mapped to {a}" if taken == str(m[a])
                   else f"no column is named {names}")
            raise IngestError(
                f"{path}: {a} is read from '{m[a]}' but {b} from no column: {why}; map it "
                f"with --columns {b}=COLUMN (columns: "
                f"{_listed(df.columns)}){_empty_aliases(df, (b,))}")
    raise IngestError(
        f"{path}: no coordinates; map lon=,lat= or x=,y= with --columns "
        f"(columns: {_listed(df.columns)}){_empty_aliases(df, ('lon', 'lat', 'x', 'y'))}")


def _whole(values: FloatArray) -> bool | None:
    """True where every number given is whole, False where most are not, None where there
    is none or they are mixed."""
    given = values[np.isfinite(values)]
    if not len(given):
        return None
    whole = given == np.round(given)
    return True if whole.all() else False if 2 * int(whole.sum()) < len(given) else None


# a column of whole numbers is taken for a code (a district, a ward), not a coordinate, only
# from KIND_MIN_ROWS values up, with at most KIND_MAX_CODES distinct values (and fewer than
# half the rows) within KIND_MAX_RANGE: whole metres of real incidents take many values over
# kilometres (a review: an easting in whole metres beside a northing with decimals, and a
# one-row file whose easting happened to be whole, were refused)
KIND_MIN_ROWS = 20
KIND_MAX_CODES = 100
KIND_MAX_RANGE = 1000.0


def _a_code(values: FloatArray) -> bool:
    """Whether whole numbers look like a code (see :data:`KIND_MAX_CODES`)."""
    given = values[np.isfinite(values)]
    if len(given) < KIND_MIN_ROWS:
        return False
    distinct = len(np.unique(given))
    return (distinct <= min(KIND_MAX_CODES, len(given) // 2)
            and float(np.ptp(given)) <= KIND_MAX_RANGE)


def _check_kinds(df: pd.DataFrame, m: Mapping[str, str], pair: tuple[str, str],
                 guessed: frozenset[str], path: Path, comma: bool) -> None:
    """Refuse a coordinate mapped beside its partner guessed by name when one holds a code
    (whole numbers, few and close together: :func:`_a_code`) and the other fractions: a
    code is no coordinate (a review: lon=district beside the file's latitude put Chicago's
    incidents 1,900 km apart, in UTM zone 32N, Europe's, without a word)."""
    mapped, other = (pair[1], pair[0]) if pair[0] in guessed else pair
    values = {k: _numbers(df[m[k]], comma) for k in pair}
    kinds = {k: _whole(values[k]) for k in pair}
    if None in kinds.values() or kinds[pair[0]] == kinds[pair[1]]:
        return
    if not _a_code(values[pair[0] if kinds[pair[0]] else pair[1]]):
        return

    def seen(k: str) -> str:  # as the file writes them ("4621974.1", not "4.62197e+06")
        text = df[m[k]].astype("string").str.strip()
        return ", ".join(str(v) for v in pd.unique(text[np.isfinite(values[k])])[:3])

    def kind(k: str) -> str:
        return ("whole numbers, few and close together as a code's" if kinds[k]
                else "numbers with fractions")

    raise IngestError(
        f"{path}: --columns maps {mapped} to '{m[mapped]}', whose values are {kind(mapped)} "
        f"(e.g. {seen(mapped)}), but {other} was found by its name, '{m[other]}', whose values "
        f"are {kind(other)} (e.g. {seen(other)}): the two are not coordinates of one kind; "
        f"map both with --columns {pair[0]}=COLUMN,{pair[1]}=COLUMN")


def _unit(code: str) -> str:
    """The unit of a projected CRS's coordinates as a message names it: "metres", "US
    survey feet" (EPSG:3435, Illinois East; a review found it called metres)."""
    if code == "local":  # a planar system in metres (DESIGN.md §3)
        return "metres"
    from pyproj import CRS

    axes = CRS.from_user_input(code).axis_info
    unit = axes[0].unit_name if axes else "metre"
    if unit in ("metre", "meter", "m"):
        return "metres"
    return unit[:-len("foot")] + "feet" if unit.endswith("foot") else unit


def _crs(text: str) -> tuple[str, bool]:
    try:  # any unit: input in feet is reprojected (see ingest)
        return parse_crs(text, any_unit=True)
    except ValueError as exc:
        raise IngestError(f"--crs: {exc}") from None


# a bare file's rows farther than this from the middle of its incidents are placeholders
# or typos ('-1, -1' for no position, a latitude missing its first digit, a longitude 10°
# off): at least FAR_MIN_M, and FAR_TIMES the median distance (a province's file is wider
# than a city's); --far-km sets a hard limit instead. By default a far row among more than
# FAR_PLACES distinct positions spread over FAR_SPREAD_M (in a cell of FAR_PLACE_M) is a
# place of its own (San Francisco in a file of mostly Los Angeles) and is kept: a
# placeholder repeats one position, or a geocoder's few metres round it; a typo stands alone
FAR_MIN_M = 500_000.0
FAR_TIMES = 20.0
FAR_PLACE_M = 50_000.0
FAR_PLACES = 5
FAR_SPREAD_M = 2_000.0
FAR_RULE = ("more than {km:,.0f} km from the middle of the file's incidents, and no place "
            f"of its own (fewer than {FAR_PLACES + 1} distinct positions spread over "
            f"{FAR_SPREAD_M / 1000:.0f} km around it): a position written as a placeholder, or "
            "a typo (--far-km sets the limit)")
FAR_KM_RULE = ("more than {km:,.0f} km from the middle of the file's incidents "
               "(--far-km)")
# a bare file whose middle SPREAD_SHARE of incidents (after the far rows) spread over more
# than SPREAD_NOTE_M (the diagonal of their box in the metric CRS) is said so in a note: a
# province's, a state's or a country's file does (the middle 90 % of Xinjiang's spreads over
# 1,557 km, Inner Mongolia's 1,642, Chile's 1,694: a review), and so do coordinates read from
# the wrong column (Chicago's longitudes read from the district numbers, 1-25, spread its
# incidents over 1,900 km; the far-row test cannot tell, its limit growing with the spread).
# Beyond SPREAD_MAX_M, wider than a national file of the contiguous United States (4,252 km,
# the review's), it is refused unless --far-km is given (0 reads every row as given)
SPREAD_SHARE = (0.05, 0.95)
SPREAD_NOTE_M = 1_500_000.0
SPREAD_MAX_M = 5_000_000.0


def _quantile_rows(values: FloatArray, live: IntArray,
                   share: tuple[float, float]) -> tuple[int, int]:
    """The rows (of ``live``) holding the ``share`` quantiles of ``values`` (the nearer
    rank), so that a message can show them as the file writes them."""
    order = live[np.argsort(values[live], kind="stable")]
    last = len(order) - 1
    return int(order[round(share[0] * last)]), int(order[round(share[1] * last)])


def _as_written(df: pd.DataFrame, col: str, row: int) -> str:
    """A cell as the file writes it ("4621974.1", not "4.62197e+06"); a GIS layer's
    geometry (``__x``/``__y``) by its number in full."""
    value = df[col].iloc[row]
    if col in ("__x", "__y"):
        return f"{float(value):.10g}"
    return _shown(value).strip()


def _spread(px: FloatArray, py: FloatArray, live: npt.NDArray[np.bool_]) -> float:
    """The diagonal of the box that holds the middle :data:`SPREAD_SHARE` of the rows of
    ``live`` (0 for none): a few typos far off do not widen it. Where the box of them all
    is no wider than :data:`SPREAD_NOTE_M`, that box's (the middle's is no wider): min and
    max take 0.2 ms a column of a million rows, the quantiles 12 ms (measured)."""
    if not live.any():
        return 0.0
    x, y = px[live], py[live]
    whole = float(np.hypot(np.ptp(x), np.ptp(y)))
    if whole <= SPREAD_NOTE_M:
        return whole
    qx, qy = np.quantile(x, SPREAD_SHARE), np.quantile(y, SPREAD_SHARE)
    return float(np.hypot(qx[1] - qx[0], qy[1] - qy[0]))


def _far_rows(px: FloatArray, py: FloatArray, live: npt.NDArray[np.bool_],
              lonlat_of: Callable[[IntArray], tuple[FloatArray, FloatArray]],
              limit: float | None = None) -> tuple[npt.NDArray[np.bool_], float]:
    """The rows of ``live`` farther than the default limit (see :data:`FAR_MIN_M`) from the
    middle that are no place of their own, or, with ``limit`` (metres: ``--far-km``), every
    row beyond it; and the limit. Distances from the median point in the metric CRS of the
    result; whether a far row is a place is judged on the sphere, from the rows' own lon/lat
    (``lonlat_of``: a UTM zone's metres 86° from its meridian are garbage, and a placeholder a
    geocoder scattered by 100 m would look 100 km wide)."""

    far = np.zeros(len(px), dtype=bool)
    if not live.any():
        return far, FAR_MIN_M if limit is None else limit
    idx = np.flatnonzero(live)
    d = np.hypot(px[idx] - np.median(px[idx]), py[idx] - np.median(py[idx]))
    if limit is not None:  # the user's limit: every row beyond it
        far[idx[d > limit]] = True
        return far, limit
    limit = max(FAR_MIN_M, FAR_TIMES * float(np.median(d)))
    if not (d > limit).any():
        return far, limit
    # rows that may be a far place's, or its neighbours, as points on the sphere (metres)
    near_far = d > limit - FAR_PLACE_M
    lon, lat = lonlat_of(idx[near_far])
    lam, phi = np.radians(lon), np.radians(lat)
    ball = 6_371_000.0 * np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam),
                                          np.sin(phi)])
    placed = np.isfinite(ball).all(axis=1)
    # a place: in its cell of FAR_PLACE_M on the sphere, FAR_PLACES + 1 distinct positions or
    # more spread over FAR_SPREAD_M (a placeholder repeats one position, or a geocoder's few
    # metres round it; a typo stands alone)
    at = np.round(ball[placed])
    place = np.zeros(int(near_far.sum()), dtype=bool)
    # grids shifted by half a cell along each axis apart: a place one cuts is whole in another
    for shift in itertools.product((0.0, 0.5), repeat=3):
        cell = pd.DataFrame(np.floor(ball[placed] / FAR_PLACE_M + np.array(shift))
                            .astype(np.int64), columns=["i", "j", "k"])
        cell["a"], cell["b"], cell["c"] = at[:, 0], at[:, 1], at[:, 2]
        group = cell.groupby(["i", "j", "k"], sort=False)
        key = group.ngroup().to_numpy()
        distinct = cell.drop_duplicates(["a", "b", "c"]).groupby(["i", "j", "k"],
                                                                  sort=False).size()
        span = group[["a", "b", "c"]].max() - group[["a", "b", "c"]].min()
        wide = np.linalg.norm(span.to_numpy(dtype=float), axis=1) >= FAR_SPREAD_M
        many = distinct.reindex(span.index).to_numpy() >= FAR_PLACES + 1
        place[placed] |= (wide & many)[key]
    far[idx[near_far][(d[near_far] > limit) & ~place]] = True
    return far, limit


ANTARCTIC = -60.0  # latitude


def _check_hemisphere(path: Path, xname: str, yname: str, lon: FloatArray,
                      lat: FloatArray) -> None:
    """Refuse lon/lat whose middle lies in Antarctica: the columns swapped, as a US city's
    (40.7, -73.9) read as lon, lat. Elsewhere swapped columns can look like a real place."""
    if len(lat) and float(np.median(lat)) < ANTARCTIC and xname.endswith(" (lon)"):
        col = xname[:-len(" (lon)")]
        raise IngestError(
            f"{path}: the incidents' middle lies at latitude {np.median(lat):.2f}, longitude "
            f"{np.median(lon):.2f}, in Antarctica: the pairs of {col} seem to be in the other "
            f"order; map the column as lonlat={col} or latlon={col}")
    if len(lat) and float(np.median(lat)) < ANTARCTIC:
        raise IngestError(
            f"{path}: the incidents' middle lies at latitude {np.median(lat):.2f}, longitude "
            f"{np.median(lon):.2f}, in Antarctica: the columns seem swapped; map them with "
            f"--columns lon={yname},lat={xname}")


def _check_area(xs: FloatArray, ys: FloatArray, code: str, named: str = "--crs",
                names: tuple[str, str] | None = None) -> None:
    """Refuse a projected CRS that cannot place the data's middle, or whose area of use lies
    far from where it puts it (:func:`xunfang.geo.misplaced`); ``names``: the x and y
    columns, for the hint where the CRS places them swapped (China's surveys write X for the
    northing and Y for the easting with its zone in front: a review's 3236377, 35330778 in
    EPSG:4523 was told to try another EPSG code)."""
    off = misplaced(xs, ys, code)
    if off is None:
        return
    if not off.feet and inside_area(ys, xs, code):  # (feet first: New York's swapped fit)
        fix = (f"map them with --columns x={names[1]},y={names[0]}" if names is not None
               else "swap them in the file")
        raise IngestError(
            f"{named} {code} cannot place the incidents' middle as given (x {off.x:.0f}, y "
            f"{off.y:.0f}) but places it with x and y swapped (x {off.y:.0f}, y {off.x:.0f}): "
            "check that x and y are not swapped (Chinese surveys write X for the northing and "
            f"Y for the easting); if they are, {fix}")
    if off.area is None:
        raise IngestError(
            f"{named} {code} cannot place the incidents' middle (x {off.x:.0f}, y {off.y:.0f}): "
            "it lies outside the projection; give the CRS the x, y columns are in (a "
            "3-degree zone with its number in front of x, e.g. 38424204, is another EPSG "
            "code than one without, 424204)")
    a = off.area
    if off.feet:
        listed = "; ".join(off.feet[:3]) + (f"; {len(off.feet) - 3} more" if len(off.feet) > 3
                                             else "")
        raise IngestError(
            f"{named} {code} is in metres and used in {a.name} (longitude {a.west:g} to "
            f"{a.east:g}, latitude {a.south:g} to {a.north:g}), but it puts the incidents' "
            f"middle (x {off.x:.0f}, y {off.y:.0f}) outside it, at longitude {off.lon:.2f}, "
            f"latitude {off.lat:.2f}, while CRSs in feet used there place them inside their "
            f"own areas ({listed}): state-plane feet read as metres misplace every incident; "
            f"give the CRS in feet the x, y columns are in with {named}")
    near = ""
    if off.near:
        near = ("; CRSs of its unit used near it that place the middle inside their own "
                f"areas: {'; '.join(off.near[:3])}"
                + (f"; {len(off.near) - 3} more" if len(off.near) > 3 else ""))
    raise IngestError(
        f"{named} {code} is used in {a.name} (longitude {a.west:g} to {a.east:g}, latitude "
        f"{a.south:g} to {a.north:g}), but it puts the incidents' middle at longitude "
        f"{off.lon:.2f}, latitude {off.lat:.2f}, more than {off.margin:g} degrees outside "
        "that area: give the CRS the x, y columns are in (feet or metres, which zone), or "
        f"check that x and y are not swapped{near}")


# the share of the coordinates whose spread tells degrees from metres: the middle 90 %, so
# that a few placeholders (0, 0) or stray far rows do not stretch degrees into a city's
# metres (an audit: Hefei's lon/lat with --crs EPSG:32650 and four rows of 0, 0 and one in
# Urumqi spread over 117 "metres" and were stored at 0.0003°N)
FIT_SHARE = (0.05, 0.95)
DEGREES_SPREAD = 5.0  # the middle's spread below which numbers within ±180/±90 are degrees


def _check_fit(xs: FloatArray, ys: FloatArray, code: str, geographic: bool,
               named: str = "--crs", names: tuple[str, str] | None = None) -> None:
    """Refuse a CRS that cannot describe the numbers (lon/lat given as metres, or back);
    ``named``: where the CRS came from, ``names`` the x and y columns, for the message.
    Judged on the bulk of the data: rows of (0, 0) (a missing position) left out, and the
    spread taken over the middle :data:`FIT_SHARE` of each coordinate."""
    ok = np.isfinite(xs) & np.isfinite(ys) & ~((xs == 0) & (ys == 0))
    if not ok.any():
        return
    mx, my = np.median(np.abs(xs[ok])), np.median(np.abs(ys[ok]))
    if geographic and (mx > 180 or my > 90):
        raise IngestError(
            f"{named} {code} is geographic (degrees) but the coordinates look like metres "
            f"(median |x| {mx:.0f}, |y| {my:.0f}); give the projected CRS they are in")
    qx, qy = np.quantile(xs[ok], FIT_SHARE), np.quantile(ys[ok], FIT_SHARE)
    spread = float(max(qx[1] - qx[0], qy[1] - qy[0]))
    if not geographic and mx <= 180 and my <= 90 and spread < DEGREES_SPREAD:
        # the medians with their signs: -87.66 is a longitude west of Greenwich
        sx, sy = np.median(xs[ok]), np.median(ys[ok])
        share = FIT_SHARE[1] - FIT_SHARE[0]
        cols = (f"--columns lon={names[0]},lat={names[1]}" if names is not None
                else "lon=,lat= columns")
        raise IngestError(
            f"{named} {code} is projected ({_unit(code)}) but the coordinates look like "
            f"degrees (median {sx:.4f}, {sy:.4f}, the middle {share:.0%} spread over "
            f"{spread:.4f}): they seem to be longitude and latitude (lon/lat degrees), not "
            f"{_unit(code)}; map them as such with {cols}"
            + (", without --crs" if named == "--crs" else ""))
    if not geographic and code != "local":
        _check_area(xs[ok], ys[ok], code, named, names)


def _text(values: pd.Series) -> npt.NDArray[np.object_]:
    """A text column as Python strings ("" for none). Not numpy's fixed-width ``str``: that
    stores every value at the longest one's width, and one 2,000-character narrative in a
    million-row export then takes 8 GB (measured: bench/RESULTS.md, issue 4, session 8)."""
    return np.asarray(values.astype("string").fillna("").to_numpy(dtype=object), dtype=object)


def _kept_text(values: pd.Series) -> pd.arrays.ArrowStringArray:
    """A column the file carries beside the mapped ones ("" for none), kept for the store.
    In Arrow's buffers, not as Python strings: a city's full crime export has some twenty
    such columns, and two million rows of them as Python strings took 2 GB more than the
    whole table as read (measured: bench/RESULTS.md, issue 4, session 10)."""
    return values.astype("string[pyarrow]").fillna("").array


# Unix times are read as dates (midnight UTC) only from this many values up
DATES_MIN = 20


def midnight_share(seconds_of_day: npt.ArrayLike) -> float:
    """The share of times at exactly 00:00 (0 for no times); see :data:`DATES_ONLY`."""
    s = np.asarray(seconds_of_day)
    return float(np.mean(s == 0)) if len(s) else 0.0


def _time_notes(t: npt.NDArray[np.datetime64]) -> tuple[str, ...]:
    """A file of dates without times of day: the hour is unknown, not midnight."""
    midnight = midnight_share((t - t.astype("datetime64[D]")).astype("timedelta64[s]")
                              .astype(np.int64))
    if midnight >= DATES_ONLY:
        return (f"{midnight:.0%} of the times are exactly 00:00: the file gives dates without "
                "times of day; forecasts spread each day's risk evenly over its hours",)
    return ()


def _table(
    df: pd.DataFrame, keep: IntArray, m: Mapping[str, str], t: npt.NDArray[np.datetime64],
    x: FloatArray, y: FloatArray, crs: str, rows: IntArray, pr: IntArray,
) -> IncidentTable:
    """The rows ``keep`` of ``df``, taken column by column (``df.iloc[keep]`` would copy the
    whole table at once); ``rows``: the data row number of each kept row (the id when
    there is no id column)."""
    def column(name: str) -> pd.Series:  # every row kept: the column itself, not a copy
        return df[name] if len(keep) == len(df) else df[name].iloc[keep]

    # ids and categories without the blanks round them: a fixed-width or CHAR export writes
    # 'S0 ', and 'S0 ' and 'S0' are one incident's id (a review found them kept as two)
    ids = (_text(column(m["id"]).astype("string").str.strip()) if "id" in m
           else np.char.add("row", rows.astype(str)))
    cat = (_text(column(m["category"]).astype("string").str.strip()) if "category" in m
           else np.full(len(keep), "", dtype=str))
    used = set(m.values()) | {"__x", "__y"}
    extra = {str(c): _kept_text(column(c)) for c in df.columns if c not in used}
    return IncidentTable(ids=ids, time=t, x=x, y=y, crs=crs, category=cat, priority=pr,
                         extra=extra)


# -- the columnar store ------------------------------------------------------------------------
def write_parquet(table: IncidentTable, path: Path | str, *, source: str | None = None
                  ) -> Path:
    """Store the table as Parquet (zstd), with its CRS and time zone in the file's
    metadata, and where it came from: ``source`` (the file ingested), so that whoever
    replaces the store can be told what it held (when: the file's own time). No clock time
    inside: the same file ingested to the same place is the same store, byte for byte, and
    a rerun's ``inputs`` hash matches (a review: two ingests of one CSV hashed apart)."""
    path = Path(path)
    cols: dict[str, Any] = {
        "id": pa.array(table.ids, pa.string()),
        "time": pa.array(table.time.astype("datetime64[s]"), pa.timestamp("s")),
        "x": pa.array(table.x), "y": pa.array(table.y),
        "category": pa.array(table.category, pa.string()),
        "priority": pa.array(table.priority, pa.int64()),
    }
    for k, v in table.extra.items():
        if k not in cols:
            cols[k] = pa.array(v, pa.string())
    tab = pa.table(cols).replace_schema_metadata(
        {"xunfang": json.dumps({"crs": table.crs, "tz": table.tz, "source": source})})
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        pq.write_table(tab, tmp, compression="zstd")
        tmp.replace(path)  # never a half-written store
    finally:  # nor a half-written temporary left beside it (a full disk: a review)
        tmp.unlink(missing_ok=True)
    return path


def read_parquet(path: Path | str) -> IncidentTable:
    path = Path(path)
    try:
        tab = pq.read_table(path)
    except Exception as exc:
        raise IngestError(f"{path}: not a readable Parquet file: {exc}") from None
    meta = json.loads((tab.schema.metadata or {}).get(b"xunfang", b"{}"))
    if "crs" not in meta:
        raise IngestError(f"{path}: not an incident store written by xunfang (no CRS)")
    base = ("id", "time", "x", "y", "category", "priority")
    cols = {name: tab.column(name).to_numpy(zero_copy_only=False) for name in base
            if name in tab.column_names}
    missing = [c for c in base if c not in cols]
    if missing:
        raise IngestError(f"{path}: missing columns {', '.join(missing)}")
    return IncidentTable(
        ids=cols["id"].astype(object), time=cols["time"].astype("datetime64[s]"),
        x=cols["x"].astype(float), y=cols["y"].astype(float), crs=str(meta["crs"]),
        category=cols["category"].astype(object), priority=cols["priority"].astype(np.int64),
        extra={k: _kept_text(tab.column(k).to_pandas()) for k in tab.column_names
               if k not in base},
        tz=meta.get("tz"),  # None in a store of an earlier version, or ingested without --tz
    )
