"""An inline SVG map of roads, areas, sites and posts: no tiles, no scripts, opens offline."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import numpy as np
import shapely

from xunfang.planning.coverage import Coverage
from xunfang.report.charts import text_width
from xunfang.scenario.model import FloatArray, Roads, Scenario

# Travel-time bands from the posts: within band k, beyond the last, unreachable. Each band
# darker than the one before (relative luminance 0.59, 0.37, 0.17, 0.05: a contrast ratio of
# 1.5 or more between neighbours), so that a grey print tells them apart: a review printed
# the old green-to-red scale, whose 1-minute #1a9850 and >5-minute #d73027 (a contrast
# ratio of 1.3) came out the same grey, and the 3- and 5-minute bands (1.01) too. An
# unreachable road is grey and dashed (UNREACHED_DASH).
BAND_COLOURS = ("#a6d96a", "#f08a24", "#d7301f", "#7f0000")
UNREACHED = "#9e9e9e"
UNREACHED_DASH = "3 2"
TIER_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#67a9cf"}
POST_STYLE = {
    "station": ("#08306b", "square"), "rapid": ("#e31a1c", "diamond"),
    "standby": ("#6a3d9a", "diamond"), "kiosk": ("#1f78b4", "square"),
    "police_station": ("#000000", "square"), "checkpoint": ("#ff7f00", "triangle"),
    "exit": ("#4d4d4d", "cross"), "camera": ("#33a02c", "dot"),
}
RING_FILL = {1: "#fde0dd", 2: "#fcc5c0", 3: "#fff7f3"}
#: a temporary post (posts.csv ``temporary``: staffed only in its events' hours), whatever
#: its kind: a star of its own colour (a review: drawn as an ordinary kiosk)
TEMPORARY_STYLE = ("#d01c8b", "star")


def star_points(x: float, y: float, r: float = 6.5) -> str:
    """The five-pointed star of a temporary post, centred on (x, y), outer radius ``r``."""
    pts = []
    for i in range(10):
        a = np.pi / 2 + i * np.pi / 5
        rr = r if i % 2 == 0 else r * 0.45
        pts.append(f"{x + rr * np.cos(a):.1f},{y - rr * np.sin(a):.1f}")
    return " ".join(pts)


#: the report's type sizes (px) of the map labels' classes (templates/report.html.j2's CSS);
#: a label is placed by the box these give it
LABEL_FONT_PX = {"zlabel": 15.0, "plabel": 10.0, "glabel": 7.0, "slabel": 11.0, "scale": 11.0}
#: the posts' labels in this order when they compete for room (the kinds a crew reports to
#: first); a label that finds none is left off, its marker keeps its hover
POST_LABEL_RANK = ("police_station", "station", "rapid", "standby", "kiosk", "checkpoint",
                   "exit", "camera")


def text_box(text: str, x: float, y: float, size: float, anchor: str = "start"
             ) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) of a label drawn at baseline (x, y): an em's 0.8 above the
    baseline, 0.25 below it; as wide as charts.text_width says (a CJK character a full em)."""
    w = text_width(text, size)
    x0 = x if anchor == "start" else x - w / 2 if anchor == "middle" else x - w
    return (x0, y - 0.8 * size, x0 + w, y + 0.25 * size)


class _Labels:
    """Places a map's labels one at a time, each at the first of its candidate spots whose
    box lies inside the drawing and clear of every label placed before: the caller places
    them in order of priority, so a label that finds no room is a less important one, and it
    is left off (review HD: labels ran off the map's edge and over one another)."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.boxes: list[tuple[float, float, float, float]] = []

    def reserve(self, box: tuple[float, float, float, float]) -> None:
        self.boxes.append(box)

    def place(self, text: str, cls: str, spots: list[tuple[float, float, str]],
              extra: str = "") -> str | None:
        """The <text> element of ``text`` at the first free spot (x, y, text-anchor) of
        ``spots``; None where none is free."""
        size = LABEL_FONT_PX[cls]
        for x, y, anchor in spots:
            b = text_box(text, x, y, size, anchor)
            if b[0] < 1 or b[1] < 1 or b[2] > self.width - 1 or b[3] > self.height - 1:
                continue
            if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]
                   for o in self.boxes):
                continue
            self.boxes.append(b)
            anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
            return (f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}"{anchor_attr}{extra}>'
                    f"{escape(text)}</text>")
        return None


def _beside(x: float, y: float) -> list[tuple[float, float, str]]:
    """A marker's label spots: upper right (the usual), lower right, upper left, lower left,
    then above and below it, then a line higher on either side."""
    return [(x + 7, y - 6, "start"), (x + 7, y + 12, "start"), (x - 7, y - 6, "end"),
            (x - 7, y + 12, "end"), (x, y - 9, "middle"), (x, y + 17, "middle"),
            (x + 7, y - 18, "start"), (x - 7, y - 18, "end")]


def _around(x: float, y: float, step: float) -> list[tuple[float, float, str]]:
    """An area's label spots: centred on its point, then moved up and down by ``step``."""
    return [(x, y + dy * step, "middle") for dy in (0, -1, 1, -2, 2, -3, 3)]


