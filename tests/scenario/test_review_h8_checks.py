"""Review H8: scenario folders that checked clean (or with a warning) and then planned wrong.

Each test is one of the review's broken copies of a scenario, cut down to the mini scenario
of tests/conftest.py where that shows the same fault."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from xunfang import scenario
from xunfang._errors import Problem

Make = Callable[..., Path]

UNITS = "id,tier,mode,squad,home_post\nu1,special,car,patrol,p1\nu2,special,foot,patrol,p1\n"


def errors_of(path: Path) -> list[Problem]:
    return [p for p in scenario.check(path).problems if p.severity == "error"]


def test_header_only_posts_makes_every_home_post_unknown(make_scenario: Make) -> None:
    # (review: posts.csv with its header only planned 0 units, one warning, exit 0)
    errs = errors_of(make_scenario({"posts.csv": "id,name,kind,node\n", "units.csv": UNITS}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("units.csv", 1, "home_post", "unknown-post"),
        ("units.csv", 2, "home_post", "unknown-post")]
    assert "no data rows" in errs[0].message


def test_edge_shorter_than_the_straight_line_is_an_error(make_scenario: Make) -> None:
    # (review: one length_m typed in km, 0.2483 for 248 m, checked clean)
    errs = errors_of(make_scenario(
        {"network/edges.csv": "u,v,length_m\na,b,0.4\nb,c,\nc,d,395\nd,a,\nb,e,\n"}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("network/edges.csv", 1, "length_m", "shorter-than-straight")]
    assert "a→b" in errs[0].message and "400.0 m" in errs[0].message
    assert "kilometres" in errs[0].message


def test_every_edge_in_kilometres_is_one_error_saying_so(make_scenario: Make) -> None:
    # (review: every length_m in km checked clean; the plan's p50 response was 0.00094 min)
    errs = errors_of(make_scenario(
        {"network/edges.csv": "u,v,length_m\na,b,0.4\nb,c,0.3\nc,d,0.4\nd,a,0.3\nb,e,0.4\n"}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("network/edges.csv", 1, "length_m", "shorter-than-straight")]
    assert "5 of 5 edges" in errs[0].message and "kilometres" in errs[0].message


def test_rounded_and_longer_lengths_pass(make_scenario: Make) -> None:
    sc = scenario.load(make_scenario(
        {"network/edges.csv": "u,v,length_m\na,b,399.2\nb,c,300\nc,d,520\nd,a,\nb,e,\n"}))
    assert sc.roads.length_m[0] == 399.2


def _grid(gid: str, ring: list[list[float]]) -> dict[str, object]:
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"kind": "grid", "id": gid}}


def _areas(*feats: dict[str, object]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(feats)})


UTM = {
    "scenario.toml": 'name = "utm"\ncrs = "EPSG:32648"\n',
    "network/nodes.csv": "id,x,y\na,330000,3234000\nb,330400,3234000\nc,330400,3234300\n"
                         "d,330000,3234300\ne,330800,3234000\n",
}


def test_areas_in_lonlat_under_a_metric_crs_is_one_error(make_scenario: Make) -> None:
    # (review: areas.geojson exported per RFC 7946 in lon/lat under EPSG:32648 checked with
    # warnings about sites outside every grid; the plan's KPIs were null)
    lonlat = [[103.25, 29.22], [103.26, 29.22], [103.26, 29.23], [103.25, 29.23],
              [103.25, 29.22]]
    errs = errors_of(make_scenario({**UTM, "areas.geojson": _areas(
        _grid("G1", lonlat), _grid("G2", [[x + 0.01, y] for x, y in lonlat]))}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("areas.geojson", 1, "geometry", "areas-off-network")]
    assert "lon/lat" in errs[0].message and "EPSG:32648" in errs[0].message


def test_one_area_far_off_the_network_is_an_error(make_scenario: Make) -> None:
    ok = [[329900, 3233900], [330900, 3233900], [330900, 3234400], [329900, 3234400],
          [329900, 3233900]]
    swapped = [[y, x] for x, y in ok]
    errs = errors_of(make_scenario({**UTM, "areas.geojson": _areas(
        _grid("G1", ok), _grid("G2", swapped))}))
    assert [(e.file, e.row, e.rule) for e in errs] == [("areas.geojson", 2, "areas-off-network")]
    assert "'G2'" in errs[0].message
    assert scenario.check(make_scenario({**UTM, "areas.geojson": _areas(_grid("G1", ok))},
                                        name="fine")).ok


def test_a_units_squad_no_one_belongs_to_is_an_error(make_scenario: Make) -> None:
    # (review: TX-C1's squad typed 'fxied' planned the car all day with an empty crew)
    people = "id,role,team,squad\nx1,police,A,patrol\nx2,police,A,fixed\n"
    errs = errors_of(make_scenario({"units.csv": UNITS.replace("u2,special,foot,patrol",
                                                               "u2,special,foot,fxied"),
                                    "people.csv": people}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("units.csv", 2, "squad", "unknown-squad")]
    assert "'fxied'" in errs[0].message and "fixed, patrol" in errs[0].message
    # without people.csv, or with auxiliary forces only, no police crew is modelled at all
    assert not errors_of(make_scenario({"units.csv": UNITS}, name="nopeople"))
    assert not errors_of(make_scenario({"units.csv": UNITS, "people.csv":
                                        "id,role,team,squad\nv1,volunteer,Y,volunteer\n"},
                                       name="auxonly"))


TEAMS = ("id,role,team,squad\nx1,police,A,patrol\nx2,police,B,patrol\nx3,police,C,patrol\n"
         "x4,police,D,patrol\nv1,volunteer,Y,volunteer\n")


def test_a_team_the_roster_does_not_work_is_an_error(make_scenario: Make) -> None:
    # (review: team 'E', or 'a' for 'A', took the person off the roster in silence)
    for team, hint in (("E", None), ("a", "did you mean 'A'?")):
        errs = errors_of(make_scenario({"units.csv": UNITS,
                                        "people.csv": TEAMS + f"x5,police,{team},patrol\n"},
                                       name=f"team{team}"))
        assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
            ("people.csv", 6, "team", "unknown-team")]
        assert f"team {team!r}" in errs[0].message and "A, B, C, D" in errs[0].message
        assert hint is None or hint in errs[0].message
    # a team no unit shares with rostered people (a volunteer team) is not the roster's
    assert not errors_of(make_scenario({"units.csv": UNITS, "people.csv": TEAMS}, name="ok"))


def test_leave_is_whole_days_and_a_time_or_a_suffix_is_refused(make_scenario: Make) -> None:
    # (review: 2026-12-02T14:00 to T16:00 became the whole day; 2026-12-02xx passed)
    people = "id,role,team,squad\nx1,police,A,patrol\n"
    for a, b, words in (("2026-12-02T14:00", "2026-12-02T16:00", "whole calendar days"),
                        ("2026-12-02xx", "2026-12-0299", "YYYY-MM-DD")):
        errs = errors_of(make_scenario({"people.csv": people,
                                        "leave.csv": f"person,from,to\nx1,{a},{b}\n"},
                                       name=a.replace(":", "")))
        assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
            ("leave.csv", 1, "from", "bad-date"), ("leave.csv", 1, "to", "bad-date")]
        assert words in errs[0].message
    sc = scenario.load(make_scenario({"people.csv": people, "leave.csv":
                                      "person,from,to\nx1,2026-12-02,2026-12-03\n"}, name="ok"))
    assert (sc.leave[0].start.isoformat(), sc.leave[0].end.isoformat()) == (
        "2026-12-02", "2026-12-03")


def test_an_exit_or_a_camera_as_home_post_is_an_error(make_scenario: Make) -> None:
    # (review: a camera and an exit passed as home posts; events.csv refuses them)
    posts = "id,name,kind,node\np1,Station one,station,a\ng1,East gate,exit,e\nc1,Cam,camera,c\n"
    units = "id,tier,mode,squad,home_post\nu1,special,car,patrol,g1\nu2,special,car,patrol,c1\n"
    errs = errors_of(make_scenario({"posts.csv": posts, "units.csv": units}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("units.csv", 1, "home_post", "bad-post-kind"),
        ("units.csv", 2, "home_post", "bad-post-kind")]
    assert "'exit'" in errs[0].message and "'camera'" in errs[1].message


def test_without_police_crews_a_warning_says_crews_are_not_modelled(make_scenario: Make
                                                                     ) -> None:
    # (review: without people.csv all 38 units stood every slot with empty crews and the
    # drones flew 542 sortie-minutes a day; the check said nothing)
    for name, files in (("none", {}), ("aux", {"people.csv": "id,role,team,squad\n"
                                                             "v1,volunteer,Y,volunteer\n"})):
        result = scenario.check(make_scenario({"units.csv": UNITS, **files}, name=name))
        assert result.ok
        said = [p for p in result.warnings if p.rule == "no-crews"]
        assert [(p.file, p.severity) for p in said] == [("people.csv", "warning")]
        assert "crews are not modelled" in said[0].message
        assert "every slot" in said[0].message
    # crews modelled, or no units: nothing to say
    assert not [p for p in scenario.check(make_scenario(
        {"units.csv": UNITS, "people.csv": "id,role,team,squad\nx1,police,A,patrol\n"},
        name="crewed")).problems if p.rule == "no-crews"]
    assert not [p for p in scenario.check(make_scenario(name="nounits")).problems
                if p.rule == "no-crews"]


def test_check_refuses_the_shift_settings_the_plan_refuses(tmp_path: Path) -> None:
    # (review: "四班三运转" and [8, 16] under 4-3 checked with a warning, exit 0; the plan
    # then refused both)
    import shutil

    import xunfang.scenarios

    for k, (old, new, rule) in enumerate((
            ('shift_pattern = "4-3"', 'shift_pattern = "四班三运转"', "bad-pattern"),
            ("shift_starts = [8, 16, 0]", "shift_starts = [8, 16]", "shift-starts"))):
        folder = tmp_path / f"sc{k}"
        shutil.copytree(Path(xunfang.scenarios.__file__).parent / "ebian", folder)
        toml = folder / "scenario.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        errs = errors_of(folder)
        assert [(e.file, e.rule) for e in errs] == [("scenario.toml", rule)]


def test_a_place_beyond_any_snap_to_the_roads_is_an_error(make_scenario: Make) -> None:
    # (review: a post 3,248 km off the roads, its lon/lat typed into x/y, was only warned of)
    posts = ("id,name,kind,x,y,node\np1,Station one,station,,,a\nfar,Far,standby,9000,0,\n"
             "near,Near,standby,1300,0,\n")
    result = scenario.check(make_scenario({"posts.csv": posts}))
    assert [(p.file, p.row, p.rule, p.severity) for p in result.problems] == [
        ("posts.csv", 2, "far-from-roads", "error"),
        ("posts.csv", 3, "far-from-roads", "warning")]
    assert "8.2 km" in result.errors[0].message


def test_skills_joined_the_way_people_join_them(make_scenario: Make) -> None:
    # (review: "armed、driver、drone_pilot、leader" read as one skill: the pilot was none)
    people = ("id,role,team,squad,skills\nx1,police,A,patrol,armed、driver、drone_pilot\n"
              "x2,police,A,patrol,armed；driver，leader\nx3,police,A,patrol,\"armed;driver,leader\"\n")
    sc = scenario.load(make_scenario({"people.csv": people}))
    assert [q.skills for q in sc.people] == [("armed", "driver", "drone_pilot"),
                                             ("armed", "driver", "leader"),
                                             ("armed", "driver", "leader")]


def test_short_edges_around_one_misplaced_node_name_the_node(make_scenario: Make) -> None:
    # (review copies: one node moved 20 km, or its x/y swapped, checked clean)
    nodes = "id,x,y\na,0,0\nb,400,0\nc,400,300\nd,0,300\ne,20800,0\n"
    errs = errors_of(make_scenario({"network/nodes.csv": nodes, "network/edges.csv":
                                    "u,v,length_m\na,b,400\nb,c,300\nc,d,400\nd,a,300\n"
                                    "b,e,400\nc,e,500\n"}))
    assert [(e.row, e.rule) for e in errs] == [(5, "shorter-than-straight"),
                                               (6, "shorter-than-straight")]
    assert "touches node 'e'" in errs[0].message


def test_a_unit_whose_squad_has_no_one_of_its_tier_is_an_error(make_scenario: Make) -> None:
    # people who carry a tier crew only units of that tier: none here for u1 and u2
    people = "id,role,team,squad,tier\nx1,police,A,patrol,precinct\n"
    errs = errors_of(make_scenario({"units.csv": UNITS, "people.csv": people}))
    assert [(e.file, e.row, e.column, e.rule) for e in errs] == [
        ("units.csv", 1, "tier", "unknown-squad"), ("units.csv", 2, "tier", "unknown-squad")]
    assert "of tier 'special'" in errs[0].message and "tier precinct" in errs[0].message
