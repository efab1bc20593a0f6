"""Packed and GIS files that cannot be read: a ZIP or gzip bomb is refused before it fills the
memory, a file named .gz that is not gzip and an empty GeoPackage are called what they are."""

from __future__ import annotations

import gzip
import importlib
import os
import sqlite3
import struct
import zipfile
from pathlib import Path

import pytest

from xunfang.intel import IngestError, ingest

# the module (xunfang.intel's ``ingest`` is the function of the same name)
ingest_module = importlib.import_module("xunfang.intel.ingest")
TEXT = "time,lon,lat\n" + "".join(f"2025-03-01 08:{i % 60:02d},103.26,29.{2300 + i}\n"
                                  for i in range(400))


def _zip(path: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(member, data)
    return path


def _state_size(path: Path, size: int) -> None:
    """Write ``size`` as the member's unpacked size in both of the archive's headers (as a
    bomb, or a lying header, states it), leaving the packed data as it is."""
    raw = bytearray(path.read_bytes())
    struct.pack_into("<I", raw, 22, size)  # the local header's uncompressed size
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, size)  # the central directory's
    path.write_bytes(bytes(raw))


def test_an_archive_member_over_the_limit_is_refused_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = _zip(tmp_path / "inc.zip", "inc.csv", TEXT.encode())
    assert len(ingest(packed, tz="Asia/Shanghai").table) == 400  # under the limit: read
    monkeypatch.setattr(ingest_module, "MAX_UNPACKED", len(TEXT) - 1)
    with pytest.raises(IngestError) as err:
        ingest(packed)
    said = str(err.value)
    assert f"{packed}: its member inc.csv: unpacks to" in said
    assert f"over the {(len(TEXT) - 1) / 1e6:,.0f} MB" in said and "MAX_UNPACKED" in said
    assert "unpack the archive" in said


def test_a_bombs_stated_size_is_refused_before_anything_is_unpacked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a 0.5 MB bomb.zip states its 500 MiB member; only the headers are changed here
    bomb = _zip(tmp_path / "bomb.zip", "inc.csv", TEXT.encode())
    _state_size(bomb, 500 * 2**20)

    def unpacked(*args: object, **kwargs: object) -> None:
        raise AssertionError("the member was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", unpacked)
    monkeypatch.setattr(zipfile.ZipFile, "read", unpacked)
    with pytest.raises(IngestError, match=r"bomb\.zip: its member inc\.csv: unpacks to 524 MB, "
                       r"over the 400 MB"):
        ingest(bomb)


def test_a_member_whose_header_understates_it_is_not_read_past_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the header says 100 bytes, the data unpacks to the whole text: refused either by the
    # cap on the read or by the archive's own check, never read whole
    liar = _zip(tmp_path / "liar.zip", "inc.csv", TEXT.encode())
    _state_size(liar, 100)
    monkeypatch.setattr(ingest_module, "MAX_UNPACKED", 1000)
    with pytest.raises(IngestError, match=r"liar\.zip!inc\.csv: cannot be unpacked|"
                       r"liar\.zip: its member inc\.csv: unpacks to more than"):
        ingest(liar)


def test_a_gzip_file_over_the_limit_is_refused_as_it_passes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "inc.csv.gz"
    # two gzip members, as concatenated .gz files are: both read, under the limit
    half = len(TEXT) // 2
    cut = TEXT.index("\n", half) + 1
    path.write_bytes(gzip.compress(TEXT[:cut].encode()) + gzip.compress(TEXT[cut:].encode()))
    assert len(ingest(path, tz="Asia/Shanghai").table) == 400
    monkeypatch.setattr(ingest_module, "GZIP_CHUNK", 256)
    assert len(ingest(path, tz="Asia/Shanghai").table) == 400  # chunk by chunk, the same
    monkeypatch.setattr(ingest_module, "MAX_UNPACKED", len(TEXT) - 1)
    with pytest.raises(IngestError, match=r"inc\.csv\.gz: unpacks to more than 0 MB, over the "
                       r"0 MB xunfang unpacks in memory \(MAX_UNPACKED"):
        ingest(path)
    # a bomb's zeros: refused once the limit is passed, not unpacked whole (1 MB here)
    monkeypatch.setattr(ingest_module, "MAX_UNPACKED", 10_000)
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"id,time,lon,lat\n" + bytes(1_000_000)))
    seen: list[int] = []
    real = ingest_module.io.BytesIO

    class Counted(real):  # type: ignore[misc, valid-type]
        def write(self, b: bytes) -> int:  # type: ignore[override]
            seen.append(len(b))
            return super().write(b)

    monkeypatch.setattr(ingest_module.io, "BytesIO", Counted)
    with pytest.raises(IngestError, match=r"bomb\.csv\.gz: unpacks to more than"):
        ingest(bomb)
    assert 10_000 < sum(seen) <= 10_000 + 256


