"""A re-plan plans from plan.json's ``request``: its pins and its deployment options.

A plan made through the Python API (or the web centre) with pins or deployment options has
them only in its request; ``xunfang replan`` must plan with them, not with none and the
defaults, and write them into the new plan in turn.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from xunfang import scenario as scenario_mod
from xunfang.cli.main import app
from xunfang.planning import deploy
from xunfang.planning.deploy.from_plan import (
    PlanFolderError,
    inputs_for_plan,
    read_plan_folder,
)
from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan, options_all
from xunfang.report.folder import write_plan_folder

Make = Callable[..., Path]
runner = CliRunner()
DAY = date(2026, 12, 1)
UNITS = ("id,tier,mode,squad,home_post\n"
         "car1,special,car,patrol,p1\ncar2,precinct,car,patrol,p1\n")
POSTS = "id,name,kind,node\np1,Station one,station,a\np2,Kiosk,kiosk,c\ng1,East gate,exit,e\n"


def _doc(folder: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return doc


def _write_doc(folder: Path, doc: dict[str, Any]) -> None:
    (folder / "plan.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _at(doc: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(a["unit"], a["slot"]): a for a in doc["plan"]["assignments"]}


@pytest.fixture
def pinned(make_scenario: Make, tmp_path: Path) -> Path:
    """A plan of the small town made through the API: car1 pinned at the kiosk p2 from
    08:00 to 10:00 (without a grid, an unpinned car holds its home post p1)."""
    sc = scenario_mod.load(make_scenario({"units.csv": UNITS, "posts.csv": POSTS}))
    req = PlanRequest(start=DAY, pins=(deploy.Pin("car1", (8, 9), post="p2", note="gate"),))
    return write_plan_folder(build_plan(sc, req), req, tmp_path / "plan")


def test_plan_json_request_carries_the_pins(pinned: Path) -> None:
    doc = _doc(pinned)
    assert doc["request"]["pins"] == [
        {"unit": "car1", "post": "p2", "slots": [8, 9], "slots_from": "2026-12-01T08:00",
         "slots_to": "2026-12-01T10:00", "note": "gate"}]
    assert doc["request"]["deploy_options"] == {}
    assert "pins" not in doc["stages"]["posture"]  # only `xunfang plan` records them there
    assert read_plan_folder(pinned).pins == (deploy.Pin("car1", (8, 9), post="p2",
                                                        note="gate"),)


def test_a_replan_keeps_a_pinned_unit_pinned(pinned: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    r = runner.invoke(app, ["replan", str(pinned), "--at", "07:00", "--out", str(out),
                            "--out-of-service", "car2", "--json"])
    assert r.exit_code == 0, r.output
    doc = _doc(out)
    at = _at(doc)
    assert [at[("car1", k)]["post"] for k in (7, 8, 9, 10)] == ["p1", "p2", "p2", "p1"]
    assert at[("car1", 8)]["note"] == "pinned gate"
    assert doc["request"]["pins"] == _doc(pinned)["request"]["pins"]
    got = json.loads(r.stdout)
    assert got["pins"] == 1 and got["deploy_options"] == {}
    # and a re-plan of the re-plan still has them
    again = tmp_path / "r2"
    r = runner.invoke(app, ["replan", str(out), "--at", "08:00", "--out", str(again)])
    assert r.exit_code == 0, r.output
    assert ("planned with the plan's 1 pin(s) and deployment options: the defaults"
            in " ".join(r.output.split()))
    assert _at(_doc(again))[("car1", 9)]["post"] == "p2"


def test_older_plan_json_pins_are_read_from_the_posture(pinned: Path) -> None:
    doc = _doc(pinned)
    pins = doc["request"].pop("pins")
    doc["request"].pop("deploy_options")
    doc["request"].pop("deploy_options_all")
    doc["stages"]["posture"]["pins"] = pins  # as `xunfang plan --pins` wrote them before
    _write_doc(pinned, doc)
    pif = read_plan_folder(pinned)
    assert pif.pins == (deploy.Pin("car1", (8, 9), post="p2", note="gate"),)
    assert pif.deploy_options is None
    del doc["stages"]["posture"]["pins"]
    _write_doc(pinned, doc)
    assert read_plan_folder(pinned).pins == ()
    # the request's record wins over the posture's (the posture's is a report)
    doc["request"]["pins"] = []
    doc["stages"]["posture"]["pins"] = pins
    _write_doc(pinned, doc)
    assert read_plan_folder(pinned).pins == ()


@pytest.mark.parametrize(("pins", "message"), [
    ({"unit": "car1"}, r"request\.pins must be a list of pins; got \{'unit': 'car1'\}"),
    (["car1"], r"request\.pins\[0\] must be an object \(unit, post or grid, slots\)"),
    ([{"unit": "car1", "slots": [8]}], r"request\.pins\[0\]: pin of unit 'car1': give "
                                        r"exactly one of post or grid"),
    ([{"unit": "car1", "post": "p2"}], r"request\.pins\[0\]: not a pin record"),
    ([{"unit": "car1", "post": "p2", "slots": [8, 24]}],
     r"request\.pins\[0\] \(unit 'car1'\): slots \[24\] are not slots of the plan \(0\.\.23\)"),
    ([{"unit": "car1", "post": "p2", "slots": []}],
     r"request\.pins\[0\] \(unit 'car1'\): no slots: a pin holds some slots of the plan"),
])
def test_bad_stored_pins_name_the_file_and_field(pinned: Path, pins: object,
                                                 message: str) -> None:
    doc = _doc(pinned)
    doc["request"]["pins"] = pins
    _write_doc(pinned, doc)
    with pytest.raises(PlanFolderError, match=rf"^{pinned / 'plan.json'}: {message}"):
        read_plan_folder(pinned)


# --- deployment options --------------------------------------------------------------------

@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlanResult, Path]:
    """One county plan, written twice: with the default options, and with the re-plan's
    weight of the plan in force (``w_keep``, used by re-plans only, so the plan is the same)
    set to 1."""
    sc = scenario_mod.load("ebian")
    result = build_plan(sc, PlanRequest(start=DAY))
    root = tmp_path_factory.mktemp("county")
    write_plan_folder(result, PlanRequest(start=DAY), root / "default")
    write_plan_folder(result, PlanRequest(start=DAY, deploy_options=deploy.Options(
        w_keep=1.0)), root / "loose")
    return result, root


def test_plan_json_request_carries_the_options(county: tuple[PlanResult, Path]) -> None:
    _, root = county
    assert _doc(root / "default")["request"]["deploy_options"] == {}
    assert _doc(root / "loose")["request"]["deploy_options"] == {"w_keep": 1.0}
    # every option's value too, read back before the differences: the plan re-plans as it
    # was made even after an upgrade changed a default
    assert _doc(root / "default")["request"]["deploy_options_all"] == options_all(None)
    assert _doc(root / "loose")["request"]["deploy_options_all"]["w_keep"] == 1.0
    assert read_plan_folder(root / "default").deploy_options == deploy.Options()
    assert read_plan_folder(root / "loose").deploy_options == deploy.Options(w_keep=1.0)


def test_a_plan_made_under_other_defaults_is_read_with_them(
        county: tuple[PlanResult, Path], tmp_path: Path) -> None:
    _, root = county
    folder = tmp_path / "plan"
    shutil.copytree(root / "default", folder)
    doc = _doc(folder)
    # made when the over-deployment was priced against the record alone (the default then)
    doc["request"]["deploy_options_all"]["dosage_basis"] = "record"
    _write_doc(folder, doc)
    assert read_plan_folder(folder).deploy_options == deploy.Options(dosage_basis="record")
    # a plan.json from before every option was recorded: its differences, today's defaults
    del doc["request"]["deploy_options_all"]
    doc["request"]["deploy_options"] = {"w_keep": 1.0}
    _write_doc(folder, doc)
    assert read_plan_folder(folder).deploy_options == deploy.Options(w_keep=1.0)


def test_a_replan_uses_the_plans_options(county: tuple[PlanResult, Path],
                                         tmp_path: Path) -> None:
    _, root = county
    got: dict[str, dict[str, Any]] = {}
    for name in ("default", "loose"):
        r = runner.invoke(app, ["replan", str(root / name), "--at", "12:00", "--hot",
                                "G6:12:00-16:00:0.5", "--out", str(tmp_path / name),
                                "--json"])
        assert r.exit_code == 0, r.output
        got[name] = json.loads(r.stdout)
    # held to the plan in force by its own weight (1) rather than the re-plan's (50), the
    # loose plan's re-plan moves more units than the hot grid asks for (counted over moves
    # to another duty or place: routes drawn again over other streets of the same grid are
    # the routes stage's, which may keep more of one plan than of the other)
    moved = {k: sum(1 for c in v["changes"] if c["changed"] == "place") for k, v in got.items()}
    assert moved["loose"] > moved["default"] > 0
    assert got["loose"]["changed"] >= moved["loose"]
    loose = _doc(tmp_path / "loose")
    assert loose["stages"]["replan"]["keep_weight"] == 1.0
    assert _doc(tmp_path / "default")["stages"]["replan"]["keep_weight"] == 50.0
    assert loose["request"]["deploy_options"] == {"w_keep": 1.0}  # kept for the next one
    assert got["loose"]["deploy_options"] == {"w_keep": 1.0}
    assert got["default"]["deploy_options"] == {}


def test_the_replan_inputs_are_the_plans_options(county: tuple[PlanResult, Path],
                                                 tmp_path: Path) -> None:
    result, root = county
    folder = tmp_path / "plan"
    shutil.copytree(root / "default", folder)
    doc = _doc(folder)
    del doc["request"]["deploy_options_all"]  # as a plan.json written before it
    doc["request"]["deploy_options"] = {"staging_patrols": 2, "w_over": 7, "mip_gap": 0.01}
    _write_doc(folder, doc)
    pif = read_plan_folder(folder)
    inp = inputs_for_plan(pif, result.scenario, result.network)
    assert inp.options == deploy.Options(staging_patrols=2, w_over=7.0, mip_gap=0.01)
    default = deploy.Options()
    assert replace(inp.options, staging_patrols=default.staging_patrols, w_over=default.w_over,
                   mip_gap=default.mip_gap) == default


@pytest.mark.parametrize(("options", "message"), [
    ({"w_bogus": 1}, "request.deploy_options.w_bogus: unknown option"),
    ({"all": {"w_over": "20"}}, "request.deploy_options_all.w_over must be a finite number "
                                ">= 0; got '20'"),
    ({"hold_rings": "no"}, "request.deploy_options.hold_rings must be true or false; got "
                           "'no'"),
    ({"w_over": -3}, "request.deploy_options.w_over must be a finite number >= 0; got -3"),
    ("fast", "request.deploy_options must be an object of option names and values"),
])
def test_replan_refuses_bad_stored_options(county: tuple[PlanResult, Path], tmp_path: Path,
                                           options: object, message: str) -> None:
    _, root = county
    folder = tmp_path / "plan"
    shutil.copytree(root / "default", folder)
    doc = _doc(folder)
    if isinstance(options, dict) and "all" in options:  # a bad value among every option's
        doc["request"]["deploy_options_all"].update(options["all"])
    else:  # a plan.json written before every option was recorded
        del doc["request"]["deploy_options_all"]
        doc["request"]["deploy_options"] = options
    _write_doc(folder, doc)
    r = runner.invoke(app, ["replan", str(folder), "--at", "12:00"])
    assert r.exit_code == 1
    text = r.output.replace("\n", "")
    assert f"{folder / 'plan.json'}: {message}" in text, text
    assert not (folder / "replan-1200").exists()
