#!/usr/bin/env python3
"""Generate the built-in scenario ``ebian``: a synthetic county seat in a river valley.

The article behind xunfang describes the patrol and prevention set-up of 峨边彝族自治县 (its
county seat is 沙坪镇, on the 大渡河 near 29.23° N, 103.26° E). No road data of the real town
can be had offline, so this script *generates* a plausible river-valley town with the
structure the article gives (3 patrol zones, 7 grids, 5 mandatory lines, 2 patrol stations,
1 rapid-response point, 1 standby point, 2 night checkpoints, 7 police stations, the
special-patrol brigade of 3 police + 30 auxiliaries with 3/6/4/2 vehicles) and two years of
synthetic incidents from a documented generating process (see the scenario README).

Usage::

    python tools/generate_ebian.py [--out DIR] [--seed N]

The output is deterministic byte for byte for a given seed (and the same versions of numpy,
shapely/GEOS, pyproj and holidays): every draw comes from one ``numpy.random.default_rng(seed)``,
floats are written with fixed formatting, text is UTF-8 without BOM with ``\\n`` line ends.

How the town is built
---------------------
Everything is first laid out in a *valley frame* ``(s, t)`` in metres: ``s`` runs downstream
along the river centre line, ``t`` across it (``t > 0`` the main, north-west bank; ``t < 0``
the far bank). Streets are polylines in that frame: "rails" parallel to the river (riverside
road, main street, second street, upper streets), cross streets between rails with jittered
positions, kinks and spans, lanes, old-town footways and steps, bridges, service spurs and the
roads leaving town. All crossings are noded (points closer than ``MERGE_M`` merge into one
junction), each street is cut at its nodes into edges, and the frame is mapped to UTM 48N by
``(s, t) -> C(s) + t * N(s)``, where ``C`` is a gently bending river centre line through the
real location and ``N`` its left normal. Edge lengths are measured along the mapped polylines.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import io
import itertools
import json
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.polygon import orient
from shapely.ops import substring

DEFAULT_SEED = 2024
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "xunfang" / "scenarios" / "ebian"

LON0, LAT0 = 103.26, 29.23  # 峨边县城 沙坪镇 (approximate)
CRS = "EPSG:32648"  # WGS 84 / UTM zone 48N

# The valley frame.
S_REF = 2000.0  # the s of the real location on the river centre line
PHI0 = math.radians(50.0)  # river heading (downstream, clockwise from north): towards the NE
BEND = 0.15  # radians: amplitude of the slow bend of the valley
WAVE = 8000.0  # metres: wavelength of the bend (min. radius ~8.5 km, no folding for |t| < 2 km)
S_MIN, S_MAX = -4000.0, 9000.0
RIVER_HALF_WIDTH = 75.0  # the 大渡河 here is ~150 m wide; the streets keep clear of it

TOWN_S0, TOWN_S1 = -120.0, 4120.0  # the main bank built-up area along the river
FAR_S0, FAR_S1 = 1380.0, 2720.0  # the far-bank district (河东新区)
ZONE_CUTS = (1380.0, 2720.0)  # west | centre | east
GRID_CUTS_MAIN = (-120.0, 700.0, 1380.0, 2050.0, 2720.0, 3380.0, 4120.0)
RIVER_EDGE_T = -90.0  # boundary between the main-bank grids and the far-bank grid
TOP_MARGIN = 110.0  # town edge above the highest street
SAMPLE_M = 20.0  # sampling of polygon edges along s

MERGE_M = 12.0  # junction points closer than this are one node
SNAP_M = 2.0  # a street end this close to another street joins it

START = date(2024, 1, 1)
END = date(2026, 1, 1)  # exclusive: two full years 2024-2025

CATEGORIES = ("盗窃", "纠纷", "打架斗殴", "交通事故", "求助", "诈骗", "扰乱秩序")

# Car speeds (km/h) written for each class; foot-only classes carry walking/standing speeds.
CLASS_SPEED = {
    "primary": 40, "secondary": 35, "tertiary": 30, "residential": 20, "service": 15,
    "unclassified": 25, "pedestrian": 10, "footway": 10, "steps": 3,
}
HIGHWAY_SPEED = 60  # the valley highway outside town
FOOT_CLASSES = frozenset({"pedestrian", "footway", "steps"})

CROSS_NAMES = (
    "文化路", "团结路", "东风街", "胜利街", "解放路", "民主街", "和平路", "光明街", "迎宾路",
    "体育路", "学府路", "育才路", "车站路", "沙坪街", "民族路", "彝海路", "金岩街", "兴隆街",
    "同心路", "长乐街", "顺河街", "大渡路", "红旗街", "新村路", "安康路", "建新街", "龙池街",
    "福寿街", "宝塔街", "永安街", "双桥街", "太平街", "复兴路", "富民路", "共和街", "青年路",
    "先锋路", "向阳街", "五一街", "建国路", "跃进路", "友谊路", "公园路", "桂花街", "黄葛路",
    "茶园街", "竹林街", "杉木街", "映山红路", "索玛路", "金河路", "新街", "北街", "中街",
)
LANE_NAMES = (
    "桂花巷", "黄葛巷", "竹林巷", "石板巷", "杨柳巷", "书院巷", "马道巷", "槐树巷", "梨园巷",
    "水井巷", "铁匠巷", "盐店巷", "米市巷", "柴市巷", "染坊巷", "磨坊巷", "油坊巷", "顺城巷",
    "府后巷", "仓房巷", "草市巷", "纸坊巷", "银杏巷", "核桃巷", "花椒巷", "茶马巷", "彝家巷",
    "月亮巷", "太阳巷", "星光巷", "青石巷", "学堂巷", "药铺巷", "布市巷", "骡马巷", "鱼市巷",
)
FOOT_NAMES = (
    "老街石梯", "沙坪梯道", "上坡巷", "石梯坎", "观音梯", "半坡梯道", "文昌梯", "后山梯道",
    "云梯巷", "青石梯", "古井梯", "城隍梯", "老街步道", "花园步道", "书院梯", "长梯坎",
)


# ---------------------------------------------------------------------------------------------
# The valley frame
# ---------------------------------------------------------------------------------------------


def heading(s: np.ndarray | float) -> np.ndarray:
    return PHI0 + BEND * np.sin(2.0 * np.pi * (np.asarray(s, float) - S_REF) / WAVE)


@dataclass(frozen=True, eq=False)
class Valley:
    """Maps the valley frame ``(s, t)`` to UTM 48N metres."""

    x0: float
    y0: float
    s: np.ndarray
    cx: np.ndarray
    cy: np.ndarray

    @classmethod
    def build(cls) -> Valley:
        fwd = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
        x0, y0 = fwd.transform(LON0, LAT0)
        # Whole metres, so that tiny pyproj differences cannot change a written digit.
        x0, y0 = float(round(x0)), float(round(y0))
        s = np.arange(S_MIN, S_MAX + 0.5, 1.0)
        phi = heading(s)
        dx, dy = np.sin(phi), np.cos(phi)
        cx = np.concatenate([[0.0], np.cumsum((dx[1:] + dx[:-1]) / 2.0)])
        cy = np.concatenate([[0.0], np.cumsum((dy[1:] + dy[:-1]) / 2.0)])
        i_ref = round(S_REF - S_MIN)
        return cls(x0=x0, y0=y0, s=s, cx=cx - cx[i_ref], cy=cy - cy[i_ref])

    def xy(self, s: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = np.asarray(s, float)
        t = np.asarray(t, float)
        phi = heading(s)
        cx = np.interp(s, self.s, self.cx)
        cy = np.interp(s, self.s, self.cy)
        return self.x0 + cx - t * np.cos(phi), self.y0 + cy + t * np.sin(phi)

    def point(self, s: float, t: float) -> tuple[float, float]:
        x, y = self.xy(np.array([s]), np.array([t]))
        return float(x[0]), float(y[0])

    def coords(self, pts: np.ndarray) -> np.ndarray:
        x, y = self.xy(pts[:, 0], pts[:, 1])
        return np.column_stack([x, y])


# ---------------------------------------------------------------------------------------------
# Streets in the valley frame
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rail:
    """A street parallel to the river: ``t = base + sum a*sin(2*pi*s/w + p)`` on ``[s0, s1]``."""

    key: str
    s0: float
    s1: float
    base: float
    waves: tuple[tuple[float, float, float], ...]  # (amplitude, wavelength, phase)
    sections: tuple[tuple[float, str], ...]  # (s where the name starts, name)
    cls: str
    speed: int

    def t(self, s: np.ndarray | float) -> np.ndarray:
        s = np.asarray(s, float)
        out = np.full_like(s, self.base)
        for a, w, p in self.waves:
            out = out + a * np.sin(2.0 * np.pi * s / w + p)
        return out

    def tf(self, s: float) -> float:
        return float(self.t(np.array([s]))[0])

    def has(self, s: float, margin: float = 0.0) -> bool:
        return self.s0 + margin <= s <= self.s1 - margin

    def pts(self, s0: float, s1: float, step: float = 10.0) -> np.ndarray:
        n = max(2, math.ceil((s1 - s0) / step) + 1)
        s = np.linspace(s0, s1, n)
        return np.column_stack([s, self.t(s)])


@dataclass
class Road:
    """A street polyline in the valley frame, in travel direction if one-way."""

    name: str
    cls: str
    pts: np.ndarray
    speed: int
    oneway: bool = False
    tag: str = ""  # what built it (rail, cross, lane, foot, bridge, exit, spur...)


@dataclass
class Layout:
    rails: dict[str, Rail]
    roads: list[Road]
    forced: dict[str, tuple[int, tuple[float, float]]]  # key -> (road index, local point)
    exits: list[dict[str, object]]
    sites: list[dict[str, object]]
    top: Callable[[np.ndarray], np.ndarray]
    far_bottom: Callable[[np.ndarray], np.ndarray]


def make_rails(rng: np.random.Generator) -> dict[str, Rail]:
    def ph() -> float:
        return float(rng.uniform(0.0, 2.0 * np.pi))

    return {
        "R0": Rail("R0", 120, 3880, 100, ((8, 900, ph()),),
                   ((120, "滨河路"),), "secondary", 35),
        "R1": Rail("R1", 40, 3960, 330, ((30, 1700, ph()), (12, 600, ph())),
                   ((40, "城西路"), (1250, "新华街"), (2750, "城东路")), "primary", 40),
        "R2": Rail("R2", 160, 3860, 600, ((40, 1300, ph()), (15, 500, ph())),
                   ((160, "人民西路"), (1300, "人民路"), (2700, "人民东路")), "secondary", 35),
        "R3": Rail("R3", 380, 3700, 850, ((45, 1100, ph()), (15, 450, ph())),
                   ((380, "建设路"),), "tertiary", 30),
        "R4": Rail("R4", 1150, 2900, 1040, ((30, 800, ph()),),
                   ((1150, "背峰路"),), "residential", 20),
        # the far bank (河东新区)
        "Q0": Rail("Q0", 1480, 2620, -100, ((6, 700, ph()),),
                   ((1480, "滨河南路"),), "tertiary", 30),
        "Q1": Rail("Q1", 1500, 2600, -290, ((20, 900, ph()),),
                   ((1500, "新区大道"),), "secondary", 35),
        "Q2": Rail("Q2", 1650, 2450, -440, ((15, 600, ph()),),
                   ((1650, "新区后街"),), "residential", 20),
    }


MAIN_ORDER = ("R0", "R1", "R2", "R3", "R4")
FAR_ORDER = ("Q2", "Q1", "Q0")  # bottom to top (t increasing)


class Names:
    def __init__(self, pool: Sequence[str], fallback: str) -> None:
        self.pool = list(pool)
        self.i = 0
        self.fallback = fallback

    def take(self) -> str:
        if self.i < len(self.pool):
            name = self.pool[self.i]
        else:
            name = f"{self.fallback}{self.i - len(self.pool) + 1}号"
        self.i += 1
        return name


def rail_roads(rails: dict[str, Rail]) -> list[Road]:
    out = []
    for r in rails.values():
        bounds = [s for s, _ in r.sections] + [r.s1]
        for (s0, name), s1 in zip(r.sections, bounds[1:], strict=True):
            out.append(Road(name, r.cls, r.pts(s0, s1), r.speed, tag=f"rail:{r.key}"))
    return out


def cross_segment(rng: np.random.Generator, lo: Rail, hi: Rail, s_lo: float, s_hi: float,
                  kink: float = 6.0) -> np.ndarray:
    t_lo, t_hi = lo.tf(s_lo), hi.tf(s_hi)
    sm = (s_lo + s_hi) / 2.0 + float(rng.normal(0.0, kink))
    return np.array([[s_lo, t_lo], [sm, (t_lo + t_hi) / 2.0], [s_hi, t_hi]])


class Spacing:
    """Where streets already meet each rail, by side, to keep junctions apart."""

    def __init__(self) -> None:
        self.at: dict[tuple[str, int], list[float]] = {}

    def add(self, rail: str, side: int, s: float) -> None:
        self.at.setdefault((rail, side), []).append(s)

    def free(self, rail: str, side: int, s: float, same: float = 60.0) -> bool:
        return all(abs(s - o) >= same for o in self.at.get((rail, side), []))

    def align(self, rail: str, side: int, s: float, near: float = 35.0) -> float:
        """Snap to a street meeting the rail from the other side, to make a clean crossing."""
        best = s
        for o in self.at.get((rail, -side), []):
            if abs(s - o) < near and abs(s - o) < abs(best - s) + 1e-9:
                best = o
        return best


def build_layout(rng: np.random.Generator) -> Layout:
    rails = make_rails(rng)
    roads: list[Road] = rail_roads(rails)
    sp = Spacing()
    cross_names = Names(CROSS_NAMES, "无名路")
    lane_names = Names(LANE_NAMES, "无名巷")
    foot_names = Names(FOOT_NAMES, "梯道")
    # segments per gap: (s_mid, road index) to place lanes and footways between them
    gap_segments: dict[tuple[str, str], list[tuple[float, int]]] = {}

    def add_segment(lo: Rail, hi: Rail, s_lo: float, s_hi: float, name: str, cls: str,
                    tag: str, kink: float = 6.0) -> int:
        pts = cross_segment(rng, lo, hi, s_lo, s_hi, kink)
        roads.append(Road(name, cls, pts, CLASS_SPEED[cls], tag=tag))
        sp.add(lo.key, +1, s_lo)
        sp.add(hi.key, -1, s_hi)
        idx = len(roads) - 1
        gap_segments.setdefault((lo.key, hi.key), []).append(((s_lo + s_hi) / 2.0, idx))
        return idx

    # 1. End connectors: each rail's ends join the rail below (R0 joins R1 above).
    main = [rails[k] for k in MAIN_ORDER]
    for k, r in enumerate(main):
        if k == 1:
            continue  # the main street is the spine the others join; the highway continues it
        other = main[1] if k == 0 else main[k - 1]
        for end, ds in ((r.s0, -40.0), (r.s1, 40.0)):
            if k == 0:
                add_segment(r, other, end, end + ds, cross_names.take(), "residential", "end")
            else:
                add_segment(other, r, end + ds, end, cross_names.take(), "residential", "end")
    far = [rails[k] for k in FAR_ORDER]
    for r, below in ((rails["Q0"], rails["Q1"]), (rails["Q2"], rails["Q1"])):
        for end, ds in ((r.s0, 20.0 if r.key == "Q0" else -40.0),
                        (r.s1, -20.0 if r.key == "Q0" else 40.0)):
            if r.key == "Q0":
                add_segment(below, r, end + ds, end, cross_names.take(), "residential", "end")
            else:
                add_segment(r, below, end, end + ds, cross_names.take(), "residential", "end")

    # 2. Bridges over the 大渡河 (two for cars, one footbridge), with their approach streets.
    bridges = (
        (2000.0, "沙坪大桥", "桥北街", "桥南街", "secondary"),
        (2380.0, "新区大桥", "新区桥北路", "新区桥南路", "secondary"),
        (1640.0, "沙坪人行桥", "", "", "footway"),
    )
    q0, q1, r0, r1 = rails["Q0"], rails["Q1"], rails["R0"], rails["R1"]
    bridge_heads: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
    for s, name, north, south, cls in bridges:
        span = np.array([[s, q0.tf(s)], [s, r0.tf(s)]])
        roads.append(Road(name, cls, span, CLASS_SPEED[cls], tag="bridge"))
        sp.add("R0", -1, s)
        sp.add("Q0", +1, s)
        bridge_heads[name] = ((s, r0.tf(s)), (s, q0.tf(s)))
        if cls != "footway":
            add_segment(r0, r1, s, s + 15.0, north, "tertiary", "bridge-approach", kink=2.0)
            add_segment(q1, q0, s - 10.0, s, south, "tertiary", "bridge-approach", kink=2.0)

    # 3. Cross streets on the main bank: jittered positions, spans, kinks and T-junctions.
    s = 60.0 + float(rng.uniform(0.0, 40.0))
    span_p = np.array([0.3, 0.35, 0.25, 0.1])
    while s < 3960.0:
        present = [k for k, r in enumerate(main) if r.has(s, 30.0)]
        if len(present) >= 2:
            lo = 0 if (0 in present and rng.random() < 0.7) else present[min(1, len(present) - 1)]
            if lo not in present:
                lo = present[0]
            above = [k for k in present if k > lo]
            if above:
                g = int(rng.choice(4, p=span_p)) + 1
                hi = above[min(g, len(above)) - 1]
                name = cross_names.take()
                tertiary = hi - lo >= 3 and rng.random() < 0.5
                off = float(rng.normal(0.0, 10.0))
                for k in range(lo, hi):
                    a, b = main[k], main[k + 1]
                    off_next = float(np.clip(off + rng.normal(0.0, 14.0), -35.0, 35.0))
                    s_a = sp.align(a.key, +1, s + off)
                    s_b = sp.align(b.key, -1, s + off_next)
                    ok = (a.has(s_a, 25.0) and b.has(s_b, 25.0)
                          and sp.free(a.key, +1, s_a) and sp.free(b.key, -1, s_b))
                    if ok and not (k > lo and rng.random() < 0.08):
                        add_segment(a, b, s_a, s_b, name,
                                    "tertiary" if tertiary else "residential", "cross")
                    off = off_next
        s += float(rng.uniform(45.0, 90.0))

    # 4. Cross streets on the far bank.
    s = FAR_S0 + 130.0 + float(rng.uniform(0.0, 30.0))
    while s < FAR_S1 - 150.0:
        name = cross_names.take()
        off = float(rng.normal(0.0, 8.0))
        for a, b in ((rails["Q2"], rails["Q1"]), (rails["Q1"], rails["Q0"])):
            off_next = float(np.clip(off + rng.normal(0.0, 10.0), -25.0, 25.0))
            s_a = sp.align(a.key, +1, s + off)
            s_b = sp.align(b.key, -1, s + off_next)
            if (a.has(s_a, 25.0) and b.has(s_b, 25.0) and sp.free(a.key, +1, s_a)
                    and sp.free(b.key, -1, s_b)):
                add_segment(a, b, s_a, s_b, name, "residential", "cross")
            off = off_next
        s += float(rng.uniform(70.0, 115.0))

    # 5. Lanes between neighbouring cross streets, half-way up a gap; footways and steps in
    #    the old town where there is no lane.
    lanes_in = (("R0", "R1"), ("R1", "R2"), ("R2", "R3"), ("R3", "R4"), ("Q2", "Q1"), ("Q1", "Q0"))
    foot_in = {("R1", "R2"): "footway", ("R2", "R3"): "steps", ("R3", "R4"): "steps"}
    for gap in sorted(gap_segments):
        segs = sorted(gap_segments[gap])
        lo, hi = rails[gap[0]], rails[gap[1]]
        for (sa, ia), (sb, ib) in itertools.pairwise(segs):
            width = sb - sa
            mid = (sa + sb) / 2.0
            if gap in lanes_in and 100.0 <= width <= 320.0 and rng.random() < 0.75:
                pa = roads[ia].pts[1]
                pb = roads[ib].pts[1]
                bow = float(rng.normal(0.0, 10.0))
                pm = np.array([(pa[0] + pb[0]) / 2.0, (pa[1] + pb[1]) / 2.0 + bow])
                roads.append(Road(lane_names.take(), "residential", np.array([pa, pm, pb]),
                                  CLASS_SPEED["residential"], tag="lane"))
            if (gap in foot_in and 1250.0 <= mid <= 2450.0 and width >= 70.0
                    and rng.random() < 0.6):
                cls = foot_in[gap]
                t_lo, t_hi = lo.tf(mid), hi.tf(mid + 5.0)
                zig = [[mid, t_lo]]
                n = 4 if cls == "steps" else 2
                for j in range(1, n):
                    f = j / n
                    zig.append([mid + (8.0 if j % 2 else -8.0) + float(rng.normal(0, 2)),
                                t_lo + f * (t_hi - t_lo)])
                zig.append([mid + 5.0, t_hi])
                roads.append(Road(foot_names.take(), cls, np.array(zig), CLASS_SPEED[cls],
                                  tag="foot"))
                sp.add(lo.key, +1, mid)
                sp.add(hi.key, -1, mid + 5.0)

    # 6. The pedestrian street of the commercial district, and a few one-way old-town streets.
    r01 = sorted(gap_segments[("R0", "R1")])
    cands = [(abs(m - 2230.0), i) for m, i in r01 if roads[i].tag == "cross"]
    ped = min(cands)[1]
    roads[ped] = replace(roads[ped], name="新华步行街", cls="pedestrian",
                         speed=CLASS_SPEED["pedestrian"], tag="pedestrian")
    one_cands = [(m, i) for m, i in sorted(gap_segments[("R1", "R2")])
                 if roads[i].tag == "cross" and roads[i].cls == "residential"
                 and 1300.0 <= m <= 2650.0]
    one_cands += [(m, i) for m, i in r01
                  if roads[i].tag == "cross" and roads[i].cls == "residential"
                  and 1400.0 <= m <= 2000.0]
    picks = sorted(rng.choice(len(one_cands), size=min(5, len(one_cands)), replace=False))
    for j, p in enumerate(picks):
        _, i = one_cands[int(p)]
        pts = roads[i].pts if j % 2 == 0 else roads[i].pts[::-1].copy()
        roads[i] = replace(roads[i], pts=pts, oneway=True)

    # 7. Town outline: the top edge follows the highest street, smoothed; the far bank's
    #    bottom edge follows its lowest street.
    sg = np.arange(TOWN_S0 - 200.0, TOWN_S1 + 200.0 + 1e-9, SAMPLE_M)
    raw = np.full_like(sg, -np.inf)
    for r in main:
        inside = (sg >= r.s0 - 45.0) & (sg <= r.s1 + 45.0)
        raw = np.where(inside, np.maximum(raw, r.t(sg)), raw)
    win = int(200.0 / SAMPLE_M)
    smooth = np.array([raw[max(0, i - win):i + win + 1].max() for i in range(len(sg))])
    top_vals = smooth + TOP_MARGIN

    def top(s_arr: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(s_arr, float), sg, top_vals)

    rawb = np.full_like(sg, np.inf)
    for r in far:
        inside = (sg >= r.s0 - 45.0) & (sg <= r.s1 + 45.0)
        rawb = np.where(inside, np.minimum(rawb, r.t(sg)), rawb)
    rawb = np.where(np.isfinite(rawb), rawb, -300.0)
    smoothb = np.array([rawb[max(0, i - win):i + win + 1].min() for i in range(len(sg))])
    bot_vals = smoothb - 90.0

    def far_bottom(s_arr: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(s_arr, float), sg, bot_vals)

    # 8. Roads leaving town: the valley highway both ways, the mountain road, the far-bank
    #    road, and two village lanes (exits without a checkpoint).
    r3, r4 = rails["R3"], rails["R4"]

    def wiggle(pts: list[list[float]], sd: float) -> np.ndarray:
        a = np.array(pts, float)
        a[1:, 1] += rng.normal(0.0, sd, len(a) - 1)
        return a

    sw = [[r1.s0, r1.tf(r1.s0)]] + [[s_, 300.0 - 0.03 * (r1.s0 - s_)]
                                   for s_ in np.arange(-150.0, -2601.0, -250.0)]
    ne = [[r1.s1, r1.tf(r1.s1)]] + [[s_, 300.0 - 0.02 * (s_ - r1.s1)]
                                   for s_ in np.arange(4100.0, 6601.0, 250.0)]
    sm0 = 600.0 + float(rng.uniform(-40.0, 40.0))
    # the mountain road climbs a side valley in long bends
    mountain = [[sm0, r3.tf(sm0)], [sm0 - 10.0, r3.tf(sm0) + 200.0]]
    for j in range(1, 16):
        mountain.append([sm0 - 10.0 - 25.0 * j + 45.0 * math.sin(0.9 * j),
                         r3.tf(sm0) + 200.0 + 65.0 * j])
    far_road = [[q1.s1, q1.tf(q1.s1)], [2800.0, -300.0], [3100.0, -320.0], [3400.0, -400.0],
                [3700.0, -600.0], [3900.0, -800.0], [4150.0, -950.0], [4400.0, -1150.0],
                [4700.0, -1250.0]]
    sv = 2720.0
    village_n = [[sv, r4.tf(sv)], [sv + 10.0, r4.tf(sv) + 200.0], [sv + 120.0, r4.tf(sv) + 300.0],
                 [sv + 40.0, r4.tf(sv) + 420.0], [sv + 200.0, r4.tf(sv) + 560.0]]
    village_s = [[q0.s0, q0.tf(q0.s0)], [1300.0, -125.0], [1000.0, -140.0], [700.0, -150.0],
                 [400.0, -160.0]]
    exits_spec = (
        ("SW", "沿河公路（往金口河）", "primary", HIGHWAY_SPEED, wiggle(sw, 12.0), True,
         "金口河方向", "新林派出所"),
        ("NE", "沿河公路（往沙湾）", "primary", HIGHWAY_SPEED, wiggle(ne, 12.0), True,
         "沙湾方向", "毛坪派出所"),
        ("MT", "黑竹沟公路", "secondary", 30, wiggle(mountain, 6.0), True,
         "黑竹沟方向", "黑竹沟派出所"),
        ("FB", "大堡公路", "secondary", 40, wiggle(far_road, 10.0), True,
         "大堡方向", "大堡派出所"),
        ("VN", "后山村道", "unclassified", 25, wiggle(village_n, 5.0), False, "后山村方向", ""),
        ("VS", "河坝村道", "unclassified", 25, wiggle(village_s, 5.0), False, "河坝村方向", ""),
    )
    town_local = town_polygon_local(top, far_bottom)
    boundary = town_local.exterior
    forced: dict[str, tuple[int, tuple[float, float]]] = {}
    exits: list[dict[str, object]] = []
    for key, name, cls, speed, pts, checkpoint, direction, station in exits_spec:
        roads.append(Road(name, cls, pts, speed, tag=f"exit:{key}"))
        idx = len(roads) - 1
        line = LineString(pts)
        hit = line.intersection(boundary)
        d_out = min(line.project(Point(c)) for c in shapely.get_coordinates(hit))
        p_exit = line.interpolate(d_out - 15.0)
        forced[f"exit:{key}"] = (idx, (p_exit.x, p_exit.y))
        if checkpoint:
            p_cp = line.interpolate(d_out - 60.0)
            forced[f"checkpoint:{key}"] = (idx, (p_cp.x, p_cp.y))
        # shape nodes along the road outside town, so that maps draw its bends
        for j, c in enumerate(pts[1:], start=1):
            if line.project(Point(c)) > d_out + 100.0:
                forced[f"shape:{key}:{j:02d}"] = (idx, (float(c[0]), float(c[1])))
        end = pts[-1]
        forced[f"end:{key}"] = (idx, (float(end[0]), float(end[1])))
        exits.append({"key": key, "road": name, "direction": direction, "station": station,
                      "checkpoint": checkpoint})

    # 9. Key sites (重点部位) placed between streets, and service spurs to the large ones.
    sites = site_plan(rails)
    for st in sites:
        spur = st.get("spur")
        if spur:
            rail = rails[str(st["rail"])]
            s_ = float(st["s"])
            pts = np.array([[s_, rail.tf(s_)], [float(st["s"]), float(st["t"])]])
            roads.append(Road(str(spur), "service", pts, CLASS_SPEED["service"], tag="spur"))
            forced[f"site:{st['id']}"] = (len(roads) - 1, (float(st["s"]), float(st["t"])))
    # The 背峰山 hill path above the square: steps to a viewpoint (foot-only, dead end).
    sb = 2270.0
    roads.append(Road("背峰山步道", "steps",
                      np.array([[sb, r4.tf(sb)], [sb + 15.0, r4.tf(sb) + 35.0],
                                [sb - 10.0, r4.tf(sb) + 70.0], [sb + 5.0, r4.tf(sb) + 95.0]]),
                      CLASS_SPEED["steps"], tag="foot"))
    for name, (north, south) in bridge_heads.items():
        forced[f"bridge-n:{name}"] = (-1, north)
        forced[f"bridge-s:{name}"] = (-1, south)
    return Layout(rails=rails, roads=roads, forced=forced, exits=exits, sites=sites, top=top,
                  far_bottom=far_bottom)


def site_plan(rails: dict[str, Rail]) -> list[dict[str, object]]:
    """The key sites: (id, name, kind, tier, s, rail, dt[, spur]) -> local positions."""
    spec: list[tuple[str, str, str, int, float, str, float, str]] = [
        # tier 1: 党政机关, 广场, 交通枢纽, 学校, 医院, 加油站
        ("S01", "峨边县委县政府", "government", 1, 2000, "R1", 75, ""),
        ("S02", "县政务服务中心", "government", 1, 2160, "R2", -65, ""),
        ("S03", "背峰山广场", "square", 1, 2300, "R1", 85, ""),
        ("S04", "峨边汽车客运站", "bus_station", 1, 3150, "R1", -65, "客运站进出站道"),
        ("S05", "峨边县人民医院", "hospital", 1, 1720, "R2", -60, "医院通道"),
        ("S06", "峨边县中医医院", "hospital", 1, 2900, "R2", 60, ""),
        ("S07", "峨边中学", "middle_school", 1, 1250, "R3", -70, "峨边中学校门道"),
        ("S08", "沙坪小学", "primary_school", 1, 2470, "R2", 70, ""),
        ("S09", "河东新区小学", "primary_school", 1, 2200, "Q1", -65, ""),
        ("S10", "城西加油站", "petrol_station", 1, 260, "R1", -50, "加油站进出口"),
        # tier 2: 银行网点, 市场, 商圈, 夜市, 商超, 企业
        ("S11", "农业银行峨边支行", "bank", 2, 1860, "R1", 40, ""),
        ("S12", "建设银行峨边支行", "bank", 2, 2140, "R1", -40, ""),
        ("S13", "农商银行沙坪支行", "bank", 2, 2640, "R1", 40, ""),
        ("S14", "邮政储蓄银行峨边支行", "bank", 2, 1460, "R1", -40, ""),
        ("S15", "沙坪农贸市场", "market", 2, 1560, "R1", -80, "农贸市场通道"),
        ("S16", "新华街商圈", "business_street", 2, 2190, "R1", -95, ""),
        ("S17", "滨河夜市", "night_market", 2, 2330, "R0", 35, ""),
        ("S18", "峨边购物中心", "supermarket", 2, 2560, "R1", -50, ""),
        ("S19", "县供电公司", "enterprise", 2, 3600, "R2", -55, ""),
        ("S20", "城西铁合金厂", "enterprise", 2, 620, "R0", 45, ""),
        # tier 3: 小区, 公园, 宾馆, 网吧
        ("S21", "滨江花园小区", "residential", 3, 820, "R1", 95, ""),
        ("S22", "阳光小区", "residential", 3, 1960, "R3", -60, ""),
        ("S23", "金岩小区", "residential", 3, 3420, "R2", -70, ""),
        ("S24", "河东安置小区", "residential", 3, 1820, "Q1", -70, ""),
        ("S25", "彝家新寨小区", "residential", 3, 3020, "R3", 45, ""),
        ("S26", "城西小区", "residential", 3, 450, "R2", -70, ""),
        ("S27", "滨河公园", "park", 3, 2760, "R0", 40, ""),
        ("S28", "背峰山公园", "park", 3, 2250, "R4", 60, ""),
        ("S29", "峨边宾馆", "hotel", 3, 1760, "R1", 60, ""),
        ("S30", "黑竹沟大酒店", "hotel", 3, 2960, "R1", -40, ""),
        ("S31", "极速网吧", "internet_cafe", 3, 2240, "R2", -50, ""),
        ("S32", "星空网吧", "internet_cafe", 3, 2480, "Q1", 55, ""),
    ]
    out = []
    for sid, name, kind, tier, s, rail, dt, spur in spec:
        r = rails[rail]
        out.append({"id": sid, "name": name, "kind": kind, "tier": tier, "s": float(s),
                    "t": r.tf(float(s)) + dt, "rail": rail, "spur": spur})
    return out


# ---------------------------------------------------------------------------------------------
# Areas in the valley frame
# ---------------------------------------------------------------------------------------------


def s_samples(s0: float, s1: float) -> np.ndarray:
    inner = np.arange(math.ceil(s0 / SAMPLE_M) * SAMPLE_M, s1, SAMPLE_M)
    inner = inner[(inner > s0 + 1e-9) & (inner < s1 - 1e-9)]
    return np.concatenate([[s0], inner, [s1]])


def band(s0: float, s1: float, lo: Callable[[np.ndarray], np.ndarray],
         hi: Callable[[np.ndarray], np.ndarray]) -> Polygon:
    s = s_samples(s0, s1)
    bottom = np.column_stack([s, lo(s)])
    topl = np.column_stack([s[::-1], hi(s[::-1])])
    return Polygon(np.vstack([bottom, topl]))


def const(v: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda s: np.full(np.shape(s), v, dtype=float)


def town_polygon_local(top: Callable[[np.ndarray], np.ndarray],
                       far_bottom: Callable[[np.ndarray], np.ndarray]) -> Polygon:
    main = band(TOWN_S0, TOWN_S1, const(RIVER_EDGE_T), top)
    far = band(FAR_S0, FAR_S1, far_bottom, const(RIVER_EDGE_T))
    town = shapely.union(main, far)
    assert isinstance(town, Polygon), town.geom_type
    return town


# ---------------------------------------------------------------------------------------------
# Noding: crossings become junctions, streets are cut into edges
# ---------------------------------------------------------------------------------------------


@dataclass
class Network:
    local: np.ndarray  # node positions in the valley frame
    xy: np.ndarray  # node positions in UTM 48N
    ids: list[str]
    edges: list[dict[str, object]]  # u, v (indices), length_m, speed_kph, oneway, name, class
    forced: dict[str, int]  # forced key -> node index
    car_nodes: np.ndarray  # bool per node: touched by a car edge


class Noder:
    def __init__(self, tol: float) -> None:
        self.tol2 = tol * tol
        self.pts = np.zeros((0, 2))

    def add(self, p: tuple[float, float]) -> int:
        if len(self.pts):
            d2 = ((self.pts - np.asarray(p)) ** 2).sum(axis=1)
            i = int(np.argmin(d2))
            if d2[i] <= self.tol2:
                return i
        self.pts = np.vstack([self.pts, np.asarray(p, float)[None, :]])
        return len(self.pts) - 1


def build_network(layout: Layout, valley: Valley) -> Network:
    roads = layout.roads
    geoms = [LineString(r.pts) for r in roads]
    tree = shapely.STRtree(geoms)
    noder = Noder(MERGE_M)
    regs: list[list[tuple[float, int]]] = [[] for _ in roads]

    def reg(i: int, p: tuple[float, float]) -> int:
        node = noder.add(p)
        regs[i].append((float(geoms[i].project(Point(p))), node))
        return node

    # street ends, and ends that touch another street
    for i, g in enumerate(geoms):
        for c in (g.coords[0], g.coords[-1]):
            p = (float(c[0]), float(c[1]))
            reg(i, p)
            near = tree.query(Point(p), predicate="dwithin", distance=SNAP_M)
            for j in sorted(int(j) for j in near):
                if j != i:
                    q = geoms[j].interpolate(geoms[j].project(Point(p)))
                    reg(j, (q.x, q.y))
    # crossings
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in sorted({(int(a), int(b)) for a, b in zip(left, right, strict=True) if a < b}):
        inter = geoms[i].intersection(geoms[j])
        for c in shapely.get_coordinates(inter):
            p = (float(c[0]), float(c[1]))
            reg(i, p)
            reg(j, p)
    # forced nodes (exits, checkpoints, site ends, bridge heads)
    forced: dict[str, int] = {}
    for key in sorted(layout.forced):
        i, p = layout.forced[key]
        if i < 0:  # an existing junction: the nearest node
            d2 = ((noder.pts - np.asarray(p)) ** 2).sum(axis=1)
            forced[key] = int(np.argmin(d2))
        else:
            forced[key] = reg(i, p)

    # cut the streets
    raw_edges: dict[tuple[int, int], dict[str, object]] = {}
    pts_local = noder.pts
    for i, (road, g) in enumerate(zip(roads, geoms, strict=True)):
        seq: list[tuple[float, int]] = []
        for d, n in sorted(set(regs[i])):
            if seq and seq[-1][1] == n:
                continue
            seq.append((d, n))
        for (da, na), (db, nb) in itertools.pairwise(seq):
            if na == nb:
                continue
            if db - da > 1e-6:
                sub = np.asarray(substring(g, da, db).coords, float)
            else:
                sub = np.zeros((2, 2))
            sub[0] = pts_local[na]
            sub[-1] = pts_local[nb]
            key = (min(na, nb), max(na, nb))
            cand = {"u": na, "v": nb, "pts": sub, "road": road}
            old = raw_edges.get(key)
            if old is None or _better(cand, old):
                raw_edges[key] = cand

    # number the nodes from upstream to downstream
    n = len(pts_local)
    order = sorted(range(n), key=lambda k: (round(pts_local[k, 0], 3), round(pts_local[k, 1], 3)))
    new_index = {old: new for new, old in enumerate(order)}
    width = max(3, len(str(n)))
    ids = [f"n{k + 1:0{width}d}" for k in range(n)]
    local = pts_local[order]
    xy = np.round(valley.coords(local), 1)

    edges = []
    for cand in raw_edges.values():
        road: Road = cand["road"]  # type: ignore[assignment]
        u, v = new_index[int(cand["u"])], new_index[int(cand["v"])]  # type: ignore[call-overload]
        pts = np.asarray(cand["pts"])
        dense = np.asarray(shapely.segmentize(LineString(pts), 10.0).coords)
        w = valley.coords(dense)
        along = float(np.sum(np.hypot(np.diff(w[:, 0]), np.diff(w[:, 1]))))
        straight = float(np.hypot(*(xy[u] - xy[v])))
        length = math.ceil(max(along, straight) * 10.0 - 1e-6) / 10.0
        edges.append({"u": u, "v": v, "length_m": length, "speed_kph": road.speed,
                      "oneway": int(road.oneway), "name": road.name, "class": road.cls})
    edges.sort(key=lambda e: (e["u"], e["v"]))
    car_nodes = np.zeros(n, dtype=bool)
    for e in edges:
        if e["class"] not in FOOT_CLASSES:
            car_nodes[int(e["u"])] = True  # type: ignore[call-overload]
            car_nodes[int(e["v"])] = True  # type: ignore[call-overload]
    return Network(local=local, xy=xy, ids=ids, edges=edges,
                   forced={k: new_index[v] for k, v in forced.items()}, car_nodes=car_nodes)


def _better(a: dict[str, object], b: dict[str, object]) -> bool:
    """Between two streets joining the same two nodes keep the car one, then the shorter."""
    ra: Road = a["road"]  # type: ignore[assignment]
    rb: Road = b["road"]  # type: ignore[assignment]
    fa, fb = ra.cls in FOOT_CLASSES, rb.cls in FOOT_CLASSES
    if fa != fb:
        return fb
    la = LineString(a["pts"]).length  # type: ignore[arg-type]
    lb = LineString(b["pts"]).length  # type: ignore[arg-type]
    return la < lb - 1e-9


def car_graph(net: Network) -> dict[int, list[tuple[int, float]]]:
    adj: dict[int, list[tuple[int, float]]] = {}
    for e in net.edges:
        if e["class"] in FOOT_CLASSES:
            continue
        u, v, w = int(e["u"]), int(e["v"]), float(e["length_m"])  # type: ignore[call-overload]
        adj.setdefault(u, []).append((v, w))
        if not e["oneway"]:
            adj.setdefault(v, []).append((u, w))
    for k in adj:
        adj[k].sort()
    return adj


def reach(adj: dict[int, list[tuple[int, float]]], start: int) -> set[int]:
    seen = {start}
    stack = [start]
    while stack:
        a = stack.pop()
        for b, _ in adj.get(a, []):
            if b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


def check_network(net: Network) -> None:
    adj = car_graph(net)
    cars = [i for i in range(len(net.ids)) if net.car_nodes[i]]
    rev: dict[int, list[tuple[int, float]]] = {}
    for a, lst in adj.items():
        for b, w in lst:
            rev.setdefault(b, []).append((a, w))
    fwd, back = reach(adj, cars[0]), reach(rev, cars[0])
    if fwd != set(cars) or back != set(cars):
        raise SystemExit("the car network is not strongly connected")
    und: dict[int, list[tuple[int, float]]] = {}
    for e in net.edges:
        u, v = int(e["u"]), int(e["v"])  # type: ignore[call-overload]
        und.setdefault(u, []).append((v, 0.0))
        und.setdefault(v, []).append((u, 0.0))
    if len(reach(und, 0)) != len(net.ids):
        raise SystemExit("the network has isolated pieces")


def shortest_path(adj: dict[int, list[tuple[int, float]]], a: int, b: int) -> list[int]:
    dist = {a: 0.0}
    prev: dict[int, int] = {}
    heap = [(0.0, a)]
    while heap:
        d, x = heapq.heappop(heap)
        if x == b:
            break
        if d > dist.get(x, math.inf):
            continue
        for y, w in adj.get(x, []):
            nd = d + w
            if nd < dist.get(y, math.inf) - 1e-9:
                dist[y] = nd
                prev[y] = x
                heapq.heappush(heap, (nd, y))
    if b not in dist:
        raise SystemExit(f"no car path from node {a} to {b}")
    path = [b]
    while path[-1] != a:
        path.append(prev[path[-1]])
    return path[::-1]


# ---------------------------------------------------------------------------------------------
# Areas, sites, posts, lines
# ---------------------------------------------------------------------------------------------


def world_polygon(poly: Polygon, valley: Valley, densify: bool) -> Polygon:
    if densify:
        poly = shapely.segmentize(poly, SAMPLE_M)
    ext = np.asarray(poly.exterior.coords)
    w = np.round(valley.coords(ext), 1)
    out = orient(Polygon(w), sign=1.0)
    if not out.is_valid:
        raise SystemExit(f"invalid polygon: {shapely.is_valid_reason(out)}")
    return out


def make_areas(layout: Layout, valley: Valley, sites_local: dict[str, tuple[float, float]],
               rapid_local: tuple[float, float]) -> list[dict[str, object]]:
    top, fb = layout.top, layout.far_bottom
    feats: list[dict[str, object]] = []
    zones = (
        ("Z1", "西片巡防区", band(TOWN_S0, ZONE_CUTS[0], const(RIVER_EDGE_T), top)),
        ("Z2", "中片巡防区", shapely.union(band(ZONE_CUTS[0], ZONE_CUTS[1],
                                                const(RIVER_EDGE_T), top),
                                           band(FAR_S0, FAR_S1, fb, const(RIVER_EDGE_T)))),
        ("Z3", "东片巡防区", band(ZONE_CUTS[1], TOWN_S1, const(RIVER_EDGE_T), top)),
    )
    for zid, name, poly in zones:
        feats.append({"kind": "zone", "id": zid, "name": name, "level": None,
                      "geometry": world_polygon(poly, valley, densify=False)})
    g = GRID_CUTS_MAIN
    grids = (
        ("G1", "1号网格（城西滨江）", "Z1", band(g[0], g[1], const(RIVER_EDGE_T), top)),
        ("G2", "2号网格（城西学府）", "Z1", band(g[1], g[2], const(RIVER_EDGE_T), top)),
        ("G3", "3号网格（老城）", "Z2", band(g[2], g[3], const(RIVER_EDGE_T), top)),
        ("G4", "4号网格（新华商圈）", "Z2", band(g[3], g[4], const(RIVER_EDGE_T), top)),
        ("G5", "5号网格（河东新区）", "Z2", band(FAR_S0, FAR_S1, fb, const(RIVER_EDGE_T))),
        ("G6", "6号网格（城东车站）", "Z3", band(g[4], g[5], const(RIVER_EDGE_T), top)),
        ("G7", "7号网格（城东新村）", "Z3", band(g[5], g[6], const(RIVER_EDGE_T), top)),
    )
    for gid, name, zid, poly in grids:
        feats.append({"kind": "grid", "id": gid, "name": name, "level": None, "zone": zid,
                      "geometry": world_polygon(poly, valley, densify=False)})
    town = town_polygon_local(top, fb)
    # level 1: the core area around the party and government offices and the square
    core_pts = [sites_local[k] for k in ("S01", "S02", "S03")] + [rapid_local]
    ring1 = shapely.MultiPoint(core_pts).convex_hull.buffer(110.0, quad_segs=8)
    ring1 = shapely.intersection(ring1, town)
    # level 2: crowded places — commercial streets, market, bus station, schools, hospitals
    crowded = ("S14", "S15", "S07", "S05", "S29", "S11", "S01", "S16", "S12", "S03", "S17",
               "S31", "S08", "S18", "S13", "S06", "S30", "S04")
    hull = shapely.concave_hull(shapely.MultiPoint([sites_local[k] for k in crowded]), ratio=0.3)
    ring2 = shapely.union(hull.buffer(150.0, quad_segs=8), ring1.buffer(40.0, quad_segs=8))
    ring2 = Polygon(ring2.exterior) if isinstance(ring2, Polygon) else ring2
    ring2 = shapely.intersection(ring2, town)
    for geom in (ring1, ring2):
        if not isinstance(geom, Polygon):
            raise SystemExit(f"a control ring is not one polygon: {geom.geom_type}")
    rings = (
        ("R1", "重点核心区域处置控制圈", 1, ring1, True),
        ("R2", "人员密集场所处置控制圈", 2, ring2, True),
        ("R3", "一般区域处置控制圈", 3, town, False),
    )
    for rid, name, level, poly, dens in rings:
        feats.append({"kind": "ring", "id": rid, "name": name, "level": level,
                      "geometry": world_polygon(poly, valley, densify=dens)})
    return feats


def nearest_node(net: Network, xy: tuple[float, float], car: bool = True,
                 exclude: Sequence[int] = ()) -> int:
    d2 = ((net.xy - np.asarray(xy)) ** 2).sum(axis=1)
    if car:
        d2 = np.where(net.car_nodes, d2, np.inf)
    for i in exclude:
        d2[i] = np.inf
    return int(np.argmin(d2))


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------

# Daily profile of the background (hour 0..23): low 3-6 h, peaks late afternoon and evening.
DAY_PROFILE = np.array([
    0.55, 0.40, 0.28, 0.18, 0.15, 0.18, 0.30, 0.55, 0.80, 0.90, 0.95, 1.00,
    0.95, 0.90, 0.95, 1.05, 1.20, 1.35, 1.40, 1.45, 1.50, 1.40, 1.10, 0.80,
])


def _hours(spec: dict[tuple[int, int], float]) -> np.ndarray:
    out = np.zeros(24)
    for (a, b), v in spec.items():
        for h in range(a, b + 1):
            out[h % 24] = v
    return out


# Activity of each kind of hot spot by hour (relative; 0 = closed).
HOT_PROFILE = {
    "market": _hours({(6, 6): 0.4, (7, 11): 1.4, (12, 13): 0.8, (14, 17): 0.4, (18, 19): 0.2}),
    "business_street": _hours({(9, 10): 0.6, (11, 17): 1.0, (18, 21): 1.4, (22, 22): 0.6}),
    "night_market": _hours({(18, 18): 0.6, (19, 23): 1.5, (24, 25): 0.8}),
    "bus_station": _hours({(6, 8): 1.2, (9, 16): 0.9, (17, 19): 1.0}),
    "square": _hours({(6, 8): 0.8, (9, 17): 0.4, (18, 21): 1.4, (22, 22): 0.5}),
    "school": _hours({(7, 7): 1.2, (8, 8): 0.5, (11, 11): 0.5, (12, 12): 0.9, (16, 16): 0.6,
                      (17, 17): 1.2, (18, 18): 0.4}),
    "hospital": _hours({(0, 7): 0.4, (8, 17): 1.0, (18, 23): 0.7}),
    "internet_cafe": _hours({(0, 3): 1.0, (10, 17): 0.3, (18, 19): 0.6, (20, 23): 1.2}),
    "supermarket": _hours({(9, 17): 0.8, (18, 21): 1.2}),
    "bank": _hours({(9, 16): 1.0}),
    "hotel": _hours({(0, 2): 1.0, (12, 19): 0.3, (20, 23): 0.8}),
}
# Relative daily weight of each hot spot, by site kind (before the global calibration).
HOT_WEIGHT = {
    "market": 1.0, "business_street": 1.0, "night_market": 0.9, "bus_station": 0.7,
    "square": 0.7, "middle_school": 0.25, "primary_school": 0.25, "hospital": 0.3,
    "internet_cafe": 0.3, "supermarket": 0.35, "bank": 0.1, "hotel": 0.12,
}
HOT_KIND = {"middle_school": "school", "primary_school": "school"}
BACKGROUND_WEIGHT = 8.0  # relative daily weight of incidents spread over the streets

# Category mix by context: 盗窃 纠纷 打架斗殴 交通事故 求助 诈骗 扰乱秩序
CATEGORY_MIX = {
    "market": (0.40, 0.25, 0.05, 0.05, 0.12, 0.05, 0.08),
    "business_street": (0.35, 0.20, 0.08, 0.05, 0.15, 0.07, 0.10),
    "night_market": (0.15, 0.20, 0.30, 0.05, 0.10, 0.02, 0.18),
    "bus_station": (0.30, 0.15, 0.05, 0.10, 0.25, 0.08, 0.07),
    "square": (0.15, 0.25, 0.12, 0.03, 0.25, 0.05, 0.15),
    "school": (0.10, 0.20, 0.20, 0.25, 0.20, 0.02, 0.03),
    "hospital": (0.20, 0.40, 0.10, 0.05, 0.20, 0.02, 0.03),
    "internet_cafe": (0.25, 0.20, 0.30, 0.00, 0.10, 0.05, 0.10),
    "supermarket": (0.50, 0.20, 0.05, 0.05, 0.12, 0.03, 0.05),
    "bank": (0.10, 0.10, 0.02, 0.03, 0.15, 0.55, 0.05),
    "hotel": (0.25, 0.20, 0.20, 0.00, 0.15, 0.10, 0.10),
    "main_road": (0.12, 0.15, 0.08, 0.40, 0.15, 0.03, 0.07),
    "street": (0.25, 0.30, 0.08, 0.07, 0.18, 0.08, 0.04),
}
PRIORITY_MIX = {  # P(priority 1, 2, 3) by category
    "盗窃": (0.10, 0.50, 0.40), "纠纷": (0.05, 0.40, 0.55), "打架斗殴": (0.55, 0.40, 0.05),
    "交通事故": (0.30, 0.50, 0.20), "求助": (0.15, 0.35, 0.50), "诈骗": (0.05, 0.35, 0.60),
    "扰乱秩序": (0.15, 0.50, 0.35),
}
# Near-repeat (Hawkes) branching: expected follow-ups per incident, by category.
HAWKES_ALPHA = {"盗窃": 0.35, "纠纷": 0.25, "打架斗殴": 0.30, "交通事故": 0.05, "求助": 0.05,
                "诈骗": 0.15, "扰乱秩序": 0.20}
HAWKES_LAG_DAYS = 2.0  # mean of the exponential day lag
HAWKES_SIGMA_M = 60.0  # spatial spread of a follow-up around its parent
HAWKES_SAME_CATEGORY = 0.7
TARGET_PER_DAY = 8.5  # all incidents (background + hot spots + follow-ups), average
CLASS_WEIGHT = {"primary": 2.0, "secondary": 1.6, "tertiary": 1.2, "residential": 1.0,
                "service": 0.8, "unclassified": 0.5, "pedestrian": 2.0, "footway": 0.6,
                "steps": 0.3}
HOT_SIGMA_M = 35.0
NOISE_M = 3.0
WINTER_BREAK = ((date(2024, 1, 20), date(2024, 2, 25)), (date(2025, 1, 15), date(2025, 2, 16)))
SUMMER_BREAK = ((date(2024, 7, 6), date(2024, 8, 31)), (date(2025, 7, 5), date(2025, 8, 31)))
HOLIDAY_FACTOR = {"spring": 1.45, "national": 1.35, "other": 1.2}


@dataclass
class Calendar:
    days: list[date]
    off: list[bool]  # a day without work (weekend not made up, or public holiday)
    holiday: list[str]  # "", "spring", "national", "other"
    school: list[bool]
    makeup: set[date] = field(default_factory=set)  # make-up working days (调休)


def make_calendar() -> Calendar:
    years = list(range(START.year, END.year))
    cn = holidays.China(years=years)
    makeup: set[date] = set()
    for name in cn.values():
        for m in re.findall(r"substituted from (\d{2})/(\d{2})/(\d{4})", str(name)):
            makeup.add(date(int(m[2]), int(m[0]), int(m[1])))
    days = [START + timedelta(days=k) for k in range((END - START).days)]
    off = [(d in cn) or (d.weekday() >= 5 and d not in makeup) for d in days]
    hol = [""] * len(days)
    k = 0
    while k < len(days):
        if not off[k]:
            k += 1
            continue
        j = k
        while j < len(days) and off[j]:
            j += 1
        if any(days[m] in cn for m in range(k, j)):
            # by date, not by the library's holiday names: the long winter break is the
            # Spring Festival, the break holding 1 October the National Day week
            span = days[k:j]
            kind = ("spring" if span[0].month in (1, 2) and len(span) >= 5
                    else "national" if any(d.month == 10 and d.day == 1 for d in span)
                    else "other")
            for m in range(k, j):
                hol[m] = kind
        k = j
    school = []
    for d, o in zip(days, off, strict=True):
        brk = any(a <= d <= b for a, b in WINTER_BREAK + SUMMER_BREAK)
        school.append(not o and not brk)
    return Calendar(days=days, off=off, holiday=hol, school=school, makeup=makeup)


def week_factor(d: date, off: bool, hour: int) -> float:
    """Friday and Saturday evenings are busy; weekend days a little busier than weekdays."""
    wd = d.weekday()
    evening = hour >= 18 or hour < 2
    f = 1.0
    if wd == 4 and evening:
        f = 1.3
    elif wd == 5:
        f = 1.5 if evening else 1.15
    elif wd == 6:
        f = 1.15 if 9 <= hour < 18 else 1.0
    if off and wd < 5:
        f = max(f, 1.15)  # a public holiday on a weekday counts as a weekend day
    return f


def season_factor(d: date) -> float:
    doy = d.timetuple().tm_yday
    return 1.0 + 0.12 * math.cos(2.0 * math.pi * (doy - 200) / 365.0)


def make_incidents(rng: np.random.Generator, net: Network, town_world: Polygon,
                   sites: list[dict[str, object]], valley: Valley) -> list[tuple[str, ...]]:
    cal = make_calendar()
    # the street segments of the town (both ends inside it)
    inside = shapely.contains_xy(town_world, net.xy[:, 0], net.xy[:, 1])
    segs, weights, contexts = [], [], []
    for e in net.edges:
        u, v = int(e["u"]), int(e["v"])  # type: ignore[call-overload]
        if not (inside[u] and inside[v]):
            continue
        s_mid = float((net.local[u, 0] + net.local[v, 0]) / 2.0)
        far = float((net.local[u, 1] + net.local[v, 1]) / 2.0) < RIVER_EDGE_T
        density = 0.8 if far else 0.6 + 0.8 * math.exp(-(((s_mid - 2050.0) / 900.0) ** 2))
        segs.append((u, v))
        weights.append(float(e["length_m"]) * CLASS_WEIGHT[str(e["class"])] * density)
        contexts.append("main_road" if e["class"] in ("primary", "secondary") else "street")
    w_seg = np.array(weights) / np.sum(weights)
    seg_geoms = [LineString([net.xy[u], net.xy[v]]) for u, v in segs]
    tree = shapely.STRtree(seg_geoms)

    hot = [st for st in sites if st["kind"] in HOT_WEIGHT]
    hot_kind = [HOT_KIND.get(str(st["kind"]), str(st["kind"])) for st in hot]
    hot_w = np.array([HOT_WEIGHT[str(st["kind"])] for st in hot])
    profiles = np.array([HOT_PROFILE[k] / HOT_PROFILE[k].sum() for k in hot_kind])  # (H, 24)
    bg_profile = DAY_PROFILE / DAY_PROFILE.sum()

    # intensity per (day, hour, component); component 0 = background
    n_days = len(cal.days)
    lam = np.zeros((n_days, 24, 1 + len(hot)))
    for k, d in enumerate(cal.days):
        hol = HOLIDAY_FACTOR.get(cal.holiday[k], 1.0)
        season = season_factor(d)
        winter = d.month in (12, 1, 2)
        for h in range(24):
            base = week_factor(d, cal.off[k], h) * hol * season
            lam[k, h, 0] = BACKGROUND_WEIGHT * bg_profile[h] * base
            for i, kind in enumerate(hot_kind):
                a = hot_w[i] * profiles[i, h]
                if kind == "school":
                    a = a * season if cal.school[k] else 0.0
                elif kind == "bank":
                    a = a * season if not cal.off[k] else 0.0
                elif kind == "night_market":
                    a = a * base * (0.5 if winter else 1.0)
                else:
                    a = a * base
                lam[k, h, 1 + i] = a
    mean_alpha = float(np.mean(list(HAWKES_ALPHA.values())))
    scale = TARGET_PER_DAY * (1.0 - mean_alpha) * n_days / lam.sum()
    lam *= scale

    # immigrants
    times: list[int] = []  # minutes since START
    comps: list[int] = []
    for k in range(n_days):
        for h in range(24):
            tot = lam[k, h].sum()
            n = int(rng.poisson(tot))
            if n == 0:
                continue
            cs = rng.choice(lam.shape[2], size=n, p=lam[k, h] / tot)
            mins = rng.integers(0, 60, size=n)
            for c, m in zip(cs, mins, strict=True):
                times.append(k * 1440 + h * 60 + int(m))
                comps.append(int(c))
    events: list[dict[str, object]] = []
    for t, c in zip(times, comps, strict=True):
        hour = (t // 60) % 24
        if c == 0:
            j = int(rng.choice(len(segs), p=w_seg))
            u, v = segs[j]
            f = float(rng.random())
            p = net.xy[u] + f * (net.xy[v] - net.xy[u])
            ctx = contexts[j]
        else:
            st = hot[c - 1]
            sx, sy = valley.point(float(st["s"]), float(st["t"]))
            p = np.array([sx, sy]) + rng.normal(0.0, HOT_SIGMA_M, 2)
            ctx = hot_kind[c - 1]
        day_kind = cal.holiday[t // 1440]
        cat = draw_category(rng, ctx, hour, day_kind)
        events.append({"t": t, "p": p, "cat": cat})

    # near-repeat follow-ups (self-exciting, generation by generation)
    horizon = n_days * 1440
    gen = events
    while gen:
        children = []
        for ev in gen:
            cat = str(ev["cat"])
            for _ in range(int(rng.poisson(HAWKES_ALPHA[cat]))):
                lag = math.floor(rng.exponential(HAWKES_LAG_DAYS))
                h = int(rng.choice(24, p=bg_profile))
                m = int(rng.integers(0, 60))
                t_parent = int(ev["t"])  # type: ignore[call-overload]
                t = (t_parent // 1440 + lag) * 1440 + h * 60 + m
                if t <= t_parent:
                    t += 1440
                p = np.asarray(ev["p"]) + rng.normal(0.0, HAWKES_SIGMA_M, 2)
                if rng.random() < HAWKES_SAME_CATEGORY:
                    c2 = cat
                else:
                    c2 = draw_category(rng, "street", h, "")
                if t < horizon:
                    children.append({"t": t, "p": p, "cat": c2})
        events.extend(children)
        gen = children

    # onto the streets, with a few metres of noise; then priorities
    pts = shapely.points(np.array([np.asarray(ev["p"]) for ev in events]))
    _, nearest = tree.query_nearest(pts, all_matches=False)
    on = shapely.line_interpolate_point(
        np.array(seg_geoms)[nearest], shapely.line_locate_point(np.array(seg_geoms)[nearest], pts)
    )
    xy = shapely.get_coordinates(on) + rng.normal(0.0, NOISE_M, (len(events), 2))
    rows = []
    for ev, (x, y) in zip(events, xy, strict=True):
        cat = str(ev["cat"])
        pri = int(rng.choice(3, p=PRIORITY_MIX[cat])) + 1
        rows.append((int(ev["t"]), round(float(x), 1), round(float(y), 1), cat, pri))  # type: ignore[call-overload]
    rows.sort()
    start = datetime(START.year, START.month, START.day)
    out = []
    for k, (t, x, y, cat, pri) in enumerate(rows, start=1):
        stamp = (start + timedelta(minutes=t)).strftime("%Y-%m-%dT%H:%M")
        out.append((f"I{k:06d}", stamp, f"{x:.1f}", f"{y:.1f}", cat, str(pri)))
    return out


def draw_category(rng: np.random.Generator, ctx: str, hour: int, day_kind: str) -> str:
    w = np.array(CATEGORY_MIX[ctx], float)
    if hour >= 21 or hour < 3:
        w[2] *= 1.8  # fights
        w[6] *= 1.8  # disorder
        w[5] *= 0.3  # fraud
    if hour in (7, 8, 17, 18):
        w[3] *= 1.5  # traffic at the rush hours
    if day_kind == "spring":
        w[1] *= 1.5  # family and neighbour disputes
        w[2] *= 1.3
        w[3] *= 1.3
    return CATEGORIES[int(rng.choice(len(CATEGORIES), p=w / w.sum()))]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def f1(v: float) -> str:
    s = f"{v:.1f}"
    return "0.0" if s == "-0.0" else s


def geojson_text(feats: list[dict[str, object]]) -> str:
    lines = []
    for f in feats:
        geom: Polygon = f["geometry"]  # type: ignore[assignment]
        coords = [[[round(float(x), 1), round(float(y), 1)] for x, y in geom.exterior.coords]]
        props = {k: v for k, v in f.items() if k != "geometry"}
        feat = {"type": "Feature", "properties": props,
                "geometry": {"type": "Polygon", "coordinates": coords}}
        lines.append(json.dumps(feat, ensure_ascii=False, sort_keys=True))
    head = ('{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
            '{"name": "urn:ogc:def:crs:EPSG::32648"}}, "features": [\n')
    return head + ",\n".join(lines) + "\n]}\n"


def write(out: Path, files: dict[str, str]) -> None:
    for rel, text in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------


def generate(seed: int) -> tuple[dict[str, str], dict[str, object]]:
    rng = np.random.default_rng(seed)
    valley = Valley.build()
    layout = build_layout(rng)
    net = build_network(layout, valley)
    check_network(net)
    ids = net.ids

    # ----- sites
    site_rows = []
    site_node: dict[str, int] = {}
    site_xy: dict[str, tuple[float, float]] = {}
    sites_local: dict[str, tuple[float, float]] = {}
    for st in layout.sites:
        sid = str(st["id"])
        key = f"site:{sid}"
        if key in net.forced:
            node = net.forced[key]
            xy = (float(net.xy[node, 0]), float(net.xy[node, 1]))
        else:
            x, y = valley.point(float(st["s"]), float(st["t"]))
            xy = (round(x, 1), round(y, 1))
            node = nearest_node(net, xy)
        site_node[sid], site_xy[sid] = node, xy
        sites_local[sid] = (float(st["s"]), float(st["t"]))
        site_rows.append((sid, st["name"], st["kind"], st["tier"], f1(xy[0]), f1(xy[1]),
                          ids[node]))

    # ----- posts
    posts: list[tuple[str, str, str, int, int]] = []  # id, name, kind, night_only, node

    def at_local(s: float, rail: str, dt: float = 0.0) -> int:
        r = layout.rails[rail]
        return nearest_node(net, valley.point(s, r.tf(s) + dt))

    st1 = at_local(900.0, "R1")
    st2 = at_local(3260.0, "R1")
    gov = site_node["S01"]
    rapid = nearest_node(net, site_xy["S01"], exclude=[gov])
    square = site_node["S03"]
    kiosk = nearest_node(net, site_xy["S16"], exclude=[site_node["S16"]])
    posts += [
        ("ST1", "城西巡逻驻点", "station", 0, st1),
        ("ST2", "城东巡逻驻点", "station", 0, st2),
        ("RP1", "县委县政府快反点", "rapid", 0, rapid),
        ("SB1", "背峰山广场屯警点", "standby", 0, square),
        ("KS1", "新华街商圈警务站", "kiosk", 0, kiosk),
    ]
    exits = {str(e["key"]): e for e in layout.exits}
    stations = [
        ("PS1", "沙坪派出所", at_local(1800.0, "R2")),
        ("PS2", "城西派出所", at_local(520.0, "R1")),
        ("PS3", "河东派出所", at_local(2330.0, "Q1")),
        ("PS4", str(exits["SW"]["station"]), net.forced["end:SW"]),
        ("PS5", str(exits["NE"]["station"]), net.forced["end:NE"]),
        ("PS6", str(exits["MT"]["station"]), net.forced["end:MT"]),
        ("PS7", str(exits["FB"]["station"]), net.forced["end:FB"]),
    ]
    posts += [(pid, name, "police_station", 0, node) for pid, name, node in stations]
    cps = []
    for k, key in enumerate(("SW", "NE", "MT", "FB"), start=1):
        e = exits[key]
        cps.append((f"CP{k}", f"{e['direction']}治安检查站", "checkpoint", 0,
                    net.forced[f"checkpoint:{key}"]))
    ncp1 = net.forced["bridge-n:沙坪大桥"]
    ncp2 = at_local(3650.0, "R1")
    cps += [
        ("NCP1", "沙坪大桥北桥头夜间执勤卡点", "checkpoint", 1, ncp1),
        ("NCP2", "城东路夜间执勤卡点", "checkpoint", 1, ncp2),
    ]
    posts += cps
    for k, key in enumerate(("SW", "NE", "MT", "FB", "VN", "VS"), start=1):
        e = exits[key]
        posts.append((f"X{k}", f"{e['road']}出城口", "exit", 0, net.forced[f"exit:{key}"]))
    # cameras: tier-1 and tier-2 sites, bridge heads, the entrance checkpoints, busy junctions
    cam_nodes: list[tuple[int, str]] = []
    for st in layout.sites:
        if int(st["tier"]) <= 2:  # type: ignore[call-overload]
            cam_nodes.append((site_node[str(st["id"])], f"{st['name']}监控"))
    for name in ("沙坪大桥", "新区大桥", "沙坪人行桥"):
        cam_nodes.append((net.forced[f"bridge-n:{name}"], f"{name}北桥头监控"))
        cam_nodes.append((net.forced[f"bridge-s:{name}"], f"{name}南桥头监控"))
    for _, name, _, _, node in cps[:4]:
        cam_nodes.append((node, name.replace("治安检查站", "卡口监控")))
    cams: list[tuple[str, str, str, int, int]] = []
    seen_nodes: set[int] = set()
    for node, name in cam_nodes:
        if node in seen_nodes:
            continue
        seen_nodes.add(node)
        cams.append((f"CAM{len(cams) + 1:02d}", name, "camera", 0, node))
    posts += cams
    post_rows = [(pid, name, kind, night, f1(net.xy[node, 0]), f1(net.xy[node, 1]), ids[node])
                 for pid, name, kind, night, node in posts]
    post_node = {p[0]: p[4] for p in posts}

    # ----- areas
    rapid_local = (float(net.local[rapid, 0]), float(net.local[rapid, 1]))
    feats = make_areas(layout, valley, sites_local, rapid_local)
    town_world = next(f["geometry"] for f in feats if f["kind"] == "ring" and f["level"] == 3)
    grids = [f for f in feats if f["kind"] == "grid"]
    for sid, xy in site_xy.items():
        n_in = sum(1 for g in grids if g["geometry"].contains(Point(xy)))  # type: ignore[attr-defined]
        if n_in != 1:
            raise SystemExit(f"site {sid} lies in {n_in} grids")

    # ----- mandatory patrol lines
    adj = car_graph(net)
    sn, pn = site_node, post_node
    line_specs = (
        ("L1", "核心区必巡线", 60, [pn["RP1"], sn["S01"], sn["S02"], pn["SB1"], sn["S12"],
                                    sn["S11"], pn["RP1"]]),
        ("L2", "商圈夜市必巡线", 90, [sn["S16"], sn["S17"], sn["S18"], sn["S13"], sn["S03"],
                                      sn["S15"], sn["S14"], sn["S16"]]),
        ("L3", "校园医院必巡线", 120, [sn["S07"], sn["S05"], pn["PS1"], sn["S08"], sn["S09"],
                                       sn["S06"], sn["S04"], sn["S07"]]),
        ("L4", "城西必巡线", 180, [pn["ST1"], sn["S21"], sn["S20"], sn["S10"], pn["PS2"],
                                   sn["S26"], pn["ST1"]]),
        ("L5", "城东及河东必巡线", 240, [pn["ST2"], sn["S04"], sn["S19"], pn["NCP2"], sn["S23"],
                                         sn["S25"], sn["S06"], pn["PS3"], sn["S24"],
                                         sn["S32"], pn["ST2"]]),
    )
    line_rows = []
    line_info = []
    lens = {(int(e["u"]), int(e["v"])): float(e["length_m"])  # type: ignore[call-overload]
            for e in net.edges}
    for lid, lname, every, way in line_specs:
        path = [way[0]]
        for a, b in itertools.pairwise(way):
            if a == b:
                continue
            path += shortest_path(adj, a, b)[1:]
        for k, node in enumerate(path, start=1):
            line_rows.append((lid, k, ids[node], every))
        length = 0.0
        for a, b in itertools.pairwise(path):
            length += lens.get((a, b), lens.get((b, a), 0.0))
        line_info.append((lid, lname, every, len(path), length))

    # ----- units and people
    units, people = forces()
    unit_rows = units
    # ----- incidents
    incidents = make_incidents(rng, net, town_world, layout.sites, valley)

    files: dict[str, str] = {}
    files["network/nodes.csv"] = csv_text(
        ("id", "x", "y"), [(ids[i], f1(net.xy[i, 0]), f1(net.xy[i, 1])) for i in range(len(ids))])
    files["network/edges.csv"] = csv_text(
        ("u", "v", "length_m", "speed_kph", "oneway", "name", "class"),
        [(ids[int(e["u"])], ids[int(e["v"])], f1(float(e["length_m"])), e["speed_kph"],  # type: ignore[call-overload]
          e["oneway"], e["name"], e["class"]) for e in net.edges])
    files["areas.geojson"] = geojson_text(feats)
    files["sites.csv"] = csv_text(("id", "name", "kind", "tier", "x", "y", "node"), site_rows)
    files["posts.csv"] = csv_text(("id", "name", "kind", "night_only", "x", "y", "node"),
                                  post_rows)
    files["lines.csv"] = csv_text(("line", "seq", "node", "every_minutes"), line_rows)
    files["units.csv"] = csv_text(("id", "tier", "mode", "squad", "home_post", "seats", "name"),
                                  unit_rows)
    # the two night checkpoints, held by the patrol cars of the stations nearest them
    # (the article: 充分调动派出所巡逻力量设立2个夜间执勤卡点) from 20:00 to the cars' 02:00
    files["pins.csv"] = csv_text(("unit", "post", "from", "to", "note"), [
        (car, cp, a, b, "夜间执勤卡点") for car, cp in (("PS1-C", "NCP1"), ("PS3-C", "NCP2"))
        for a, b in (("20:00", "24:00"), ("00:00", "02:00"))])
    files["people.csv"] = csv_text(("id", "role", "team", "squad", "skills", "tier"), people)
    files["incidents.csv"] = csv_text(("id", "time", "x", "y", "category", "priority"),
                                      incidents)
    files["scenario.toml"] = SCENARIO_TOML
    stats = summarize(net, layout, site_rows, posts, units, people, incidents, line_info, seed)
    files["README.md"] = readme(stats)
    return files, stats


def forces() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Units (id, tier, mode, squad, home_post, seats, name) and people."""
    units: list[tuple[object, ...]] = [
        ("TX-C1", "special", "car", "fixed", "RP1", 10, "巡逻突击运兵车1（快反车组）"),
        ("TX-C2", "special", "car", "fixed", "SB1", 8, "巡逻突击运兵车2（屯警车组）"),
        ("TX-C3", "special", "car", "checkpoint", "ST1", 8, "巡逻突击运兵车3（卡口车组）"),
    ]
    for k in range(1, 7):
        units.append((f"TX-M{k}", "special", "motorcycle", "patrol", "ST1" if k <= 3 else "ST2",
                      1, f"巡逻摩托车{k}"))
    for k in range(1, 5):
        units.append((f"TX-B{k}", "special", "balance", "fixed", "SB1" if k <= 2 else "RP1", 1,
                      f"巡逻平衡车{k}"))
    units.append(("TX-D1", "special", "drone", "patrol", "SB1", "", "警用无人机1"))
    units.append(("TX-D2", "special", "drone", "patrol", "ST2", "", "警用无人机2"))
    station_names = {"PS1": "沙坪", "PS2": "城西", "PS3": "河东", "PS4": "新林", "PS5": "毛坪",
                     "PS6": "黑竹沟", "PS7": "大堡"}
    for ps, nm in station_names.items():
        units.append((f"{ps}-C", "precinct", "car", "patrol", ps, 5, f"{nm}派出所巡逻车"))
    for ps in ("PS1", "PS2", "PS3"):
        units.append((f"{ps}-F", "precinct", "foot", "patrol", ps, "",
                      f"{station_names[ps]}派出所步巡组"))
    units.append(("WJ-1", "armed", "car", "armed", "RP1", 8, "武警联勤武装巡逻车"))
    for ps, nm in station_names.items():
        units.append((f"{ps}-G", "auxiliary", "foot", "grid", ps, "", f"{nm}派出所网格工作队"))
    units += [
        ("YJ-1", "auxiliary", "foot", "volunteer", "SB1", "", "义警巡逻队（广场）"),
        ("YJ-2", "auxiliary", "foot", "volunteer", "KS1", "", "义警巡逻队（夜市商圈）"),
        ("SH-1", "auxiliary", "foot", "merchant", "KS1", "", "新华街商户联防队"),
        ("SH-2", "auxiliary", "foot", "merchant", "PS1", "", "农贸市场商户联防队"),
        ("BA-1", "auxiliary", "car", "guard", "PS1", 5, "警保联勤联防巡逻车"),
    ]

    people: list[tuple[object, ...]] = [
        ("TXJ01", "police", "day", "patrol", "armed;driver;leader", "special"),
        ("TXJ02", "police", "day", "fixed", "armed;driver;drone_pilot;leader", "special"),
        ("TXJ03", "police", "day", "checkpoint", "armed;driver;motorcycle;leader", "special"),
    ]
    # 30 auxiliaries in four shift teams (8, 8, 7, 7): patrol 3, fixed 3/2, checkpoint 2.
    for team, size in (("A", 8), ("B", 8), ("C", 7), ("D", 7)):
        plan = [
            ("patrol", "motorcycle;team_leader"),
            ("patrol", "motorcycle;drone_pilot"),
            ("patrol", "motorcycle;driver"),
            ("fixed", "driver"),
            ("fixed", "driver;drone_pilot" if size == 8 else "driver;first_aid"),
            ("checkpoint", "driver"),
            ("checkpoint", "motorcycle;first_aid"),
            ("fixed", "first_aid"),
        ][:size]
        for k, (squad, skills) in enumerate(plan, start=1):
            people.append((f"TXF{team}{k:02d}", "auxiliary", team, squad, skills, "special"))
    # a station's patrol team (ours) crews its car, and at the three town stations its foot
    # group, in every hour from its own duty list, each person 8 hours a day (56 a week, the
    # policy's max_week_hours): a two-person car round the clock is 48 crew-hours a day, 6
    # people; with a one-person foot group 72, 9 people (a review: 4 people had been named
    # for 72 crew-hours; units.csv's ``hours`` would put the units off duty instead)
    for ps in ("PS1", "PS2", "PS3", "PS4", "PS5", "PS6", "PS7"):
        n_j, n_f = (4, 5) if ps in ("PS1", "PS2", "PS3") else (3, 3)
        people += [(f"{ps}-J{k}", "police", ps, "patrol", "armed;driver" if k == 1 else "driver",
                    "precinct") for k in range(1, n_j + 1)]
        people += [(f"{ps}-F{k}", "auxiliary", ps, "patrol",
                    "first_aid" if k % 2 == 0 else "driver", "precinct")
                   for k in range(1, n_f + 1)]
    for ps in ("PS1", "PS2", "PS3", "PS4", "PS5", "PS6", "PS7"):
        for k in range(1, 4):
            people.append((f"{ps}-W{k}", "grid_worker", f"{ps}-G", "grid", "", "auxiliary"))
    for k in range(1, 11):
        people.append((f"YJ{k:02d}", "volunteer", "YJ", "volunteer", "", "auxiliary"))
    for k in range(1, 9):
        people.append((f"SH{k:02d}", "merchant", "SH", "merchant", "", "auxiliary"))
    for k in range(1, 5):
        people.append((f"BA{k:02d}", "guard", "BA", "guard", "driver" if k <= 2 else "",
                       "auxiliary"))
    # the armed police's joint-patrol car round the clock: 48 crew-hours a day, 6 people
    for k in range(1, 7):
        people.append((f"WJ{k:02d}", "armed_police", "WJ", "armed", "armed;driver"
                       if k in (1, 4) else "armed", "armed"))
    return units, people