def test_a_file_named_gz_that_is_not_gzip_is_called_so(tmp_path: Path) -> None:
    noise = tmp_path / "noise.csv.gz"
    noise.write_bytes(b"\xd6\x1d" + os.urandom(3000))
    with pytest.raises(IngestError, match=r"noise\.csv\.gz: not a gzip file: a \.gz file begins "
                       r"with the bytes 1f 8b, this one with the bytes d6 1d"):
        ingest(noise)
    plain = tmp_path / "plain.csv.gz"  # a CSV saved under .gz: the way out is said
    plain.write_text(TEXT, encoding="utf-8")
    with pytest.raises(IngestError, match=r"plain\.csv\.gz: not a gzip file.*rename it "
                       r"without \.gz"):
        ingest(plain)
    packed = _zip(tmp_path / "n.zip", "noise.csv.gz", b"\xd6\x1d" + os.urandom(3000))
    with pytest.raises(IngestError, match=r"n\.zip!noise\.csv\.gz: not a gzip file"):
        ingest(packed)


def test_an_empty_or_foreign_geopackage_is_called_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gpkg"
    empty.write_bytes(b"")
    with pytest.raises(IngestError) as err:
        ingest(empty)
    assert "empty.gpkg: the file is empty (0 bytes): not a GeoPackage" in str(err.value)
    assert "DRIVER" not in str(err.value)
    other = tmp_path / "other.gpkg"
    other.write_bytes(b"PK\x03\x04" + bytes(2000))
    with pytest.raises(IngestError, match=r"other\.gpkg: not a GeoPackage: a GeoPackage is an "
                       r"SQLite database"):
        ingest(other)
    # an SQLite database with no layer (GDAL: "not recognized … prefix '<DRIVER>:'")
    bare = tmp_path / "bare.gpkg"
    with sqlite3.connect(bare) as db:
        db.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
        db.execute("PRAGMA user_version = 10200")  # GeoPackage 1.2
        db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER "
                   "PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, "
                   "definition TEXT, description TEXT)")
        db.execute("CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, "
                   "identifier TEXT, description TEXT, last_change DATETIME, min_x DOUBLE, "
                   "min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)")
    db.close()
    with pytest.raises(IngestError) as err:
        ingest(bare)
    assert "bare.gpkg: the GeoPackage holds no layer" in str(err.value), str(err.value)
    assert "DRIVER" not in str(err.value)


def test_a_workbook_part_over_the_limit_is_refused_before_it_is_unpacked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An .xlsx is a ZIP of XML parts: its sheet or shared strings can be a bomb as well (the
    shared strings are held in memory whole). Refused from the parts' stated sizes, openpyxl
    never called; zipfile reads no part past its stated size."""
    import openpyxl

    wb = openpyxl.Workbook()
    for line in TEXT.splitlines():
        wb.active.append(line.split(","))
    book = tmp_path / "inc.xlsx"
    wb.save(book)
    assert len(ingest(book, tz="Asia/Shanghai").table) == 400  # under the limit: read
    with zipfile.ZipFile(book) as z:
        sheet = next(i for i in z.infolist() if i.filename == "xl/worksheets/sheet1.xml")
    monkeypatch.setattr(ingest_module, "MAX_UNPACKED", sheet.file_size - 1)

    def opened(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", opened)
    with pytest.raises(IngestError) as err:
        ingest(book)
    said = str(err.value)
    assert f"{book}: its part xl/worksheets/sheet1.xml: unpacks to " in said
    assert "MAX_UNPACKED" in said and "save the sheet as CSV" in said
    assert said.endswith("and give the CSV instead")
