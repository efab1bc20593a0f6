"""`xunfang intel ingest --out DIR` over a store already there: the new store and its report
replace the old ones together or not at all, and a replaced store is said."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.intel import ingest, read_parquet, write_parquet

runner = CliRunner()
# the module (xunfang.intel's ``ingest`` is the function of the same name)
ingest_module = importlib.import_module("xunfang.intel.ingest")


def _csv(path: Path, n: int) -> Path:
    path.write_text("id,time,lon,lat\n" + "".join(
        f"{i},2025-03-{1 + i % 28:02d} 08:00,103.26,29.{2300 + i}\n" for i in range(n))
        + "bad,not a time,103.26,29.23\n", encoding="utf-8")
    return path


def _run(src: Path, out: Path, *more: str) -> tuple[int, str]:
    res = runner.invoke(app, ["intel", "ingest", str(src), "--out", str(out), *more],
                        env={"COLUMNS": "2000"})  # (paths unwrapped)
    return res.exit_code, " ".join(res.output.split())


def _folder(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_a_report_that_cannot_be_written_replaces_neither(tmp_path: Path) -> None:
    out = tmp_path / "store"
    assert _run(_csv(tmp_path / "week1.csv", 50), out)[0] == 0
    before = _folder(out)
    # stands in for a full disk as the report is written (a review): the new store had
    # replaced the old one beside the old file's report
    (out / "ingest_report.csv.tmp").mkdir()
    code, said = _run(_csv(tmp_path / "week2.csv", 7), out)
    assert code == 1
    assert _folder(out) == before  # the old store and its report, as they were
    assert len(read_parquet(out / "incidents.parquet")) == 50
    assert "incidents.parquet.new" not in {p.name for p in out.iterdir()}
    assert f"--out {out}: writing incidents.parquet and ingest_report.csv failed" in said
    assert (f"neither was replaced: a store of 50 incidents (ingested from "
            f"{(tmp_path / 'week1.csv').resolve()} on ") in said
    assert "and its report, are kept as they were" in said


def test_a_store_that_cannot_be_written_replaces_neither_and_leaves_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "store"
    assert _run(_csv(tmp_path / "week1.csv", 50), out)[0] == 0
    before = _folder(out)

    def full_disk(table: pa.Table, where: Path, **kwargs: object) -> None:
        Path(where).write_bytes(b"PAR1 half")  # half written, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest_module.pq, "write_table", full_disk)
    code, said = _run(_csv(tmp_path / "week2.csv", 7), out)
    assert code == 1 and "No space left on device" in said and "neither was replaced" in said
    assert _folder(out) == before  # nothing half-written left: no .tmp, no .new
    # write_parquet on its own: no temporary left beside the store either
    with pytest.raises(OSError, match="No space left"):
        write_parquet(ingest(tmp_path / "week2.csv").table, tmp_path / "alone.parquet")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("alone")) == []


def test_a_replaced_store_is_said(tmp_path: Path) -> None:
    out = tmp_path / "store"
    code, said = _run(_csv(tmp_path / "week1.csv", 50), out)
    assert code == 0 and "replaced a store" not in said
    first = json.loads(runner.invoke(app, ["intel", "ingest", str(tmp_path / "week1.csv"),
                                           "--out", str(tmp_path / "other"), "--json"]).stdout)
    assert first["replaced"] is None
    code, said = _run(_csv(tmp_path / "week2.csv", 7), out)
    assert code == 0
    assert (f"replaced a store of 50 incidents (ingested from "
            f"{(tmp_path / 'week1.csv').resolve()} on ") in said
    res = runner.invoke(app, ["intel", "ingest", str(_csv(tmp_path / "week3.csv", 3)),
                              "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    replaced = json.loads(res.stdout)["replaced"]
    assert replaced["incidents"] == 7
    assert replaced["source"] == str((tmp_path / "week2.csv").resolve())
    assert replaced["written"][:4].isdigit() and replaced["written"].endswith("+00:00")
    # a store written before its source was recorded: what is known, its incidents and
    # the file's time (no clock time inside the store: the same file ingested again is the
    # same store, byte for byte)
    old = pq.read_table(out / "incidents.parquet")
    meta = json.loads(old.schema.metadata[b"xunfang"])
    pq.write_table(old.replace_schema_metadata(
        {"xunfang": json.dumps({"crs": meta["crs"], "tz": meta["tz"]})}),
        out / "incidents.parquet")
    code, said = _run(tmp_path / "week1.csv", out)
    assert code == 0 and "replaced a store of 3 incidents (on 20" in said
    assert "ingested from" not in said.split("replaced a store of 3")[1].split(")")[0]


def test_a_report_that_cannot_be_put_in_place_restores_the_old_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both written, then the report's rename fails (a file locked by another program): the
    new store had already replaced the old one, beside the old file's report (a review).
    The old store is put back."""
    out = tmp_path / "store"
    assert _run(_csv(tmp_path / "week1.csv", 50), out)[0] == 0
    before = _folder(out)
    real = Path.replace

    def locked(self: Path, target: object) -> Path:
        if Path(str(target)).name == "ingest_report.csv":
            raise PermissionError(13, "The process cannot access the file", str(target))
        return real(self, target)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "replace", locked)
    code, said = _run(_csv(tmp_path / "week2.csv", 7), out)
    monkeypatch.undo()
    assert code == 1 and "putting incidents.parquet and ingest_report.csv in place" in said
    assert "neither was replaced" in said
    assert _folder(out) == before  # the old store and its report; no .new, .tmp or .old
    assert len(read_parquet(out / "incidents.parquet")) == 50


