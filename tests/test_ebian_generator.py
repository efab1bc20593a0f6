"""The built-in scenario ``ebian``: reproducible from its generator, and shaped as the article says.

The structural checks read the shipped files with the csv/json modules only, so that they say
what the data is independently of the loader; one test at the end also loads it through
``xunfang.scenario`` to show the two agree.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "generate_ebian.py"
SHIPPED = ROOT / "src" / "xunfang" / "scenarios" / "ebian"
FOOT = {"pedestrian", "footway", "steps", "path", "cycleway"}
OSM_CLASSES = {"primary", "secondary", "tertiary", "residential", "service", "unclassified",
               "pedestrian", "footway", "steps"}
BRIGADE_TEAMS = {"day", "A", "B", "C", "D"}


def rows(name: str) -> list[dict[str, str]]:
    with open(SHIPPED / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def nodes() -> dict[str, tuple[float, float]]:
    return {r["id"]: (float(r["x"]), float(r["y"])) for r in rows("network/nodes.csv")}


@pytest.fixture(scope="module")
def edges() -> list[dict[str, str]]:
    return rows("network/edges.csv")


@pytest.fixture(scope="module")
def areas() -> list[dict[str, object]]:
    doc = json.loads((SHIPPED / "areas.geojson").read_text(encoding="utf-8"))
    out = []
    for f in doc["features"]:
        props = dict(f["properties"])
        props["geometry"] = shapely.geometry.shape(f["geometry"])
        out.append(props)
    return out


def of_kind(areas: list[dict[str, object]], kind: str) -> list[dict[str, object]]:
    return [a for a in areas if a["kind"] == kind]


def town(areas: list[dict[str, object]]) -> shapely.Polygon:
    return next(a["geometry"] for a in areas if a["kind"] == "ring" and a["level"] == 3)


def car_moves(edges: list[dict[str, str]]) -> set[tuple[str, str]]:
    moves = set()
    for e in edges:
        if e["class"] in FOOT:
            continue
        moves.add((e["u"], e["v"]))
        if e["oneway"] == "0":
            moves.add((e["v"], e["u"]))
    return moves


def reach(moves: set[tuple[str, str]], start: str) -> set[str]:
    adj: dict[str, list[str]] = defaultdict(list)
    for a, b in moves:
        adj[a].append(b)
    seen, stack = {start}, [start]
    while stack:
        for b in adj[stack.pop()]:
            if b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


# -- reproducibility ------------------------------------------------------------------------------


def test_generator_reproduces_the_shipped_folder_byte_for_byte(tmp_path: Path) -> None:
    pytest.importorskip("holidays")
    out = tmp_path / "ebian"
    done = subprocess.run([sys.executable, str(TOOL), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    made, shipped = files_under(out), files_under(SHIPPED)
    assert sorted(made) == sorted(shipped)
    differ = [name for name in shipped if made[name] != shipped[name]]
    assert differ == [], f"regenerate with: python tools/generate_ebian.py ({differ})"


def test_files_are_utf8_without_bom_with_unix_line_ends() -> None:
    for name, data in files_under(SHIPPED).items():
        assert not data.startswith(b"\xef\xbb\xbf"), name
        assert b"\r" not in data, name
        data.decode("utf-8")
    assert (SHIPPED / "incidents.csv").stat().st_size < 1_500_000


# -- scenario.toml --------------------------------------------------------------------------------


def test_scenario_toml_holds_the_article_policy() -> None:
    doc = tomllib.loads((SHIPPED / "scenario.toml").read_text(encoding="utf-8"))
    assert doc["name"] == "ebian"
    assert doc["crs"] == "EPSG:32648"
    assert doc["timezone"] == "Asia/Shanghai"
    assert (doc["horizon_days"], doc["slot_minutes"]) == (1, 60)
    pol = doc["policy"]
    assert pol["response_targets"] == {"1": 1, "2": 3, "3": 5}
    assert pol["revisit_minutes"] == {"1": 120, "2": 240, "3": 480}
    assert pol["shift_pattern"] == "4-3"
    assert pol["shift_starts"] == [8, 16, 0]
    assert pol["speeds_kph"] == {"car": 50, "motorcycle": 45, "balance": 12, "foot": 5,
                                 "drone": 60}
    assert pol["peak_factors"] == [{"hours": [7, 8, 17, 18], "factor": 0.7,
                                    "modes": ["car", "motorcycle"]}]


# -- network --------------------------------------------------------------------------------------


def test_network_is_a_town_of_a_few_hundred_junctions(
        nodes: dict[str, tuple[float, float]], edges: list[dict[str, str]]) -> None:
    assert 300 <= len(nodes) <= 450
    degree = Counter(n for e in edges for n in (e["u"], e["v"]))
    assert sum(1 for d in degree.values() if d >= 3) >= 200
    classes = Counter(e["class"] for e in edges)
    assert set(classes) <= OSM_CLASSES
    assert {"primary", "secondary", "residential", "footway", "steps"} <= set(classes)
    assert 1 <= sum(1 for e in edges if e["oneway"] == "1") <= 20
    names = {e["name"] for e in edges}
    assert {"滨河路", "新华街", "人民路", "沙坪大桥", "新区大桥"} <= names
    # the town lies around the real place (103.26 E 29.23 N is about (330887, 3234722))
    xs = [x for x, _ in nodes.values()]
    ys = [y for _, y in nodes.values()]
    assert min(xs) > 325_000 and max(xs) < 337_000
    assert min(ys) > 3_229_000 and max(ys) < 3_240_000


def test_edges_are_valid_and_no_shorter_than_the_straight_line(
        nodes: dict[str, tuple[float, float]], edges: list[dict[str, str]]) -> None:
    pairs = set()
    for e in edges:
        u, v = e["u"], e["v"]
        assert u in nodes and v in nodes and u != v
        key = (min(u, v), max(u, v))
        assert key not in pairs, f"two edges join {key}"
        pairs.add(key)
        straight = math.dist(nodes[u], nodes[v])
        assert float(e["length_m"]) >= straight - 1e-6, e
        assert float(e["speed_kph"]) > 0
        assert e["oneway"] in ("0", "1")
        assert e["oneway"] == "0" or e["class"] not in FOOT
        assert e["name"]


def test_car_network_is_one_strongly_connected_piece_and_footways_join_it(
        nodes: dict[str, tuple[float, float]], edges: list[dict[str, str]]) -> None:
    moves = car_moves(edges)
    car_nodes = {a for a, _ in moves} | {b for _, b in moves}
    start = min(car_nodes)
    assert reach(moves, start) == car_nodes
    assert reach({(b, a) for a, b in moves}, start) == car_nodes
    both = {(e["u"], e["v"]) for e in edges} | {(e["v"], e["u"]) for e in edges}
    assert reach(both, start) == set(nodes)


# -- areas ----------------------------------------------------------------------------------------


def test_areas_are_three_zones_seven_grids_and_three_rings(
        areas: list[dict[str, object]]) -> None:
    assert len(of_kind(areas, "zone")) == 3
    assert len(of_kind(areas, "grid")) == 7
    assert sorted(a["level"] for a in of_kind(areas, "ring")) == [1, 2, 3]  # type: ignore[type-var]
    ids = [(a["kind"], a["id"]) for a in areas]
    assert len(set(ids)) == len(ids)
    for a in areas:
        geom = a["geometry"]
        assert isinstance(geom, shapely.Polygon), a["id"]
        assert geom.is_valid, (a["id"], shapely.is_valid_reason(geom))
        assert geom.exterior.is_ring and geom.area > 0
        assert a["name"]


def test_grids_tile_the_town_and_each_lies_in_one_zone(areas: list[dict[str, object]]) -> None:
    whole = town(areas)
    grids = [g["geometry"] for g in of_kind(areas, "grid")]
    zones = {z["id"]: z["geometry"] for z in of_kind(areas, "zone")}
    union = shapely.union_all(grids)
    assert abs(union.area - whole.area) < 1e-4 * whole.area
    assert abs(sum(g.area for g in grids) - union.area) < 1e-4 * whole.area  # no overlaps
    assert abs(shapely.union_all(list(zones.values())).area - whole.area) < 1e-4 * whole.area
    for g in of_kind(areas, "grid"):
        inside = [zid for zid, z in zones.items()
                  if g["geometry"].difference(z).area < 1.0]  # type: ignore[attr-defined]
        assert inside == [g["zone"]], g["id"]
    # the town: about 4 km along the river, 1-1.5 km across
    assert 4.5e6 < whole.area < 6.5e6


def test_control_rings_nest(areas: list[dict[str, object]]) -> None:
    ring = {a["level"]: a["geometry"] for a in of_kind(areas, "ring")}
    assert ring[1].difference(ring[2]).area < 1.0  # type: ignore[attr-defined]
    assert ring[2].difference(ring[3]).area < 1.0  # type: ignore[attr-defined]
    assert ring[1].area < ring[2].area < ring[3].area  # type: ignore[attr-defined]


# -- sites and posts ------------------------------------------------------------------------------


def test_sites_lie_in_one_grid_near_their_node(
        nodes: dict[str, tuple[float, float]], areas: list[dict[str, object]]) -> None:
    sites = rows("sites.csv")
    assert 25 <= len(sites) <= 40
    tiers = Counter(s["tier"] for s in sites)
    assert set(tiers) == {"1", "2", "3"}
    kinds = {s["kind"] for s in sites}
    assert {"government", "square", "bus_station", "hospital", "primary_school",
            "middle_school", "bank", "market", "night_market"} <= kinds
    assert any(s["name"] == "背峰山广场" and s["tier"] == "1" for s in sites)
    grids = of_kind(areas, "grid")
    for s in sites:
        p = shapely.Point(float(s["x"]), float(s["y"]))
        assert sum(1 for g in grids if g["geometry"].contains(p)) == 1, s["id"]  # type: ignore[attr-defined]
        assert math.dist(nodes[s["node"]], (p.x, p.y)) < 150.0, s["id"]


def test_posts_follow_the_article(nodes: dict[str, tuple[float, float]],
                                  areas: list[dict[str, object]]) -> None:
    posts = rows("posts.csv")
    kinds = Counter(p["kind"] for p in posts)
    assert kinds["station"] == 2
    assert kinds["rapid"] == 1
    assert kinds["standby"] == 1
    assert kinds["kiosk"] <= 1
    assert kinds["police_station"] == 7
    assert 20 <= kinds["camera"] <= 30
    checkpoints = [p for p in posts if p["kind"] == "checkpoint"]
    assert sum(1 for p in checkpoints if p["night_only"] == "1") == 2
    assert sum(1 for p in checkpoints if p["night_only"] == "0") >= 4
    assert kinds["exit"] >= kinds["checkpoint"] - 2
    assert all(p["night_only"] == "0" for p in posts if p["kind"] != "checkpoint")
    assert len({p["id"] for p in posts}) == len(posts)
    whole = town(areas)
    for p in posts:
        assert nodes[p["node"]] == (float(p["x"]), float(p["y"])), p["id"]
        if p["kind"] != "police_station":
            assert whole.covers(shapely.Point(nodes[p["node"]])), p["id"]
    in_town = [p for p in posts if p["kind"] == "police_station"
               and whole.covers(shapely.Point(nodes[p["node"]]))]
    assert 2 <= len(in_town) <= 3
    square = next(s for s in rows("sites.csv") if s["name"] == "背峰山广场")
    standby = next(p for p in posts if p["kind"] == "standby")
    assert standby["node"] == square["node"]


# -- lines ----------------------------------------------------------------------------------------


def test_five_lines_of_consecutive_car_edges(edges: list[dict[str, str]]) -> None:
    moves = car_moves(edges)
    steps: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for r in rows("lines.csv"):
        steps[r["line"]].append((int(r["seq"]), r["node"], r["every_minutes"]))
    assert len(steps) == 5
    for line, st in steps.items():
        st.sort()
        assert [s for s, _, _ in st] == list(range(1, len(st) + 1)), line
        assert len({e for _, _, e in st}) == 1 and 60 <= float(st[0][2]) <= 240
        path = [n for _, n, _ in st]
        assert len(path) >= 5
        for a, b in itertools.pairwise(path):
            assert (a, b) in moves, f"{line}: {a} -> {b} is not a car move"


# -- forces ---------------------------------------------------------------------------------------


def test_units_follow_the_article() -> None:
    units = rows("units.csv")
    posts = {p["id"]: p for p in rows("posts.csv")}
    staffed = {"station", "rapid", "standby", "kiosk", "police_station"}
    for u in units:
        assert u["home_post"] in posts, u["id"]
        assert posts[u["home_post"]]["kind"] in staffed, u["id"]
        assert u["mode"] in {"car", "motorcycle", "balance", "foot", "drone"}
    special = Counter(u["mode"] for u in units if u["tier"] == "special")
    assert special == Counter({"car": 3, "motorcycle": 6, "balance": 4, "drone": 2})
    assert {u["squad"] for u in units if u["tier"] == "special"} == {"patrol", "fixed",
                                                                     "checkpoint"}
    for u in units:
        if u["tier"] == "special" and u["mode"] == "car":
            assert 8 <= int(u["seats"]) <= 10
    stations = {p for p, q in posts.items() if q["kind"] == "police_station"}
    precinct_cars = {u["home_post"] for u in units
                     if u["tier"] == "precinct" and u["mode"] == "car"}
    assert precinct_cars == stations
    assert sum(1 for u in units if u["tier"] == "armed") == 1
    aux = Counter(u["squad"] for u in units if u["tier"] == "auxiliary")
    assert aux["grid"] == 7 and aux["volunteer"] >= 1 and aux["merchant"] >= 1
    assert aux["guard"] >= 1
    # the brigade's two car groups on the street (屯警街面): at the rapid and standby points
    kinds = {posts[u["home_post"]]["kind"] for u in units
             if u["tier"] == "special" and u["mode"] == "car"}
    assert {"rapid", "standby"} <= kinds


def test_people_of_the_brigade_follow_the_article() -> None:
    people = rows("people.csv")
    assert len({p["id"] for p in people}) == len(people)
    brigade = [p for p in people if p["tier"] == "special"]
    roles = Counter(p["role"] for p in brigade)
    assert roles == Counter({"police": 3, "auxiliary": 30})
    assert {p["team"] for p in brigade} == BRIGADE_TEAMS
    assert {p["squad"] for p in brigade} == {"patrol", "fixed", "checkpoint"}
    assert all(p["team"] == "day" for p in brigade if p["role"] == "police")
    teams = Counter(p["team"] for p in brigade if p["role"] == "auxiliary")
    assert set(teams) == {"A", "B", "C", "D"} and max(teams.values()) - min(teams.values()) <= 1
    for team in "ABCD":
        members = [p for p in brigade if p["team"] == team]
        skills = Counter(s for p in members for s in p["skills"].split(";") if s)
        assert skills["team_leader"] == 1, team
        assert skills["driver"] >= 3 and skills["motorcycle"] >= 3, team
        assert skills["drone_pilot"] >= 1, team
        assert {p["squad"] for p in members} == {"patrol", "fixed", "checkpoint"}


# -- incidents ------------------------------------------------------------------------------------


def test_incidents_span_two_years_at_a_county_seat_rate(
        nodes: dict[str, tuple[float, float]], edges: list[dict[str, str]],
        areas: list[dict[str, object]]) -> None:
    inc = rows("incidents.csv")
    times = [datetime.strptime(r["time"], "%Y-%m-%dT%H:%M") for r in inc]
    assert times == sorted(times)
    assert times[0] < datetime(2024, 1, 2) and times[-1] >= datetime(2025, 12, 31)
    days = (times[-1] - times[0]).days + 1
    assert days >= 730
    assert 6.0 <= len(inc) / days <= 12.0
    assert len({r["id"] for r in inc}) == len(inc)
    assert {r["category"] for r in inc} == {"盗窃", "纠纷", "打架斗殴", "交通事故", "求助", "诈骗",
                                            "扰乱秩序"}
    assert {r["priority"] for r in inc} == {"1", "2", "3"}
    # a daily cycle: the small hours are quiet, the evening busy
    hours = Counter(t.hour for t in times)
    assert sum(hours[h] for h in (3, 4, 5)) * 4 < sum(hours[h] for h in (18, 19, 20))
    # Saturday evenings are busier than Tuesday evenings; the Spring Festival busier than March
    eve = Counter(t.weekday() for t in times if t.hour >= 18)
    assert eve[5] > 1.2 * eve[1]
    per_day = Counter(t.date() for t in times)
    spring = [per_day[d] for d in per_day if datetime(2024, 2, 10).date() <= d
              <= datetime(2024, 2, 17).date()]
    march = [per_day[d] for d in per_day if d.year == 2024 and d.month == 3]
    assert sum(spring) / 8 > sum(march) / 31
    # on the streets of the town: within a few metres of an edge
    segs = shapely.STRtree([shapely.LineString([nodes[e["u"]], nodes[e["v"]]]) for e in edges])
    pts = shapely.points([(float(r["x"]), float(r["y"])) for r in inc])
    _, dist = segs.query_nearest(pts, return_distance=True, all_matches=False)
    assert float(dist.max()) < 20.0
    assert shapely.covers(town(areas).buffer(20.0), pts).all()


# -- through the loader ---------------------------------------------------------------------------


def test_the_loader_reads_it_without_problems() -> None:
    from xunfang.scenario import check

    result = check(SHIPPED)
    assert [str(p) for p in result.problems] == []
    sc = result.scenario
    assert sc is not None and sc.name == "ebian" and sc.crs.working == "EPSG:32648"
    assert len(sc.areas_of("grid")) == 7 and len(sc.lines) == 5