class _Frame:
    """Working-CRS metres → SVG pixels (y flipped), keeping the aspect ratio."""

    def __init__(self, xy: FloatArray, width: float) -> None:
        lo = xy.min(axis=0)
        hi = xy.max(axis=0)
        span = np.maximum(hi - lo, 1.0)
        self.pad = 12.0
        self.scale = (width - 2 * self.pad) / float(max(span[0], span[1] * 0.6))
        self.lo = lo
        self.width = width
        self.height = float(span[1] * self.scale + 2 * self.pad)
        self.top = float(hi[1])

    def __call__(self, xy: FloatArray) -> FloatArray:
        a = np.asarray(xy, float).reshape(-1, 2)
        x = (a[:, 0] - self.lo[0]) * self.scale + self.pad
        y = (self.top - a[:, 1]) * self.scale + self.pad
        return np.round(np.column_stack([x, y]), 1)

    def metres_per_pixel(self) -> float:
        return 1.0 / self.scale


def _num(tenths: int) -> str:
    """A coordinate of the path data, given in tenths of a pixel: ``12.3``, ``-.5``, ``7``."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{frac}"


def path_d(lines: list[FloatArray], *, closed: bool = False) -> str:
    """SVG path data of polylines in pixels (to 0.1 px, as :class:`_Frame` gives them): each
    one's start absolute (``M``), then the steps to its next points relative (``l``), ``Z``
    after each when ``closed``. The same points as ``M x y L x y …`` draws, in about two
    thirds of the bytes (review HZ: the report's maps drew the roads four times over)."""
    out: list[str] = []
    for line in lines:
        q = np.rint(np.asarray(line, float).reshape(-1, 2) * 10).astype(np.int64)
        if not len(q):
            continue
        if closed and len(q) > 2 and (q[0] == q[-1]).all():
            q = q[:-1]  # Z goes back to the start: a step there drew a corner's join apart
        step = np.diff(q, axis=0).ravel().tolist()
        parts = [f"M{_num(int(q[0, 0]))} {_num(int(q[0, 1]))}".replace(" -", "-")]
        if step:
            nums = [_num(v) for v in step]
            body = nums[0]
            for n in nums[1:]:
                body += n if n.startswith("-") else " " + n
            parts.append("l" + body)
        if closed:
            parts.append("Z")
        out.append("".join(parts))
    return "".join(out)


def _polygon(points: str, colour: str, title: str) -> str:
    return (f'<polygon points="{points}" fill="{colour}" stroke="#fff" stroke-width="1">'
            f"{title}</polygon>")


def _marker(kind: str, x: float, y: float, colour: str, title: str,
            shape: str | None = None) -> str:
    t = f"<title>{escape(title)}</title>"
    shape = shape or POST_STYLE.get(kind, ("#000", "dot"))[1]
    if shape == "star":
        return (f'<polygon class="temporary-post" points="{star_points(x, y)}" '
                f'fill="{colour}" stroke="#fff" stroke-width="1">{t}</polygon>')
    if shape == "square":
        return (f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{colour}" '
                f'stroke="#fff" stroke-width="1">{t}</rect>')
    if shape == "diamond":
        pts = f"{x},{y - 6} {x + 6},{y} {x},{y + 6} {x - 6},{y}"
        return _polygon(pts, colour, t)
    if shape == "triangle":
        pts = f"{x},{y - 6} {x + 6},{y + 5} {x - 6},{y + 5}"
        return _polygon(pts, colour, t)
    if shape == "cross":
        return (f'<g stroke="{colour}" stroke-width="2.5">{t}<line x1="{x - 5}" y1="{y - 5}" '
                f'x2="{x + 5}" y2="{y + 5}"/><line x1="{x - 5}" y1="{y + 5}" x2="{x + 5}" '
                f'y2="{y - 5}"/></g>')
    return f'<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}">{t}</circle>'


def render_map(scenario: Scenario, access: Coverage | None, *, width: float = 1000.0,
               labels: bool = True, temporary: Mapping[str, str] | None = None,
               tips: Mapping[tuple[str, str], str] | None = None) -> str:
    """The SVG element (a string) of the scenario's map, roads coloured by minutes from posts;
    a temporary post a star (TEMPORARY_STYLE), its hover ``temporary[id]`` where given (the
    report's words: temporary, its events and their hours); a site's or other post's hover
    ``tips[("site" | "post", id)]`` where given (the report's language: "S01 (tier 1)" stood
    in a zh map)."""
    tip = tips or {}
    r = scenario.roads
    pts = [r.xy] + [np.asarray(a.geometry.exterior.coords) if hasattr(a.geometry, "exterior")
                    else np.vstack([np.asarray(g.exterior.coords) for g in a.geometry.geoms])
                    for a in scenario.areas]
    frame = _Frame(np.vstack([p for p in pts if len(p)]), width)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} '
           f'{frame.height:.0f}" class="map" role="img">',
           f'<rect width="{width:.0f}" height="{frame.height:.0f}" fill="#fbfbf8"/>']
    # rings (filled, outer first), grids, zones
    for ring in sorted(scenario.areas_of("ring"), key=lambda a: -(a.level or 3)):
        out.append(_area_path(ring.geometry, frame, fill=RING_FILL.get(ring.level or 3, "#fff"),
                              stroke="#f4a3a8", width=1.0, dash="", title=ring.name,
                              opacity=0.55))
    for grid in scenario.areas_of("grid"):
        out.append(_area_path(grid.geometry, frame, fill="none", stroke="#7f7f7f", width=0.8,
                              dash="4 3", title=grid.name))
    for zone in scenario.areas_of("zone"):
        out.append(_area_path(zone.geometry, frame, fill="none", stroke="#3f007d", width=2.0,
                              dash="", title=zone.name))
    # roads, coloured by the slower end's band
    p = frame(r.xy)
    width_by_class = {"primary": 2.6, "trunk": 2.8, "secondary": 2.2, "tertiary": 1.8}
    groups: dict[tuple[str, float], list[FloatArray]] = {}
    for k in range(r.n_edges):
        a, b = int(r.u[k]), int(r.v[k])
        colour = "#555"
        if access is not None:
            m = max(access.minutes[a], access.minutes[b])
            if not np.isfinite(m):
                colour = UNREACHED
            else:
                bands = scenario.policy.isochrone_minutes
                band = next((i for i, lim in enumerate(bands) if m <= lim), len(bands))
                colour = BAND_COLOURS[min(band, len(BAND_COLOURS) - 1)]
        w = width_by_class.get(r.road_class[k], 1.2)
        groups.setdefault((colour, w), []).append(_edge_points(r, k, p, frame))
    for (colour, w), segs in sorted(groups.items(), key=lambda kv: kv[0][1]):
        dash = f' stroke-dasharray="{UNREACHED_DASH}"' if colour == UNREACHED else ""
        out.append(f'<path d="{path_d(segs)}" stroke="{colour}" stroke-width="{w}" '
                   f'fill="none" stroke-linecap="round"{dash}/>')
    # labels: the scale bar's, the zones', then the posts' by POST_LABEL_RANK, each where
    # it fits (_Labels), drawn last so that no road or marker covers them
    placer = _Labels(width, frame.height)
    scale = _scale_bar(frame)
    placer.reserve(_scale_box(frame))
    label_svg: list[str] = []
    if labels:
        for zone in sorted(scenario.areas_of("zone"), key=lambda a: a.id):
            c = frame(np.array(zone.geometry.representative_point().coords))[0]
            label_svg.append(placer.place(zone.name, "zlabel",
                                          _around(float(c[0]), float(c[1]), 18.0)) or "")
    # places that miss their target (ring level or one target for all)
    if access is not None:
        miss = np.flatnonzero(~access.meets)
        if len(miss):
            out.append('<g class="uncovered" fill="none" stroke="#b2182b" stroke-width="1.2">'
                       + "".join(f'<circle cx="{x}" cy="{y}" r="3.2"/>' for x, y in p[miss])
                       + "</g>")
    # sites
    if scenario.sites:
        sp = frame(np.array([s.xy for s in scenario.sites]))
        for s, (x, y) in zip(scenario.sites, sp, strict=True):
            hover = tip.get(("site", s.id), f"{s.name} (tier {s.tier})")
            out.append(f'<circle cx="{x}" cy="{y}" r="4" fill="{TIER_COLOURS.get(s.tier, "#999")}" '
                       f'stroke="#fff" stroke-width="1"><title>{escape(hover)}</title></circle>')
    # posts (cameras first, under the rest)
    posts = sorted(scenario.posts, key=lambda q: q.kind != "camera")
    named: list[tuple[int, str, str, float, float]] = []  # (rank, id, name, x, y)
    if posts:
        pp = frame(np.array([q.xy for q in posts]))
        for q, (x, y) in zip(posts, pp, strict=True):
            if q.temporary:
                title = (temporary or {}).get(q.id, f"{q.name} ({q.kind}, temporary)")
                out.append(_marker(q.kind, float(x), float(y), TEMPORARY_STYLE[0], title,
                                   TEMPORARY_STYLE[1]))
            else:
                colour = POST_STYLE.get(q.kind, ("#000", "dot"))[0]
                out.append(_marker(q.kind, float(x), float(y), colour,
                                   tip.get(("post", q.id), f"{q.name} ({q.kind})")))
            if labels and (q.temporary or q.staffed):
                rank = (POST_LABEL_RANK.index(q.kind) if q.kind in POST_LABEL_RANK
                        else len(POST_LABEL_RANK))
                named.append((rank, q.id, q.name, float(x), float(y)))
    for _, _, name, x, y in sorted(named):
        label_svg.append(placer.place(name, "plabel", _beside(x, y)) or "")
    out.extend(x for x in label_svg if x)
    out.append(scale)
    out.append("</svg>")
    return "\n".join(out)


