"""The report's maps keep their labels inside the drawing and clear of one another (review
HD: a post's name ran off the map's right edge, another's over the scale bar, and a zone's
name and two posts' were printed on top of each other). Each label's box is worked out
from the SVG itself: its type size by its class (the report's CSS), its width by its
characters (a CJK one a full em, any other 0.6 em)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest

from xunfang.report.svgmap import render_map, render_risk_maps, render_site_map
from xunfang.scenario.loader import load
from xunfang.scenario.model import Scenario

# the sizes of templates/report.html.j2's CSS (a text of no class: the scale bar's, 11 px)
SIZE = {"zlabel": 15.0, "plabel": 10.0, "glabel": 7.0, "slabel": 11.0, "hlabel": 11.0,
        None: 11.0}
TEXT = re.compile(r"<text ([^>]*)>([^<]*)</text>")


def _attr(attrs: str, name: str) -> str | None:
    m = re.search(rf'\b{name}="([^"]*)"', attrs)
    return m.group(1) if m else None


def boxes(svg: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each <text>'s words and box (x0, y0, x1, y1) in the SVG's own units, shifted by the
    translate of the group holding it (the heat maps draw below a title line)."""
    out = []
    for m in TEXT.finditer(svg):
        attrs, words = m.group(1), m.group(2)
        size = SIZE[_attr(attrs, "class")]
        w = sum(size if unicodedata.east_asian_width(c) in "WF" else 0.6 * size
                for c in words)
        x, y = float(_attr(attrs, "x") or 0), float(_attr(attrs, "y") or 0)
        anchor = _attr(attrs, "text-anchor") or "start"
        x0 = x if anchor == "start" else x - w / 2 if anchor == "middle" else x - w
        before = svg[:m.start()]
        shift = re.findall(r'<g transform="translate\(0 ([\d.]+)\)">', before)
        dy = float(shift[-1]) if shift and before.rfind("<g transform") > before.rfind("</g>") \
            else 0.0
        out.append((words, (x0, y + dy - 0.8 * size, x0 + w, y + dy + 0.25 * size)))
    return out


def assert_labels_fit(svg: str) -> None:
    vb = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert vb is not None
    width, height = float(vb.group(1)), float(vb.group(2))
    got = boxes(svg)
    assert got
    outside = [w for w, b in got if b[0] < 0 or b[1] < 0 or b[2] > width or b[3] > height]
    assert not outside, f"labels cut off at the map's edge: {outside}"
    over = [(a, b) for i, (a, p) in enumerate(got) for b, q in got[i + 1:]
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]
    assert not over, f"labels over one another: {over}"


@pytest.fixture(scope="module")
def county() -> Scenario:
    return load("ebian")


def test_the_main_map_keeps_its_labels_inside_and_apart(county: Scenario) -> None:
    svg = render_map(county, None)
    assert_labels_fit(svg)
    # the zones are named first: none of them is left off for a post
    for zone in county.areas_of("zone"):
        assert f">{zone.name}</text>" in svg, zone.name


def test_labels_are_placed_the_same_way_every_time(county: Scenario) -> None:
    assert render_map(county, None) == render_map(county, None)


def test_the_checkpoint_map_keeps_its_labels_inside_and_apart(county: Scenario) -> None:
    # every post weighed alike: their labels compete for room as the report's would
    value = {p.id: 1.0 + k % 3 for k, p in enumerate(county.posts)}
    assert_labels_fit(render_site_map(county, value))


def test_the_heat_maps_keep_their_grid_ids_inside_and_apart(county: Scenario) -> None:
    grids = tuple(a.id for a in county.areas_of("grid"))
    risk = np.linspace(0.0, 1.0, len(grids) * 2).reshape(len(grids), 2)
    for svg in render_risk_maps(county, grids, risk, ["00:00", "01:00"]):
        assert_labels_fit(svg)
