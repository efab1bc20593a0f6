"""A plan folder holding re-plans of it (``xunfang replan PLAN_DIR`` writes PLAN_DIR/replan-HHMM)
is not replaced by ``xunfang plan --out PLAN_DIR``: the re-plans would be deleted with the plan
they were made from. The refusal names them and says how to keep them; nothing is touched."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.cli.replan import CHANGES_FILE, ArgError, check_out
from xunfang.report.folder import check_replaceable, plans_inside

Make = Callable[..., Path]
runner = CliRunner()
UNITS = ("id,tier,mode,squad,home_post\n"
         "car1,special,car,patrol,p1\ncar2,precinct,car,patrol,p1\n")


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def planned(make_scenario: Make, tmp_path: Path) -> tuple[Path, Path]:
    """The small town planned into PLAN_DIR, and re-planned from 07:00 into its default
    place, PLAN_DIR/replan-0700."""
    sc = make_scenario({"units.csv": UNITS})
    out = tmp_path / "plan"
    r = runner.invoke(app, ["plan", str(sc), "--out", str(out), "--from", "2026-12-01"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["replan", str(out), "--at", "07:00", "--out-of-service", "car2"])
    assert r.exit_code == 0, r.output
    assert (out / "replan-0700" / "plan.json").is_file()
    return sc, out


def test_plan_refuses_a_plan_folder_holding_its_replans(planned: tuple[Path, Path]) -> None:
    sc, out = planned
    before = _digest(out)
    r = runner.invoke(app, ["plan", str(sc), "--out", str(out), "--from", "2026-12-02"])
    assert r.exit_code == 1
    text = " ".join(r.output.split())
    assert (f"--out {out} holds 1 plan folder(s) of its own (replan-0700: re-plans that "
            "xunfang replan wrote into it); replacing the plan would delete them") in text
    assert f"mv {out} {out}-old" in text and "choose another --out" in text
    assert _digest(out) == before  # nothing moved, nothing deleted
    assert sorted(p.name for p in out.parent.iterdir()) == ["plan", "sc"]  # no temp left
    # the way out the message gives: the plan and its re-plan kept together, a new plan
    out.rename(out.parent / "plan-old")
    r = runner.invoke(app, ["plan", str(sc), "--out", str(out), "--from", "2026-12-02"])
    assert r.exit_code == 0, r.output
    assert _digest(out.parent / "plan-old") == before
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert doc["request"]["from"] == "2026-12-02"


def test_once_its_replans_are_moved_out_the_plan_folder_is_replaced(
        planned: tuple[Path, Path], tmp_path: Path) -> None:
    sc, out = planned
    (out / "replan-0700").rename(tmp_path / "kept-0700")
    r = runner.invoke(app, ["plan", str(sc), "--out", str(out), "--from", "2026-12-02"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["layers"]
    assert (tmp_path / "kept-0700" / "plan.json").is_file()


def test_check_replaceable_names_strangers_before_replans(planned: tuple[Path, Path]) -> None:
    _, out = planned
    assert plans_inside(out) == ["replan-0700"]
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"not an earlier plan folder \(it holds "
                                              r"notes\.txt\)"):
        check_replaceable(out)
    (out / "notes.txt").unlink()
    (out / "mine").mkdir()  # a folder without a plan.json is the user's, not a re-plan
    with pytest.raises(FileExistsError, match=r"not an earlier plan folder \(it holds mine\)"):
        check_replaceable(out)
    (out / "mine").rmdir()
    for k in range(6):
        (out / f"replan-1{k}00").mkdir()
        (out / f"replan-1{k}00" / "plan.json").write_text("{}", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"holds 7 plan folder\(s\) of its own "
                                              r"\(replan-0700, replan-1000, replan-1100, "
                                              r"replan-1200, replan-1300 and 2 more: "):
        check_replaceable(out)


def test_replan_refuses_an_earlier_replan_holding_its_own(planned: tuple[Path, Path]) -> None:
    _, out = planned
    first = out / "replan-0700"
    r = runner.invoke(app, ["replan", str(first), "--at", "09:00"])
    assert r.exit_code == 0, r.output
    assert (first / "replan-0900" / CHANGES_FILE).is_file()
    before = _digest(first)
    # re-planning the plan at 07:00 again would replace replan-0700 and its own re-plan
    with pytest.raises(ArgError, match=r"holds 1 plan folder\(s\) of its own \(replan-0900"):
        check_out(first.absolute(), out)
    r = runner.invoke(app, ["replan", str(out), "--at", "07:00"])
    assert r.exit_code == 1 and "replan-0900" in r.output
    assert _digest(first) == before


def test_replan_names_what_is_in_the_way(planned: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = planned
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    (mine / "plan.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ArgError, match=r"not an earlier re-plan folder \(it holds notes\.txt\)"):
        check_out(mine, out)
    (mine / "notes.txt").unlink()  # a plan folder, but not a re-plan
    with pytest.raises(ArgError, match=r"not an earlier re-plan folder \(it holds no "
                                       r"changes\.csv\)"):
        check_out(mine, out)
    check_out(out / "replan-0700", out)  # an earlier re-plan: replaced