def _scale_box(frame: _Frame) -> tuple[float, float, float, float]:
    """The box of the scale bar and its label (_scale_bar's), kept clear of other labels."""
    x0, y0 = 20.0, frame.height - 14
    return (x0 - 2, y0 - 4 - LABEL_FONT_PX["scale"] - 2, x0 + 160, y0 + 3)


#: how far (pixels) a drawn outline may stray from the area's own: a grid's edges come
#: densified to a point every half pixel of a 170-pixel heat map, straight runs that drew
#: nothing a reader sees and made up most of the 7-day report's bytes (review HD)
OUTLINE_TOLERANCE_PX = 0.1


def _area_d(geom: object, frame: _Frame) -> str:
    """The SVG path data of a (multi)polygon's rings in pixels, points on a straight run
    (within OUTLINE_TOLERANCE_PX) left out."""
    rings = []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in [poly.exterior, *poly.interiors]:
            q = frame(np.asarray(ring.coords))
            kept = shapely.get_coordinates(shapely.simplify(
                shapely.LineString(q), OUTLINE_TOLERANCE_PX, preserve_topology=False))
            if len(kept) < 4:  # a ring smaller than the tolerance: drawn as it is
                kept = q
            rings.append(np.round(kept, 1))
    return path_d(rings, closed=True)


