"""Real data: a month of Chicago's aggravated assaults replayed with its police districts as
zones and grids, in the straight-line travel mode (the data has no road network)."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from tests.conftest import write_files
from xunfang import scenario
from xunfang.network import RoadNetwork
from xunfang.plan import Plan, make_slots
from xunfang.planning.posture import hold_at_home
from xunfang.sim import SimConfig, evaluate, history, simulate

KML = "{http://www.opengis.net/kml/2.2}"


def _districts(path: Path, to_xy: Transformer) -> dict[str, shapely.MultiPolygon]:
    out = {}
    for pm in ET.parse(path).getroot().iter(f"{KML}Placemark"):
        name = pm.findtext(f"{KML}name", "").strip()
        polys = []
        for ring in pm.iter(f"{KML}outerBoundaryIs"):
            text = ring.findtext(f".//{KML}coordinates", "")
            pts = np.array([[float(v) for v in c.split(",")[:2]] for c in text.split()])
            x, y = to_xy.transform(pts[:, 0], pts[:, 1])
            polys.append(shapely.Polygon(np.column_stack([x, y])).buffer(0))
        out[name] = shapely.MultiPolygon([g for p in polys for g in getattr(p, "geoms", [p])])
    return out


def test_chicago_month_replay(data_dir: Path, tmp_path: Path) -> None:
    to_xy = Transformer.from_crs("EPSG:4326", "EPSG:32616", always_xy=True)
    districts = _districts(data_dir / "chicago_police_districts.kml", to_xy)
    assert len(districts) >= 22
    # no road network: a 1 km lattice of nodes over the city, for placing posts and snapping
    x0, y0, x1, y1 = shapely.MultiPolygon(
        [g for d in districts.values() for g in d.geoms]).bounds
    xs, ys = np.arange(x0, x1 + 1000, 1000), np.arange(y0, y1 + 1000, 1000)
    gx, gy = np.meshgrid(xs, ys)
    pairs = zip(gx.ravel(), gy.ravel(), strict=True)
    nodes = "id,x,y\n" + "".join(f"n{i},{a:.1f},{b:.1f}\n" for i, (a, b) in enumerate(pairs))
    nx = xs.size
    edges = "u,v\n" + "".join(f"n{i},n{i + 1}\n" for i in range(gx.size) if (i + 1) % nx) + \
        "".join(f"n{i},n{i + nx}\n" for i in range(gx.size - nx))
    feats, posts, units = [], "id,name,kind,x,y\n", "id,tier,mode,squad,home_post\n"
    for name, geom in districts.items():
        gj = json.loads(shapely.to_geojson(geom))
        for kind in ("zone", "grid"):
            feats.append({"type": "Feature", "geometry": gj,
                          "properties": {"kind": kind, "id": f"{kind[0].upper()}{name}"}})
        p = geom.representative_point()
        posts += f"D{name},District {name},police_station,{p.x:.1f},{p.y:.1f}\n"
        units += "".join(f"D{name}-{k},precinct,car,patrol,D{name}\n" for k in (1, 2))
    with gzip.open(data_dir / "chicago_aggravated_assaults.csv.gz", "rt") as fh:
        rows = [r.rstrip("\n").split(",") for r in fh][1:]
    sel = [r for r in rows if r[0].startswith("2019-07")]
    lon = np.array([float(r[2]) for r in sel])
    lat = np.array([float(r[3]) for r in sel])
    ix, iy = to_xy.transform(lon, lat)
    incidents = "id,time,x,y,category,priority\n" + "".join(
        f"c{i},{r[0].replace(' ', 'T')},{a:.1f},{b:.1f},ASSAULT,1\n"
        for i, (r, a, b) in enumerate(zip(sel, ix, iy, strict=True)))
    root = write_files(tmp_path / "chicago", {
        "scenario.toml": 'name = "chicago"\ncrs = "EPSG:32616"\ntimezone = "America/Chicago"\n',
        "network/nodes.csv": nodes, "network/edges.csv": edges,
        "areas.geojson": json.dumps({"type": "FeatureCollection", "features": feats}),
        "posts.csv": posts, "units.csv": units, "incidents.csv": incidents})
    sc = scenario.load(root)
    net = RoadNetwork.from_scenario(sc)
    start = date(2019, 7, 1)
    slots = make_slots(start, days=1, slot_minutes=60)
    plan = Plan(scenario=sc.name, inputs_hash=sc.inputs_hash, seed=0, version="t", slots=slots,
                units=tuple(u.id for u in sc.units), assignments=hold_at_home(sc, slots))
    inc = history(sc.incidents, start, 31)
    assert len(inc) > 1000
    cfg = SimConfig(travel="straight", detour_factor=1.3, max_snap_m=1000.0)
    res = simulate(sc, net, plan, inc, start=start, days=31, replications=2, seed=1,
                   config=cfg)
    k = evaluate(res)
    assert k.counts["incidents"] == 2 * len(inc)
    # every call is inside the city: none off the lattice, every one reached
    assert k.counts["off_network"] == 0 and k.counts["served"] == 2 * len(inc)
    zones = {r["key"]: r["incidents"] for r in k.tables["by_zone"]}
    assert len(zones) >= 20  # replayed district by district
    # two cars per district at its middle, 60 km/h straight × 1.3: a few minutes
    assert 1.0 < k.summary["response_p50_min"] < 10.0
    assert k.summary["response_p90_min"] > k.summary["response_p50_min"]
    print({n: round(k.summary[n], 3) for n in ("response_p50_min", "response_p90_min",
                                                "response_within_target", "utilization")})
