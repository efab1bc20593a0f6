"""A temporary post (posts.csv ``temporary``: staffed only in the hours of the events naming
it) in the plan folder's posts.geojson and on the report's map.

A review found the map drew a fair's temporary post as an ordinary kiosk, and posts.geojson
carried no ``temporary`` at all, nor the events using the post.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from xunfang.planning.pipeline import PlanRequest, PlanResult
from xunfang.report.html import render_report, span_text
from xunfang.report.i18n import Lang, t
from xunfang.report.layers import plan_layers
from xunfang.scenario.model import Event, Post

FAIR = Event(name="庙会", start=datetime(2026, 12, 1, 9), end=datetime(2026, 12, 1, 15),
             level=2, posts=("KS1", "TP1"), extra_staff=4)


@pytest.fixture(scope="module")
def with_fair(county) -> PlanResult:
    """The county's plan with a temporary post by 背峰山广场 (SB1) and a fair at it and KS1
    from 09:00 to 15:00 (the map and layers read the scenario's posts and events)."""
    result, _, _ = county
    sc = result.scenario
    sb1 = next(p for p in sc.posts if p.id == "SB1")
    tp = Post(id="TP1", name="庙会临时岗", kind="kiosk", xy=(sb1.xy[0] + 40.0, sb1.xy[1]),
              temporary=True)
    return replace(result, scenario=replace(sc, posts=(*sc.posts, tp), events=(FAIR,)))


def _posts(layer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["id"]: f["properties"] for f in layer["features"]}


def test_posts_geojson_says_temporary_and_the_events_using_it(with_fair, county) -> None:
    props = _posts(plan_layers(with_fair.scenario, None)["posts.geojson"])
    used = [{"name": "庙会", "from": "2026-12-01T09:00", "to": "2026-12-01T15:00", "level": 2}]
    assert (props["TP1"]["temporary"], props["TP1"]["events"]) == (True, used)
    assert (props["KS1"]["temporary"], props["KS1"]["events"]) == (False, used)
    assert (props["SB1"]["temporary"], props["SB1"]["events"]) == (False, [])
    # the plan folder's layer (the county has no temporary post, no event)
    _, zh, _ = county
    written = _posts(json.loads((zh / "layers" / "posts.geojson").read_text("utf-8")))
    assert {(p["temporary"], len(p["events"])) for p in written.values()} == {(False, 0)}


def _map(page: str) -> str:
    part = page[page.index('<section id="map">'):]
    return part[:part.index("</section>")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_map_draws_a_temporary_post_apart(with_fair, county, lang: Lang) -> None:
    page = _map(render_report(with_fair, PlanRequest(start=date(2026, 12, 1)), lang=lang))
    stars = re.findall(r'<polygon class="temporary-post"[^>]*><title>(.*?)</title>', page)
    hours = span_text(FAIR.start, FAIR.end)
    assert [html.unescape(s) for s in stars] == [t(
        "temporary_post_title", lang, name="庙会临时岗", events=f"庙会 {hours}")]
    assert ("临时岗" if lang == "zh" else "temporary post") in html.unescape(stars[0])
    assert t("legend_temporary", lang) in html.unescape(page)
    # KS1, an ordinary post the fair also uses, stays a kiosk
    assert html.escape(t("map_post_tip", lang, name="新华街商圈警务站",
                         kind=t("kind_kiosk", lang))) in page
    # without a temporary post: no star, no legend entry
    plain = _map(render_report(county[0], PlanRequest(start=date(2026, 12, 1)), lang=lang))
    assert "temporary-post" not in plain
    assert t("legend_temporary", lang) not in html.unescape(plain)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_temporary_post_renders_in_a_browser(with_fair, browser: Any, tmp_path: Path,
                                                 lang: Lang) -> None:
    path = tmp_path / f"report-{lang}.html"
    path.write_text(render_report(with_fair, PlanRequest(start=date(2026, 12, 1)), lang=lang),
                    encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    star = page.locator("#map svg.map polygon.temporary-post")
    assert star.count() == 1
    box = star.bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5  # drawn, not a dot
    assert star.evaluate("e => getComputedStyle(e).fill") == "rgb(208, 28, 139)"
    title = star.locator("title").text_content()
    assert title == t("temporary_post_title", lang, name="庙会临时岗",
                      events=f"庙会 {span_text(FAIR.start, FAIR.end)}")
    legend = page.locator("#map .legend .legend-temporary")
    assert legend.is_visible() and legend.inner_text().strip() == t("legend_temporary", lang)
    assert legend.locator("polygon").evaluate("e => getComputedStyle(e).fill") == \
        "rgb(208, 28, 139)"
    page.close()
    assert errors == []
    assert requests == [path.as_uri()]  # nothing fetched: the report opens offline