def _area_path(geom: object, frame: _Frame, *, fill: str, stroke: str, width: float, dash: str,
               title: str, opacity: float = 1.0) -> str:
    d = [_area_d(geom, frame)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<path d="{"".join(d)}" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" '
            f'stroke-width="{width}"{dash_attr} fill-rule="evenodd"><title>{escape(title)}'
            '</title></path>')


def _scale_bar(frame: _Frame) -> str:
    mpp = frame.metres_per_pixel()
    target = 150 * mpp
    nice = 10 ** np.floor(np.log10(target))
    for m in (5, 2, 1):
        if m * nice <= target:
            nice *= m
            break
    px = nice / mpp
    x0, y0 = 20.0, frame.height - 14
    label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
    return (f'<g class="scale"><line x1="{x0}" y1="{y0}" x2="{x0 + px:.1f}" y2="{y0}" '
            f'stroke="#000" stroke-width="2"/><text x="{x0}" y="{y0 - 4}">{label}</text></g>')


def _edge_points(r: Roads, k: int, p: FloatArray, frame: _Frame) -> FloatArray:
    """Edge ``k``'s points in pixels: along its course where the roads carry one, else the
    chord between its ends (``p``: the nodes in pixels)."""
    if r.shape is not None:
        return frame(r.course(k))
    a, b = int(r.u[k]), int(r.v[k])
    return p[[a, b]]