# ---------------------------------------------------------------------------------------------
# scenario.toml and README.md
# ---------------------------------------------------------------------------------------------

SCENARIO_TOML = """\
# The built-in scenario: 峨边彝族自治县 沙坪镇 (the county seat of the article), SYNTHETIC.
# Generated by tools/generate_ebian.py; see README.md for what is the article's and what is ours.
name = "ebian"
title = "峨边彝族自治县 沙坪镇（合成示例）"
crs = "EPSG:32648"  # WGS 84 / UTM zone 48N, around 103.26 E 29.23 N
timezone = "Asia/Shanghai"
horizon_days = 1  # plan one day ...
slot_minutes = 60  # ... in one-hour slots

[policy]
# "1、3、5分钟"快反机制 (article): minutes to reach ring level / site tier 1, 2, 3.
response_targets = { "1" = 1, "2" = 3, "3" = 5 }
# Longest interval between patrol visits, by site tier (一级/二级/三级巡查区域, article §3(四)).
# Tier 1 every 2 h follows the hot-spot evidence in DOMAIN.md (each spot at least every 2 hours);
# tiers 2 and 3 double it each step (our choice).
revisit_minutes = { "1" = 120, "2" = 240, "3" = 480 }
# "四班三运转" (article): four teams, 8-hour shifts starting 08:00, 16:00 and 00:00.
shift_pattern = "4-3"
shift_starts = [8, 16, 0]
# Shift handover (交接班, ours): a unit on duty on both sides of a shift start is off the street
# this many minutes then; its route in the hour after starts that much later (the simulator's
# default too).
handover_minutes = 15

# Mode speeds in km/h (ours): troop carriers in a county seat, motorcycles, balance vehicles,
# walking, and the drones' cruise speed.
[policy.speeds_kph]
car = 50
motorcycle = 45
balance = 12
foot = 5
drone = 60

# Rush hours (ours): cars and motorcycles at 70 % speed at 07-09 and 17-19.
[[policy.peak_factors]]
hours = [7, 8, 17, 18]
factor = 0.7
modes = ["car", "motorcycle"]

# Drones (ours): [policy.drones] keeps its defaults (25 min battery, 35 min recharge, 5 min
# over each grid, 12 sorties a day, 3 grids a sortie, every hour). A drone flies with a pilot
# of the patrol squad on duty to crew it; a shift's three patrol members ride the motorcycles
# the 1-3-5 rings need, so the drones stay grounded unless crew_first puts one in the air
# before the third motorcycle (measured 2026-12-02 for 12-03 under the share rule: 12
# sorties, the daily limit, over 30 of 74 thin cells; measured 2026-11-28 to 11-30 under the
# earlier rule: 6-7 slots a day in which a tier-1 site's ring is not held).
# [policy.drones]
# crew_first = true
"""