def _stale_copy(tmp_path: Path, out: Path) -> None:
    """A 3-row store left as incidents.parquet.old by a crash."""
    assert _run(_csv(tmp_path / "tiny.csv", 3), tmp_path / "tiny")[0] == 0
    (out / "incidents.parquet.old").write_bytes(
        (tmp_path / "tiny" / "incidents.parquet").read_bytes())


def test_a_stale_copy_is_never_put_back_and_the_folder_always_holds_a_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review: the rollback put a copy left by a crash (3 rows) over the current store (50),
    saying it was kept; and the store was moved aside before the new one came, so a forecast
    reading the folder in that moment found none."""
    out = tmp_path / "store"
    assert _run(_csv(tmp_path / "week1.csv", 50), out)[0] == 0
    _stale_copy(tmp_path, out)
    before = (out / "incidents.parquet").read_bytes()
    real = Path.replace
    seen: list[bool] = []

    def locked(self: Path, target: object) -> Path:
        where = Path(str(target))
        if self.name.endswith(".new"):  # the new store comes: a store is there all along
            seen.append(where.exists())
        if where.name == "ingest_report.csv":
            raise PermissionError(13, "in use", str(target))
        return real(self, target)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "replace", locked)
    code, said = _run(_csv(tmp_path / "week2.csv", 7), out)
    monkeypatch.undo()
    assert code == 1 and "neither was replaced" in said
    assert seen == [True]
    assert (out / "incidents.parquet").read_bytes() == before
    assert len(read_parquet(out / "incidents.parquet")) == 50
    assert not (out / "incidents.parquet.old").exists()
    # and a run that succeeds clears the stale copy
    _stale_copy(tmp_path, out)
    code, said = _run(_csv(tmp_path / "week2.csv", 7), out)
    assert code == 0 and "replaced a store of 50 incidents" in said
    assert len(read_parquet(out / "incidents.parquet")) == 7
    assert not (out / "incidents.parquet.old").exists()


def test_a_failed_restore_says_where_the_old_store_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "store"
    assert _run(_csv(tmp_path / "week1.csv", 50), out)[0] == 0
    real = Path.replace

    def locked(self: Path, target: object) -> Path:
        if Path(str(target)).name == "ingest_report.csv" or self.name.endswith(".old"):
            raise PermissionError(13, "in use", str(target))
        return real(self, target)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "replace", locked)
    code, said = _run(_csv(tmp_path / "week2.csv", 7), out)
    monkeypatch.undo()
    assert code == 1
    assert "putting the old store back failed too" in said
    assert "incidents.parquet is the new one" in said
    assert "the old store is in incidents.parquet.old" in said
    assert len(read_parquet(out / "incidents.parquet.old")) == 50


def test_a_copy_that_cannot_be_removed_after_success_is_no_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "store"
    assert _run(_csv(tmp_path / "week1.csv", 50), out)[0] == 0
    real = Path.unlink

    def locked(self: Path, missing_ok: bool = False) -> None:
        if self.name.endswith(".old") and self.exists():
            raise PermissionError(13, "in use", str(self))
        real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", locked)
    code, said = _run(_csv(tmp_path / "week2.csv", 7), out)
    monkeypatch.undo()
    assert code == 0, said
    assert len(read_parquet(out / "incidents.parquet")) == 7