def _road_path(scenario: Scenario, frame: _Frame) -> str:
    """Every road edge as one SVG path (a plain base map under other layers)."""
    r = scenario.roads
    p = frame(r.xy)
    return path_d([_edge_points(r, k, p, frame) for k in range(r.n_edges)])


# Risk heat: a sequential palette (ColorBrewer YlOrRd, 6 classes) on one scale for all slots.
HEAT_COLOURS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")


NO_RISK_COLOUR = "#f7f7f7"  # a grid with nothing expected (the legend's "0")


def heat_colour(value: float, top: float) -> str:
    if top <= 0 or value <= 0:
        return NO_RISK_COLOUR
    k = min(len(HEAT_COLOURS) - 1, int(value / top * len(HEAT_COLOURS)))
    return HEAT_COLOURS[k]


MAX_LABELLED = 30  # heat maps name their grids up to this many


def render_risk_maps(scenario: Scenario, grids: tuple[str, ...], risk: FloatArray,
                     labels: list[str], *, width: float = 170.0,
                     id_prefix: str = "heat") -> list[str]:
    """One small SVG map per column of ``risk`` (grids × slots): each grid filled by its
    expected incidents in that slot, on one colour scale for all slots (the legend's). The
    maps are one page's: the first holds the outlines the others use (``id_prefix``-g*)."""
    areas = {a.id: a for a in scenario.areas_of("grid")}
    polys = [np.asarray(g.exterior.coords) for a in areas.values()
             for g in getattr(a.geometry, "geoms", [a.geometry])]
    if not polys:
        return []
    frame = _Frame(np.vstack(polys), width)
    top = float(risk.max()) if risk.size else 0.0
    road_path = _road_path(scenario, frame)
    labels_svg = []
    if len(grids) <= MAX_LABELLED:  # beyond that the names would cover the map
        placer = _Labels(width, frame.height)  # (in the map's frame, below its title line)
        for gid in sorted(g for g in grids if g in areas):
            x, y = frame(shapely.get_coordinates(
                shapely.point_on_surface(areas[gid].geometry)))[0]
            labels_svg.append(placer.place(gid, "glabel",
                                           _around(float(x), float(y), 8.0)) or "")
    # the grids' outlines and the roads are the same in every slot: drawn once, in the first
    # map's <defs>, and each map <use>s them with its own fills (review HD: 24 maps repeated
    # 0.4 MB of identical path data); ids under ``id_prefix``, unique in the page
    defs = ["<defs>"]
    for i, gid in enumerate(grids):
        if gid in areas:
            defs.append(f'<path id="{id_prefix}-g{i}" d="{_area_d(areas[gid].geometry, frame)}" '
                        'stroke="#888" stroke-width="0.6" fill-rule="evenodd"/>')
    defs.append(f'<path id="{id_prefix}-roads" d="{road_path}" stroke="#555" '
                'stroke-width="0.4" fill="none" stroke-opacity="0.5"/></defs>')
    out = []
    for k, label in enumerate(labels):
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} '
                 f'{frame.height + 14:.0f}" class="heat" role="img">',
                 *(defs if k == 0 else []),
                 f'<text x="4" y="11" class="hlabel">{escape(label)}</text>',
                 '<g transform="translate(0 14)">']
        for i, gid in enumerate(grids):
            if gid not in areas:
                continue
            a = areas[gid]
            v = float(risk[i, k])
            parts.append(f'<use href="#{id_prefix}-g{i}" fill="{heat_colour(v, top)}">'
                         f'<title>{escape(f"{a.name}: {v:.2f}")}</title></use>')
        parts.append(f'<use href="#{id_prefix}-roads"/>')
        parts.extend(labels_svg)  # a printed map is read by its grids' names, not by hover
        parts.append("</g></svg>")
        out.append("".join(parts))
    return out


