"""The duty sheet names the streets a route drives (review AR): every edge of the routes
stage's legs, in order, not the fastest paths between the route's waypoints (which skip a
line piece's loop and take shortcuts never driven)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.plan import make_slots
from xunfang.planning.pipeline import PlanResult
from xunfang.planning.routes import plan_routes
from xunfang.report.html import PlaceNames


def _lattice() -> dict[str, str]:
    """5 × 3 streets 200 m apart (grid W columns 0-2, E columns 3-4), each row and column a
    street of its own name; line L1 runs the loop n00 … n20 n21 n22 … n00 every 30 min."""
    nodes = ["id,x,y"] + [f"n{c}{r},{200 * c},{200 * r}" for c in range(5) for r in range(3)]
    edges = ["u,v,class,name"]
    for c in range(5):
        for r in range(3):
            if c < 4:
                edges.append(f"n{c}{r},n{c + 1}{r},residential,Row{r} St")
            if r < 2:
                edges.append(f"n{c}{r},n{c}{r + 1},residential,Col{c} Ave")

    def square(gid: str, x0: float, x1: float) -> dict[str, object]:
        ring = [[x0, -50], [x1, -50], [x1, 450], [x0, 450], [x0, -50]]
        return {"type": "Feature", "properties": {"kind": "grid", "id": gid, "name": gid},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}

    return {
        "scenario.toml": ('name = "lattice"\ncrs = "local"\n[policy]\n'
                          'revisit_minutes = { "1" = 60, "2" = 120, "3" = 240 }\n'),
        "network/nodes.csv": "\n".join(nodes) + "\n",
        "network/edges.csv": "\n".join(edges) + "\n",
        "areas.geojson": json.dumps({"type": "FeatureCollection", "features": [
            square("W", -50, 500), square("E", 500, 850)]}),
        "posts.csv": "id,name,kind,node\nP1,West station,station,n00\nP2,East,station,n42\n",
        "sites.csv": "id,name,kind,tier,node\nS1,School,school,1,n11\nS3,Bank,bank,2,n42\n",
        "lines.csv": ("line,seq,node,every_minutes\n" + "".join(
            f"L1,{i},{n},30\n" for i, n in enumerate(
                ["n00", "n10", "n20", "n21", "n22", "n12", "n02", "n01", "n00"]))),
        "units.csv": ("id,tier,mode,squad,home_post\nC1,special,car,patrol,P1\n"
                      "C2,special,car,patrol,P2\n"),
    }


def _expected(driven: list[tuple[str, ...]], street: dict[frozenset[str], str]) -> str:
    """The names of the edges driven, in order, a name repeated on consecutive edges once."""
    names: list[str] = []
    for nodes in driven:
        for a, b in itertools.pairwise(nodes):
            if a == b:
                continue
            # KeyError: the path jumps between nodes no street joins
            name = street[frozenset((a, b))]
            for part in [name] if name else [a, b]:  # an unnamed street by its ends' ids
                if not names or names[-1] != part:
                    names.append(part)
    return " → ".join(names)


REPEAT = re.compile(r"[（(]([^（）()]*)[）)] ?×(\d+)")


def unfold(text: str) -> str:
    """A route's streets with each ``（A → B）×3`` written out (A → B → A → B → A → B)."""
    return REPEAT.sub(lambda m: " → ".join([m[1]] * int(m[2])), text)


def test_repeated_blocks_are_said_once_with_their_count(make_scenario: Any) -> None:
    sc = scenario.load(make_scenario(_lattice()))
    result: Any = SimpleNamespace(scenario=sc, network=RoadNetwork.from_scenario(sc),
                                  stages={})
    zh, en = PlaceNames(result, "zh"), PlaceNames(result, "en")
    # three times round the square n10-n11-n21-n20, then on along Row0 St
    said = zh.route(("n00", "n10", "n11", "n21", "n20", "n10", "n11", "n21", "n20", "n10",
                     "n11", "n21", "n20", "n30"))
    assert said == "（Row0 St → Col1 Ave → Row1 St → Col2 Ave）×3 → Row0 St", said
    assert en.route(("n10", "n11", "n21", "n20", "n10", "n11", "n21", "n20", "n10")) == (
        "(Col1 Ave → Row1 St → Col2 Ave → Row0 St) ×2")
    assert unfold(said).split(" → ").count("Col1 Ave") == 3


def test_lattice_route_names_every_street_driven(make_scenario: Any) -> None:
    files = _lattice()
    sc = scenario.load(make_scenario(files))
    net = RoadNetwork.from_scenario(sc)
    slots = make_slots(date(2024, 6, 3), days=1, slot_minutes=60)
    rp = plan_routes(sc, net, slots, {(u, s.index): g for u, g in (("C1", "W"), ("C2", "E"))
                                      for s in slots}, seed=3)
    street = {frozenset((r["u"], r["v"])): r["name"]
              for r in csv.DictReader(io.StringIO(files["network/edges.csv"]))}
    result: Any = SimpleNamespace(scenario=sc, network=net, stages={"routes": rp.as_json()})
    names = PlaceNames(result, "en")
    checked = 0
    for a in rp.to_assignments():
        if len(a.route) < 2:  # standing at one node (a site): named by the site
            continue
        r = rp.routes[(a.unit, a.slot)]
        want = _expected([leg.nodes for leg in r.legs], street)
        assert unfold(names.place(a)) == want, (a.unit, a.slot)
        # the report's plan sheet: the same streets, each once, in the order first driven
        assert names.streets_of(a).split(", ") == list(dict.fromkeys(want.split(" → ")))
        checked += 1
    assert checked >= len(slots)
    # C1 at 00:00 drives the loop L1 (Row2 St, Col2 Ave on n20-n21-n22) several times: each
    # pass is named (the waypoints' paths named it once or not at all)
    first = next(a for a in rp.to_assignments() if a.unit == "C1" and a.slot == slots[0].index)
    assert unfold(names.place(first)).count("Col2 Ave") >= 2


def test_county_sheet_names_the_streets_of_the_driven_edges(
        county: tuple[PlanResult, Path, Path]) -> None:
    result, zh, _ = county
    folder = Path(zh)
    street: dict[frozenset[str], str] = {}
    roads = result.scenario.roads
    for e in range(roads.n_edges):
        a, b = roads.node_ids[int(roads.u[e])], roads.node_ids[int(roads.v[e])]
        street.setdefault(frozenset((a, b)), str(roads.name[e]).strip())
    doc = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    driven = {(r["unit"], int(r["slot"])): tuple(r["nodes"])
              for r in doc["stages"]["routes"]["routes"]}
    slot_of = {s.name: s.index for s in result.plan.slots}
    with (folder / "plan_sheet.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] == "route" and " > " in r["place"]]
    assert len(rows) > 150  # the police units' (the auxiliary forces are placed, not routed)
    for row in rows:
        nodes = driven[(row["unit"], slot_of[row["slot_start"]])]
        assert unfold(row["place_name"]) == _expected([nodes], street), row
    # review AR: a route that drove line L3 out along 建设路 to n098 and back was named only
    # 新华街 (BA-1 at 02:00 of the first draw); every route through n098 over 建设路 names it
    out_and_back = [r for r in rows
                    if any(frozenset(p) in {frozenset(("n094", "n098")),
                                            frozenset(("n098", "n114"))}
                           for p in itertools.pairwise(
                               driven[(r["unit"], slot_of[r["slot_start"]])]))]
    assert out_and_back
    assert all("建设路" in r["place_name"] for r in out_and_back)
