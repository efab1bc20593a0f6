"""`xunfang rings blockade` after review AV: offender times, in-time flags, place names and
the ring's centre in the output; --at as a post, site or x,y; drones refused by --mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from xunfang.cli.main import app

Make = Callable[..., Path]
runner = CliRunner()
TOML = 'name = "mini"\ncrs = "local"\n[policy.speeds_kph]\nfoot = 6\ncar = 30\n'
POSTS = ("id,name,kind,node\np1,Station one,station,a\nk1,Kiosk,kiosk,c\n"
         "x1,East gate,exit,e\nx2,North gate,exit,d\n")
UNITS = "id,tier,mode,squad,home_post\nc1,special,car,s,p1\nf1,precinct,foot,v,k1\n"
# the mini network: a(0,0) -400- b(400,0) -300- c(400,300) -400- d(0,300) -300- a;
# b -400- e(800,0), a road end on the map's edge; every road 30 km/h (500 m a minute)
EDGES = "u,v,speed_kph\na,b,30\nb,c,30\nc,d,30\nd,a,30\nb,e,30\n"


def _path(make: Make, **extra: str) -> str:
    return str(make({"scenario.toml": TOML, "posts.csv": POSTS, "units.csv": UNITS,
                     "network/edges.csv": EDGES, **extra}))


def test_ring_json_says_centre_offender_and_why_open(make_scenario: Make) -> None:
    path = _path(make_scenario)
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "a", "--ring-minutes", "0.7",
                            "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert (doc["centre"], doc["radius_minutes"], doc["mode"], doc["hour"],
            doc["offender_speed_factor"]) == ("a", 0.7, "car", None, 1.0)
    # inside 0.7 min (350 m): a, d. Roads out: a→b (b leads on to c and e), d→c (c leads on
    # to b). The offender reaches b at 0.8 min and c at 1.4 (300 + 400 m)
    exits = {e["exit"]: e for e in doc["exits"]}
    assert {k: e["offender_minutes"] for k, e in exits.items()} == {"b": 0.8, "c": 1.4}
    seals = {s["exit"]: s for s in doc["assignment"]}
    # the kiosk's walker stands on c: there at once, before the offender; the car c1 leaves
    # a with the offender and reaches b with it, not before: late
    assert (seals["c"]["unit"], seals["c"]["in_time"]) == ("f1", True)
    assert (seals["b"]["unit"], seals["b"]["in_time"]) == ("c1", False)
    assert seals["b"]["offender_minutes"] == 0.8
    assert doc["sealed_in_time"] == 1 and doc["sealed_late"] == ["b"]
    assert exits["c"]["open_reason"] is None and exits["b"]["open_reason"] == "too_late"
    assert doc["cannot_seal_in_time"] == ["b"]
    assert all("place" in e for e in doc["exits"])


def test_text_names_places_and_marks_late_seals(make_scenario: Make) -> None:
    path = _path(make_scenario)
    r = runner.invoke(app, ["rings", "blockade", path], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "East gate (x1)" in r.output and "Station one (p1)" in r.output
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "a", "--ring-minutes", "0.7"],
                      env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "offender at car speed x1" in r.output and "LATE" in r.output
    assert "sealed before the offender: 1 of 2 exits" in r.output
    assert "every unit that can reach it arrives after the offender" in r.output


def test_at_takes_a_post_or_coordinates(make_scenario: Make) -> None:
    path = _path(make_scenario)
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "k1", "--ring-minutes", "0.7",
                            "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["centre"] == "c" and doc["snap_m"] == 0.0
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "30,40", "--ring-minutes",
                            "0.7", "--json"])
    doc = json.loads(r.stdout)
    assert doc["centre"] == "a" and doc["snap_m"] == 50.0
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "30,40", "--ring-minutes",
                            "0.7"], env={"COLUMNS": "200"})
    assert "snapped 50 m to node a" in r.output


def test_drones_are_refused_by_mode(make_scenario: Make) -> None:
    path = _path(make_scenario)
    for extra in ([], ["--at", "a", "--ring-minutes", "1"]):
        r = runner.invoke(app, ["rings", "blockade", path, "--mode", "drone", *extra])
        assert r.exit_code == 1 and "--mode drone: drones cannot seal an exit" in r.output


def test_footway_centre_and_whole_network(make_scenario: Make) -> None:
    path = _path(make_scenario,
                 **{"network/nodes.csv": "id,x,y\na,0,0\nb,400,0\nc,400,300\nd,0,300\n"
                                         "e,800,0\nf,0,-300\n",
                    "network/edges.csv": EDGES.replace("speed_kph\n", "speed_kph,class\n")
                    .replace(",30\n", ",30,residential\n") + "a,f,30,footway\n"})
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "f", "--ring-minutes", "1"])
    assert r.exit_code == 1 and "--at: node 'f' lies on no road car may use" in r.output
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "a", "--ring-minutes", "100"],
                      env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "whole network:" in r.output and "its only exits are the 1 road(s) leaving" in r.output


def test_help_documents_the_offender(make_scenario: Make) -> None:
    r = runner.invoke(app, ["rings", "blockade", "--help"], env={"COLUMNS": "200"})
    assert "--offender-speed-factor" in r.output and "before the offender" in r.output


# --- review BA -------------------------------------------------------------------------------


def test_at_far_off_the_map_is_refused(make_scenario: Make) -> None:
    from xunfang.planning.blockade import AT_MARGIN_M

    path = _path(make_scenario)
    far = f"{800 + AT_MARGIN_M + 50:g},0"  # e is at (800, 0), the east end of the map
    r = runner.invoke(app, ["rings", "blockade", path, "--at", far, "--ring-minutes", "1"])
    assert r.exit_code == 1 and "--at" in r.output and "from the nearest road node" in r.output
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "99999,99999",
                            "--ring-minutes", "1"])
    assert r.exit_code == 1 and "--at" in r.output, r.output


def test_no_ground_unit_says_no_unit_to_send(make_scenario: Make) -> None:
    path = _path(make_scenario, **{"units.csv": "id,tier,mode,squad,home_post\n"
                                                "d1,special,drone,s,p1\n"})
    r = runner.invoke(app, ["rings", "blockade", path])
    assert r.exit_code == 0, r.output
    assert "0 units can go" in r.output and "no unit to send" in r.output
    assert "no unit can reach it" not in r.output
    doc = json.loads(runner.invoke(app, ["rings", "blockade", path, "--json"]).stdout)
    assert doc["units"] == 0 and {e["open_reason"] for e in doc["exits"]} == {"no_units"}


def test_offender_factor_needs_at_and_a_sane_value(make_scenario: Make) -> None:
    path = _path(make_scenario)
    r = runner.invoke(app, ["rings", "blockade", path, "--offender-speed-factor", "2"])
    assert r.exit_code == 1
    assert "--offender-speed-factor" in r.output and "--at" in r.output, r.output
    r = runner.invoke(app, ["rings", "blockade", path, "--at", "a", "--ring-minutes", "0.7",
                            "--offender-speed-factor", "1e-320"])
    assert r.exit_code == 1 and "--offender-speed-factor must be" in r.output, r.output
    assert "overflow" not in r.output