def render_site_map(scenario: Scenario, value: dict[str, float], *, width: float = 640.0
                    ) -> str:
    """Roads and the posts of ``value`` (id → number), each a circle whose area grows with its
    number (e.g. a checkpoint's expected staffed slots per day), labelled with it."""
    frame = _Frame(scenario.roads.xy, width)
    road = _road_path(scenario, frame)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} '
           f'{frame.height:.0f}" class="map" role="img">',
           f'<path d="{road}" stroke="#999" stroke-width="0.8" fill="none"/>']
    posts = {q.id: q for q in scenario.posts}
    top = max(value.values(), default=0.0)
    placer = _Labels(width, frame.height)
    placer.reserve(_scale_box(frame))
    named = []
    for pid, v in value.items():
        if pid not in posts:
            continue
        x, y = frame(np.array([posts[pid].xy]))[0]
        rad = 3 + 12 * np.sqrt(v / top) if top > 0 else 3
        out.append(f'<circle cx="{x}" cy="{y}" r="{rad:.1f}" fill="#ff7f00" fill-opacity="0.6" '
                   f'stroke="#a63603"><title>{escape(posts[pid].name)}: {v:.2f}</title>'
                   '</circle>')
        named.append((-v, pid, f"{posts[pid].name} {v:.1f}", float(x), float(y), float(rad)))
    # the busiest first where labels compete for room (_Labels)
    for _, _, text, x, y, rad in sorted(named):
        out.append(placer.place(text, "plabel", [
            (x + rad + 2, y + 4, "start"), (x - rad - 2, y + 4, "end"),
            (x, y - rad - 3, "middle"), (x, y + rad + 11, "middle")]) or "")
    out.append(_scale_bar(frame))
    out.append("</svg>")
    return "\n".join(out)


#: the visibility map's classes: a share's lower bounds and their colours (ColorBrewer Blues,
#: lighter for less presence); the breaks are fine near the top, where a county's grids lie
#: (a review: every grid of the county was 59–99 %, and the map, drawn at 150 px wide on the
#: risk maps' scale with no legend, told none of them apart)
SHARE_BREAKS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95)
SHARE_COLOURS = ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


def share_colour(value: float) -> str:
    """The class colour of a share from 0 to 1 (SHARE_BREAKS)."""
    k = max(i for i, lo in enumerate(SHARE_BREAKS) if value >= lo or i == 0)
    return SHARE_COLOURS[k]


def share_classes() -> list[tuple[str, str]]:
    """The legend of :func:`render_share_map`: (colour, "lo–hi %") per class."""
    bounds = [*SHARE_BREAKS, 1.0]
    return [(c, f"{100 * lo:g}–{100 * hi:g}%")
            for c, lo, hi in zip(SHARE_COLOURS, bounds, bounds[1:], strict=False)]


def render_share_map(scenario: Scenario, value: Mapping[str, float], *,
                     width: float = 640.0) -> str:
    """The grids each filled by its share (0–1, e.g. visibility) on SHARE_BREAKS' classes,
    labelled with its name and the share, over the roads: a map read in print."""
    areas = {a.id: a for a in scenario.areas_of("grid")}
    polys = [np.asarray(g.exterior.coords) for a in areas.values()
             for g in getattr(a.geometry, "geoms", [a.geometry])]
    if not polys or not value:
        return ""
    frame = _Frame(np.vstack(polys), width)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} '
           f'{frame.height:.0f}" class="sharemap" role="img">']
    for gid, v in value.items():
        if gid in areas:
            out.append(_area_path(areas[gid].geometry, frame, fill=share_colour(v),
                                  stroke="#555", width=0.8, dash="",
                                  title=f"{areas[gid].name}: {100 * v:.1f}%"))
    out.append(f'<path d="{_road_path(scenario, frame)}" stroke="#444" stroke-width="0.5" '
               'fill="none" stroke-opacity="0.45"/>')
    for gid, v in value.items():
        if gid in areas:
            x, y = frame(shapely.get_coordinates(
                shapely.point_on_surface(areas[gid].geometry)))[0]
            out.append(f'<text x="{x:.1f}" y="{y:.1f}" class="slabel" text-anchor="middle">'
                       f'{escape(areas[gid].name)}<tspan x="{x:.1f}" dy="13">'
                       f'{100 * v:.0f}%</tspan></text>')
    out.append(_scale_bar(frame))
    out.append("</svg>")
    return "".join(out)
