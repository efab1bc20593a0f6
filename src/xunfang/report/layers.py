"""GeoJSON layers of a scenario and its plan, in WGS 84 lon/lat where the data is georeferenced.

A scenario in a ``local`` planar CRS has no lon/lat: its layers keep planar metres and say so
in a top-level ``"crs"`` note (RFC 7946 asks for WGS 84, which such data cannot give).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from xunfang.geo import Datum, Projector, from_wgs84
from xunfang.planning.coverage import Coverage, bands_of
from xunfang.scenario.model import FloatArray, Scenario

if TYPE_CHECKING:
    from xunfang.intel.forecast import Forecast

Json = dict[str, Any]
Transform = Callable[[FloatArray], FloatArray]


def transformer(scenario: Scenario) -> Transform:
    """Working-CRS metres → output coordinates (lon/lat, or metres for a local CRS)."""
    return crs_transformer("local" if scenario.crs.is_local else scenario.crs.working)


def crs_transformer(crs: str) -> Transform:
    """Metres in ``crs`` → lon/lat (metres, rounded to the centimetre, for ``local``)."""
    if crs == "local":
        def planar(xy: FloatArray) -> FloatArray:
            return np.asarray(xy, dtype=np.float64).round(2)

        return planar
    proj = Projector(crs)

    def to_lonlat(xy: FloatArray) -> FloatArray:
        a = np.asarray(xy, float).reshape(-1, 2)
        lon, lat = proj.to_lonlat(a[:, 0], a[:, 1])
        return np.column_stack([lon, lat]).astype(np.float64).round(7)

    return to_lonlat


def _extra(extra: Mapping[str, object]) -> Json:
    """The scenario's own columns, passed on (JSON-safe) beside ours."""
    return {k: v if isinstance(v, str | int | float | bool) or v is None else str(v)
            for k, v in extra.items()}


def _collection(scenario: Scenario, features: list[Json]) -> Json:
    fc: Json = {"type": "FeatureCollection", "features": features}
    if scenario.crs.is_local:
        fc["crs"] = {"type": "name", "properties": {"name": "local planar metres"}}
    return fc


def roads_layer(scenario: Scenario, t: Transform, access: Coverage | None = None) -> Json:
    r = scenario.roads
    xy = t(r.xy)
    feats = []
    for k in range(r.n_edges):
        a, b = int(r.u[k]), int(r.v[k])
        props: Json = {
            "u": r.node_ids[a], "v": r.node_ids[b], "length_m": round(float(r.length_m[k]), 1),
            "class": r.road_class[k], "name": r.name[k], "oneway": bool(r.oneway[k]),
        }
        if access is not None:
            m = max(access.minutes[a], access.minutes[b])
            props["minutes_from_posts"] = None if not np.isfinite(m) else round(float(m), 2)
        feats.append({
            "type": "Feature",
            # the street's course where the roads carry one (a curved street is no chord)
            "geometry": {"type": "LineString",
                         "coordinates": (t(r.course(k)).tolist() if r.shape is not None
                                         else [xy[a].tolist(), xy[b].tolist()])},
            "properties": props,
        })
    return _collection(scenario, feats)


def _polygon_coords(geom: shapely.Polygon, t: Transform) -> list[list[list[float]]]:
    rings = [geom.exterior, *geom.interiors]
    return [t(np.asarray(ring.coords)).tolist() for ring in rings]


def areas_layer(scenario: Scenario, t: Transform) -> Json:
    feats = []
    for a in scenario.areas:
        if isinstance(a.geometry, shapely.MultiPolygon):
            geometry: Json = {"type": "MultiPolygon",
                              "coordinates": [_polygon_coords(p, t) for p in a.geometry.geoms]}
        else:
            geometry = {"type": "Polygon", "coordinates": _polygon_coords(a.geometry, t)}
        feats.append({"type": "Feature", "geometry": geometry,
                      "properties": {**_extra(a.extra), "id": a.id, "kind": a.kind,
                                     "name": a.name, "level": a.level}})
    return _collection(scenario, feats)