def summarize(net: Network, layout: Layout, site_rows: list[tuple[object, ...]],
              posts: list[tuple[str, str, str, int, int]], units: list[tuple[object, ...]],
              people: list[tuple[object, ...]], incidents: list[tuple[str, ...]],
              line_info: list[tuple[str, str, int, int, float]], seed: int
              ) -> dict[str, object]:
    from collections import Counter

    classes = Counter(str(e["class"]) for e in net.edges)
    km = sum(float(e["length_m"]) for e in net.edges) / 1000.0  # type: ignore[arg-type]
    days = (END - START).days
    return {
        "seed": seed,
        "nodes": len(net.ids),
        "edges": len(net.edges),
        "km": km,
        "classes": dict(sorted(classes.items(), key=lambda kv: -kv[1])),
        "oneway": sum(1 for e in net.edges if e["oneway"]),
        "sites_by_tier": {f"tier {k}": v for k, v in  # type: ignore[call-overload]
                          sorted(Counter(int(r[3]) for r in site_rows).items())},
        "posts_by_kind": dict(Counter(p[2] for p in posts)),
        "units": dict(sorted(Counter((str(u[1]), str(u[2])) for u in units).items())),
        "people": dict(sorted(Counter((str(p[5]), str(p[1])) for p in people).items())),
        "n_people": len(people),
        "incidents": len(incidents),
        "per_day": len(incidents) / days,
        "categories": dict(Counter(r[4] for r in incidents).most_common()),
        "priorities": dict(sorted(Counter(r[5] for r in incidents).items())),
        "lines": line_info,
        "first": incidents[0][1],
        "last": incidents[-1][1],
        "origin": Valley.build().point(S_REF, 0.0),
    }


