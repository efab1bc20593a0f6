"""``xunfang plan --option NAME=VALUE``: the posture's weights and rules from the command line.

Good options reach the plan (plan.json ``request.deploy_options``, and the posture planned
with them) and its re-plans; bad ones exit 1 naming ``--option``, the option and the rule,
and write nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.planning.test_routes import LATTICE
from xunfang.cli.main import app
from xunfang.planning import deploy
from xunfang.planning.pipeline import options_from_pairs

Make = Callable[..., Path]
runner = CliRunner()


def _doc(folder: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return doc


def _staging(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in doc["plan"]["assignments"] if a["note"].startswith("staging at ")]


def _plan(path: Path, out: Path, *options: str) -> Any:
    args = ["plan", str(path), "--out", str(out), "--from", "2026-12-01", "--days", "1"]
    for text in options:
        args += ["--option", text]
    return runner.invoke(app, args)


def test_options_reach_the_plan_and_its_replans(make_scenario: Make, tmp_path: Path) -> None:
    # the lattice town: two grids, each with a tier-1 site whose ring a car can hold
    path = make_scenario(LATTICE)
    r = _plan(path, tmp_path / "default")
    assert r.exit_code == 0, r.output
    default = _doc(tmp_path / "default")
    assert default["request"]["deploy_options"] == {}
    assert default["stages"]["posture"]["staging"]["holds"] > 0 and _staging(default)

    r = _plan(path, tmp_path / "opts", "hold_rings=false", "w_over=100",
              "dosage_basis=forecast", "staging_patrols=1")
    assert r.exit_code == 0, r.output
    doc = _doc(tmp_path / "opts")
    assert doc["request"]["deploy_options"] == {"hold_rings": False, "w_over": 100.0,
                                                "dosage_basis": "forecast",
                                                "staging_patrols": 1}
    # hold_rings=false: no unit stands to hold a ring
    assert "staging" not in doc["stages"]["posture"] and _staging(doc) == []

    # a re-plan of it plans with them and passes them on
    r = runner.invoke(app, ["replan", str(tmp_path / "opts"), "--at", "09:00",
                            "--out", str(tmp_path / "r"), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["deploy_options"] == doc["request"]["deploy_options"]
    again = _doc(tmp_path / "r")
    assert again["request"]["deploy_options"] == doc["request"]["deploy_options"]
    assert _staging(again) == []


@pytest.mark.parametrize(("options", "message"), [
    (["w_bogus=1"], "--option.w_bogus: unknown option (the options are dosage_basis,"),
    (["hold_rings=1"], "--option.hold_rings must be true or false; got 1"),
    (["hold_rings=no"], "--option.hold_rings must be true or false; got 'no'"),
    (["staging_patrols=1.5"], "--option.staging_patrols must be a whole number; got 1.5"),
    (["w_over=lots"], "--option.w_over must be a finite number >= 0; got 'lots'"),
    (["w_over=-3"], "--option.w_over must be a finite number >= 0; got -3"),
    (["w_over=NaN"], "--option.w_over must be a finite number >= 0; got nan"),
    (["dosage_floor=0"], "--option: Options.dosage_floor must be a whole number >= 1; got 0"),
    (["joint_patrol_units=0"], "--option: Options.joint_patrol_units must be a whole number "
                               ">= 1; got 0"),
    (["dosage_basis=guess"], "--option: Options.dosage_basis must be 'record', "
                             "'forecast' or 'both'; got 'guess'"),
    (["w_over"], "--option 'w_over': expected NAME=VALUE, e.g. w_over=100"),
    (["=3"], "--option '=3': expected NAME=VALUE"),
    (["w_over=1", "w_over=2"], "--option 'w_over=2': option w_over is given twice"),
])
def test_a_bad_option_writes_nothing(make_scenario: Make, tmp_path: Path,
                                     options: list[str], message: str) -> None:
    out = tmp_path / "plan"
    r = _plan(make_scenario(), out, *options)
    assert r.exit_code == 1
    text = " ".join(r.output.split())  # the terminal may wrap the message
    assert message in text and "no plan written" in text
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sc"]


def test_a_bad_option_keeps_the_old_plan_folder(make_scenario: Make, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    path = make_scenario()
    assert _plan(path, out).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    r = _plan(path, out, "w_over=5", "dosage_floor=0")
    assert r.exit_code == 1 and "dosage_floor" in r.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan", "sc"]


def test_option_values_are_json_numbers_and_flags_else_words() -> None:
    assert options_from_pairs([]) is None
    got = options_from_pairs(["w_over=100", "staging_patrols=2", "patrol_load=false",
                              "dosage_basis=record", "mip_gap=1e-2"])
    assert got == deploy.Options(w_over=100.0, staging_patrols=2, patrol_load=False,
                                 dosage_basis="record", mip_gap=0.01)
    assert isinstance(got.w_over, float)
    # a JSON string, list or null is not unquoted: it is the word as typed
    with pytest.raises(deploy.DeployError, match=r"""got '"record"'$"""):
        options_from_pairs(['dosage_basis="record"'])
    with pytest.raises(deploy.DeployError, match=r"^--pairs\.w_over .* got 'null'$"):
        options_from_pairs(["w_over=null"], where="--pairs")


def test_plan_prints_the_scenarios_warnings(make_scenario: Make, tmp_path: Path) -> None:
    """`plan` reads the scenario as `scenario check` does and prints its warnings (a review:
    a post 123 km off the roads was planned from without a word; the rings commands printed
    the warnings, `plan` dropped them)."""
    posts = LATTICE["posts.csv"].replace("id,name,kind,node\n", "id,name,kind,node,x,y\n")
    posts = "".join(line + ("\n" if i == 0 else ",,\n")
                    for i, line in enumerate(posts.strip().split("\n")))
    # 2.2 km off (over 5 km is an error now, under it a warning)
    posts += "P9,Far station,station,,2000,2600\n"
    path = make_scenario({**LATTICE, "posts.csv": posts})
    r = _plan(path, tmp_path / "out")
    assert r.exit_code == 0, r.output
    assert "posts.csv, row 6" in r.stderr and "m from the nearest road node" in r.stderr