def _points(scenario: Scenario, t: Transform, rows: list[tuple[tuple[float, float], Json]]
            ) -> Json:
    if not rows:
        return _collection(scenario, [])
    xy = t(np.array([p for p, _ in rows], dtype=float))
    return _collection(scenario, [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": xy[i].tolist()},
         "properties": props}
        for i, (_, props) in enumerate(rows)
    ])


def sites_layer(scenario: Scenario, t: Transform, access: Coverage | None = None) -> Json:
    rows = []
    minutes = access.site_minutes() if access is not None else None
    for k, s in enumerate(scenario.sites):
        props: Json = {**_extra(s.extra), "id": s.id, "name": s.name, "kind": s.kind,
                       "tier": s.tier}
        if access is not None and minutes is not None:
            m = float(minutes[k])
            props["minutes_from_posts"] = round(m, 2) if np.isfinite(m) else None
            props["target_minutes"] = float(access.site_target[k])
            props["meets_target"] = bool(m <= access.site_target[k])
        rows.append((s.xy, props))
    return _points(scenario, t, rows)


def posts_layer(scenario: Scenario, t: Transform) -> Json:
    """Every post; ``temporary`` (posts.csv) says it is staffed only in the hours of the
    events naming it, ``events`` lists them (name, from, to in the scenario's local time,
    level; empty for a post no event names). A review: a temporary post read as an ordinary
    kiosk, its events nowhere in the layer."""
    return _points(scenario, t, [
        (p.xy, {**_extra(p.extra), "id": p.id, "name": p.name, "kind": p.kind,
                "night_only": p.night_only, "temporary": p.temporary,
                "events": [{"name": e.name, "from": e.start.isoformat(timespec="minutes"),
                            "to": e.end.isoformat(timespec="minutes"), "level": e.level}
                           for e in scenario.events if p.id in e.posts]})
        for p in scenario.posts
    ])


def rings_layer(scenario: Scenario, t: Transform, cov: Coverage) -> Json:
    """Every node: minutes from the nearest post, that post, the backup, the isochrone band,
    its target and whether it meets it."""
    r = scenario.roads
    bands = scenario.policy.isochrone_minutes
    band = bands_of(cov.minutes, bands)
    meets = cov.meets
    rows = []
    for i in range(r.n_nodes):
        m = float(cov.minutes[i])
        bm = float(cov.backup_minutes[i])
        k, b = int(cov.post[i]), int(cov.backup[i])
        rows.append((
            (float(r.xy[i, 0]), float(r.xy[i, 1])),
            {"node": r.node_ids[i], "mode": cov.mode,
             "minutes": round(m, 3) if np.isfinite(m) else None,
             "post": cov.sources[k] if k >= 0 else None,
             "backup_post": cov.sources[b] if b >= 0 else None,
             "backup_minutes": round(bm, 3) if np.isfinite(bm) else None,
             "band_minutes": bands[int(band[i])] if band[i] >= 0 else None,
             "ring_level": int(cov.level[i]) or None,
             "target_minutes": float(cov.target[i]), "meets_target": bool(meets[i])},
        ))
    return _points(scenario, t, rows)


def plan_layers(scenario: Scenario, access: Coverage | None) -> dict[str, Json]:
    """The layers a plan folder holds, by file name."""
    t = transformer(scenario)
    layers = {
        "roads.geojson": roads_layer(scenario, t, access),
        "areas.geojson": areas_layer(scenario, t),
        "sites.geojson": sites_layer(scenario, t, access),
        "posts.geojson": posts_layer(scenario, t),
    }
    if access is not None:
        layers["rings.geojson"] = rings_layer(scenario, t, access)
    return layers


def peak_slot(values: FloatArray, starts: Sequence[str]) -> int | None:
    """The index of a place's riskiest slot (ISO starts ``starts``), or None where it has
    none: nothing expected, or its highest risk shared by slots at more than one hour of day
    — a record of dates without times of day spreads each day evenly over its hours, and its
    peak was the first slot, 00:00, for every place (a review). Slots within one hour (a
    half-hour slot's two halves of its hour) tie by construction and give the first."""
    if not len(values):
        return None
    top = float(values.max())
    if top <= 0:
        return None
    tied = np.flatnonzero(values >= top * (1 - 1e-9))
    if len({starts[int(k)][11:13] for k in tied}) > 1:
        return None
    return int(tied[0])