ARTICLE_TABLE = (
    ("巡特警大队 专职巡防民警 / 辅警", "3 / 30",
     "`people.csv` tier `special`: 3 `police`, 30 `auxiliary`"),
    ("运兵车 / 摩托车 / 平衡车 / 无人机", "3 / 6 / 4 / 2",
     "`units.csv` tier `special`: 3 `car`, 6 `motorcycle`, 4 `balance`, 2 `drone`"),
    ("中队", "巡逻小队、驻点小队、卡口小队", "squads `patrol`, `fixed`, `checkpoint`"),
    ("勤务模式", "四班三运转", "`shift_pattern = \"4-3\"`, teams A–D"),
    ("巡防区 / 必巡线 / 防控网格", "3 / 5 / 7", "zones Z1–Z3, lines L1–L5, grids G1–G7"),
    ("巡逻驻点", "2", "ST1, ST2 (`station`)"),
    ("快反点", "1, 以政府首脑机关为前沿", "RP1 (`rapid`), the junction by the county offices"),
    ("屯警点", "1, 以背峰山广场为辐射基础", "SB1 (`standby`), at 背峰山广场"),
    ("巡逻车组屯警街面", "2 a day", "carriers TX-C1 (home RP1) and TX-C2 (home SB1)"),
    ("三级处置控制圈", "核心区域 / 人员密集场所 / 一般区域", "rings of level 1, 2, 3"),
    ("快反机制", "1、3、5分钟", "`response_targets` in scenario.toml"),
    ("治安检查站", "主要出入口, 高频率、无规则", "CP1–CP4, one per entrance road"),
    ("夜间执勤卡点", "2, 派出所巡逻力量",
     "NCP1, NCP2 (`night_only = 1`), held 20–02 by PS1-C and PS3-C (`pins.csv`)"),
    ("派出所 / 网格工作队", "7 / one each", "PS1–PS7, units PS1-G … PS7-G"),
    ("武警联勤", "常态化", "WJ-1 (tier `armed`)"),
    ("义警 / 商户联防 / 警保联动", "the third tier", "YJ-1/2, SH-1/2, BA-1 (`auxiliary`)"),
    ("街面警务站", "建设力度还不能适应", "only one kiosk, KS1"),
    ("分级巡查", "一级/二级/三级巡查区域", "site tiers 1–3"),
)