def forecast_layer(fc: Forecast, crs: str, datum: Datum = "wgs84") -> Json:
    """A forecast's places as a layer: each cell (a square), polygon or street segment with its
    expected incidents over the horizon, its size (area_m2, or length_m of a street) and, where
    places differ in size, its expected incidents per km² (per km); its rank (1 = the hottest:
    by ``rank_by``, the density where sizes differ, as the evaluation ranks) and its riskiest
    slot.
    In WGS 84 lon/lat, or in ``datum`` (GCJ-02, BD-09: to lie on a Chinese web map; said in a
    ``"coords"`` member); planar metres, said in a ``"crs"`` note, where ``crs`` is ``local``."""
    from xunfang.intel.forecast import density_key  # (the module is typing-only above)

    u = fc.units
    to_lonlat = crs_transformer(crs)

    def t(xy: FloatArray) -> FloatArray:
        ll = to_lonlat(xy)
        if datum == "wgs84" or crs == "local":
            return ll
        lon, lat = from_wgs84(ll[:, 0], ll[:, 1], datum)
        return np.column_stack([lon, lat]).round(7)
    per_unit = fc.risk.transpose(1, 0, 2).reshape(len(u), -1)  # (units, days · slots)
    total = per_unit.sum(axis=1)
    # by expected incidents; where units differ in size, per km² or per km, as the
    # evaluation ranks them (Forecast.hot_order)
    rank = np.empty(len(u), dtype=np.int64)
    rank[fc.hot_order(None)] = np.arange(1, len(u) + 1)
    dense = fc.density()
    size_key = "length_m" if u.kind == "segments" else "area_m2"
    dense_key = None if dense is None else density_key(dense[1])
    starts = fc.slot_starts()
    feats = []
    for i, uid in enumerate(u.ids):
        if u.kind == "cells":
            assert u.cell_m is not None
            ix, iy = (int(v) for v in uid.split("_"))
            x0, y0, c = ix * u.cell_m, iy * u.cell_m, u.cell_m
            ring = t(np.array([[x0, y0], [x0 + c, y0], [x0 + c, y0 + c], [x0, y0 + c],
                               [x0, y0]]))
            geom: Json = {"type": "Polygon", "coordinates": [ring.tolist()]}
        elif u.kind == "segments":
            geom = {"type": "LineString",
                    "coordinates": t(np.asarray(u.geometry[i].coords)).tolist()}
        else:
            polys = [p for p in shapely.get_parts(u.geometry[i])
                     if isinstance(p, shapely.Polygon)]
            geom = {"type": "MultiPolygon",
                    "coordinates": [_polygon_coords(p, t) for p in polys]}
        peak = peak_slot(per_unit[i], starts)
        props: Json = {"unit": uid, "expected": round(float(total[i]), 6),
                       size_key: round(float(u.size[i]), 1)}
        if dense_key is not None and dense is not None:
            props[dense_key] = round(float(dense[0][i]), 6)
        feats.append({"type": "Feature", "geometry": geom, "properties": {
            **props, "rank": int(rank[i]),
            # a place with no risk, or with its risk even over the hours, has no riskiest slot
            "peak_slot": starts[peak] if peak is not None else None,
            "peak_expected": round(float(per_unit[i, peak]), 6) if peak is not None else None,
        }})
    out: Json = {"type": "FeatureCollection", "method": fc.method, "unit_kind": u.kind,
                 "rank_by": "expected" if dense_key is None else dense_key,
                 "days": [d.isoformat() for d in fc.days], "slot_kind": fc.slots.kind,
                 "trained_from": fc.trained_from.isoformat(),
                 "trained_to": fc.trained_to.isoformat(),  # exclusive: as_json's
                 "trained_last_day": (fc.trained_to - timedelta(days=1)).isoformat(),
                 "features": feats}
    if crs == "local":
        out["crs"] = {"type": "name", "properties": {"name": "local planar metres"}}
    elif datum != "wgs84":
        out["coords"] = datum  # not GeoJSON's WGS 84: for a Chinese web map's tiles
    return out