def rewrap(text: str, width: int = 96) -> str:
    """Fill the prose paragraphs and list items of a Markdown text; leave tables and titles."""
    out: list[str] = []
    item: list[str] = []
    indent = ""

    def flush() -> None:
        if item:
            words = " ".join(x.strip() for x in item)
            out.append(textwrap.fill(words, width=width, subsequent_indent=indent,
                                     break_long_words=False, break_on_hyphens=False))
            item.clear()

    for line in text.split("\n"):
        bullet = re.match(r"^(- |\d+\. )", line)
        if not line.strip() or line.startswith(("|", "#")):
            flush()
            out.append(line)
        elif bullet or not item:
            flush()
            indent = " " * len(bullet.group(1)) if bullet else ""
            item.append(line)
        else:
            item.append(line)
    flush()
    return "\n".join(out)


def readme(st: dict[str, object]) -> str:
    def items(d: object) -> str:
        assert isinstance(d, dict)
        return ", ".join(f"{k}: {v}" for k, v in d.items())

    def pairs(d: object) -> str:
        assert isinstance(d, dict)
        return "\n".join(f"| {a} | {b} | {n} |" for (a, b), n in d.items())

    article = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in ARTICLE_TABLE)
    lines = st["lines"]
    assert isinstance(lines, list)
    line_txt = "\n".join(
        f"| {lid} | {name} | {every} | {n} | {length / 1000:.1f} |"
        for lid, name, every, n, length in lines
    )
    ox, oy = st["origin"]  # type: ignore[misc]
    sites = st["sites_by_tier"]
    assert isinstance(sites, dict)
    seed = st["seed"]
    return rewrap(f"""\
# `ebian` — 峨边彝族自治县 沙坪镇 (synthetic)

**The geography and the incidents in this folder are synthetic.** Roads, areas, sites, posts
and incidents were generated by `tools/generate_ebian.py` with seed {seed}
(`python tools/generate_ebian.py --seed {seed}` rewrites this folder byte for byte, and
`tests/test_ebian_generator.py` checks that it does). No road data of the real county seat
could be had offline, so the generator builds a *plausible* river-valley town with the
structure the article describes. Street names, site names and positions are not facts about
峨边; the organisation numbers in the first table are the article's.

The town sits at the real place: the valley centre line passes through 103.26° E 29.23° N,
which is ({ox:.1f}, {oy:.1f}) in EPSG:32648 (UTM zone 48N). Every coordinate in every file is
in EPSG:32648 metres (`crs` in scenario.toml; areas.geojson too).

## From the article (`shared/seed`)

| what | article | here |
|---|---|---|
{article}

Policy values in scenario.toml: the 1-3-5 minute response targets and 四班三运转 with shifts
starting at 08, 16 and 00 are the article's; the revisit intervals (120 / 240 / 480 min by
tier), the mode speeds and the rush-hour factor are ours (comments in the file).

## Our choices

- **Geography.** A town about 4.2 km along the 大渡河 (the river ~150 m wide, flowing NE) and
  about 1.1 km deep on the main bank, with a smaller district (河东新区) on the far bank.
  滨河路 follows the river; the main street (城西路 / 新华街 / 城东路, `primary`) and the
  second street (人民西路 / 人民路 / 人民东路) run parallel to it; 建设路 and 背峰路 climb the
  hillside. Cross streets have jittered positions, kinks and spans (T-junctions, staggered
  crossings); lanes run half-way between streets; the old town has footways and steps (foot
  only) and the 新华步行街 pedestrian street; five old-town street segments are one-way.
  Two road bridges (沙坪大桥, 新区大桥) and a footbridge (沙坪人行桥) cross the river.
- **Entrances.** Six roads leave town: the valley highway both ways (往金口河, 往沙湾), the
  mountain road to 黑竹沟 and the far-bank road to 大堡, each with an entrance checkpoint
  (CP1–CP4) just inside its exit, and two village lanes that are exits only (X5, X6). The
  exits X1–X6 are the ring to seal in a blockade.
- **Network.** {st['nodes']} nodes, {st['edges']} edges, {st['km']:.1f} km; classes:
  {items(st['classes'])}; {st['oneway']} one-way edges. `length_m` is measured along the
  street's curve and is never shorter than the straight line. `speed_kph` is the class's car
  speed (primary 40, secondary 35, tertiary 30, residential 20, service 15, the highway
  outside town 60; foot-only classes carry walking figures and are closed to cars by the
  policy). The car network is strongly connected with its one-way streets; footways only
  join it. The roads leaving town carry shape nodes so that maps draw their bends.
- **Police stations.** The county has 7. Three are placed in town (沙坪, 城西, 河东) and four
  at the far ends of the roads leaving the map, named after townships of the county (新林,
  毛坪, 黑竹沟, 大堡); their real positions and directions are not modelled.
- **Sites.** {sum(sites.values())} key sites ({items(sites)}).
  Tier 1: the county offices, 背峰山广场, the bus station, two hospitals, three
  schools, a petrol station. Tier 2: four banks, the market, 新华街商圈, 滨河夜市, a
  shopping centre, two enterprises. Tier 3: residential compounds, parks, hotels,
  internet cafés. Each site's `x,y` is the building; its `node` is the nearest road node a
  car can use.
- **Posts.** By kind: {items(st['posts_by_kind'])}.
  Posts stand exactly on their node. Cameras sit at the tier-1/2 sites, the bridge heads
  and the entrance checkpoints (our reading of the article's 前端感知源 at 党政机关、
  交通枢纽、学校医院、大型商圈、银行网点).
- **Areas.** Zones cut the valley into west / centre / east (the far bank belongs to the
  centre); the seven grids split the zones 2 + 3 + 2 and tile the town (the river belongs to
  the main-bank grids). Ring 1 is the area around the county offices, the rapid-response
  point and the square; ring 2 joins the crowded places (commercial streets, market, night
  market, bus station, main-bank schools, hospitals, banks); ring 3 is the whole town.
- **Lines** (必巡线). The routes, through the key sites, and their frequencies are ours:

| line | name | every (min) | nodes | km |
|---|---|---|---|---|
{line_txt}

- **The brigade's officers.** Three officers cannot lead four shift teams. Here they work day
  duty (team `day`, 常白班, weekdays) as the brigade's commanders, one per squad (skill
  `leader`); each shift team A–D (8, 8, 7 and 7 auxiliaries: 3 patrol, 3 or 2 fixed, 2
  checkpoint) is led on the street by a senior auxiliary (`team_leader`). Outside office
  hours the duty command falls to the on-call officer (备勤) and the command centre, and acts
  that need a police officer fall to the precinct patrols. With 四班三运转 one team is on
  duty at a time: 7–8 auxiliaries (plus the three officers by day) for 15 vehicles and
  drones, so not every vehicle can be crewed in every slot — which is what planning decides.
- **Other forces.** The stations' patrol teams are the main body of the street force (以派出所
  治安巡防队伍为主体): each station's team crews its patrol car round the clock from its own
  duty list, which the roster does not rota, each person 8 hours a day (56 a week): 3 police
  and 3 auxiliaries for a two-person car's 48 crew-hours a day, and at the three town
  stations, which also walk a one-person foot group, 4 police and 5 auxiliaries (72). Each
  station also has 3 grid workers (网格工作队); 10 volunteers (义警) in two groups, 8
  merchants (商户联防) in two, 4 security guards (警保联动, a car) and 6 armed police (one
  joint-patrol car, round the clock). The two night checkpoints (夜间执勤卡点) are held 20–02
  by the nearest stations' cars, PS1-C at NCP1 and PS3-C at NCP2 (`pins.csv`). `units.csv`
  has an extra `name` column and `people.csv` an extra `tier` column.

| unit tier | mode | count |
|---|---|---|
{pairs(st['units'])}

| people tier | role | count |
|---|---|---|
{pairs(st['people'])}

## Incidents (synthetic)

{st['incidents']} incidents from {st['first']} to {st['last']} (two full years), i.e.
{st['per_day']:.1f} a day on average, the order of a county seat of 40–50 thousand people.
Categories: {items(st['categories'])}.
Priorities (1 urgent – 3): {items(st['priorities'])}.

The generating process, hour by hour over 2024–2025:

1. **Background** over the town's streets. Rate ∝ the daily profile (lowest 03–06, highest
   17–21) × a weekly factor (Friday evening 1.3; Saturday 1.15, evening 1.5; Sunday daytime
   1.15; a weekday holiday at least 1.15; "evening" is 18–02) × a holiday factor (Spring
   Festival period 1.45, National Day week 1.35, other public holidays 1.2; holiday periods
   from `holidays.China` with the weekends that join them, make-up working days (调休) count
   as workdays) × a season factor 1 + 0.12 cos(2π(day of year − 200)/365). The street is drawn
   ∝ length × class weight (primary and pedestrian 2, secondary 1.6, tertiary 1.2,
   residential 1, …) × a density bump centred on the old town (far bank 0.8).
2. **Hot spots** at crowded sites, each with its own hours: market (mornings), 新华街商圈 (day
   and evening), 滨河夜市 (19–01, half in winter), bus station, square (morning exercise,
   evening dancing), schools (school days only, at arrival, noon and leaving; none in the
   winter and summer holidays), hospitals, internet cafés (late night), the shopping centre,
   banks (working days 09–17), hotels. A hot-spot incident lies around its site (σ =
   {HOT_SIGMA_M:.0f} m). Daily weights: background {BACKGROUND_WEIGHT:.0f}; {items(HOT_WEIGHT)}.
3. Counts are Poisson; all rates are scaled so that the expected total, follow-ups included,
   is about {TARGET_PER_DAY} a day (taking the share of follow-ups as the mean of the α below).
4. **Near repeats** (a self-exciting, Hawkes-type component): every incident triggers
   Poisson(α) follow-ups, α by category ({items(HAWKES_ALPHA)}). A follow-up comes
   ⌊Exp(mean {HAWKES_LAG_DAYS:.0f} days)⌋ days later at an hour drawn from the daily profile,
   at N(parent, {HAWKES_SIGMA_M:.0f} m), with the parent's category with probability
   {HAWKES_SAME_CATEGORY}. Follow-ups trigger their own.
5. The category depends on the place (market: theft 40 %; night market: fights 30 %; banks:
   fraud 55 %; main roads: traffic 40 %; …), with more fights and disorder at night (21–03),
   more traffic accidents at rush hours and more disputes in the Spring Festival. The
   priority depends on the category (fights mostly 1, fraud and assistance mostly 3).
6. Every position is moved onto the nearest street segment of the town, plus N(0,
   {NOISE_M:.0f} m) noise per axis. `time` is local time (Asia/Shanghai) to the minute.

The incidents exercise forecasting, planning and replay; they show what the system does, not
how crime in 峨边 behaves (DESIGN.md §6: synthetic data is never the only evidence).
""")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the scenario folder to write")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the random seed")
    args = ap.parse_args(argv)
    files, stats = generate(args.seed)
    write(args.out, files)
    print(f"wrote {args.out}: {stats['nodes']} nodes, {stats['edges']} edges, "
          f"{stats['incidents']} incidents ({stats['per_day']:.1f}/day)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
