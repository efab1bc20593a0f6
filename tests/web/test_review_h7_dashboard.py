"""Review H4 #2-#4 on the dashboard, on the built-in county's plan of the fixture day and a
plan of the next day with seed 3 (the review's plan 2, with a posture shortfall):

- the duty sheet's answer carries the plan's shortfalls (in the page's language) and the
  video desk's camera tours (plan_sheet.csv's rows of kind video), and its ``place`` is
  plan_sheet.csv's;
- /api/plans/{id}/places puts every unit on duty in a slot on the map, route units as the
  lines they drive.
The browser test renders the page in chromium and checks the roster (#1), the shortfalls and
the route units on the map, with no console error and nothing fetched from elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, Env, make_env, serving_app
from tests.web.test_browser import browser  # noqa: F401  (the fixture)
from xunfang.report.folder import plan_sheet_rows
from xunfang.report.html import OTHER_SHORT_STAGES
from xunfang.report.i18n import t
from xunfang.web.centre import PlanEntry


@pytest.fixture(scope="module")
def county(planned, db_kind, tmp_path_factory) -> Iterator[tuple[Env, int, int]]:
    """The centre on the fixture's plan (current) and the review's plan 2: the next day,
    seed 3, made through the centre as POST /api/plans makes it."""
    e = make_env(planned, db_kind, tmp_path_factory.mktemp("h7"))
    first = e.centre.current
    second = e.centre.make_plan(date(2026, 12, 2), 1, 3, actor="test").id
    yield e, first, second
    e.centre.store.dispose()


def test_the_sheets_place_is_plan_sheet_csvs_and_it_has_the_camera_tours(county) -> None:
    e, first, second = county
    cl = e.login("viewer")
    for pid in (first, second):
        entry = e.centre.entry(pid)
        assert entry.result is not None
        sheet = cl.get(f"/api/plans/{pid}/sheet?lang=zh").json()
        want = plan_sheet_rows(entry.result, "zh")
        units = {(r["unit"], r["slot_start"]): r["place"] for r in want if r["kind"] != "video"}
        got = {(row["unit"], sheet["slots"][i]): c["place"] for row in sheet["rows"]
               for i, c in enumerate(row["cells"]) if c["duty"] != "off"}
        assert got == units
        tours = [r for r in want if r["kind"] == "video"]
        assert tours and [(v["desk"], v["start"], v["end"], v["place"], v["where"])
                          for v in sheet["video"]] == [
            (r["unit"], r["slot_start"], r["slot_end"], r["place"], r["place_name"])
            for r in tours]


def test_the_sheet_says_the_plans_shortfalls(county) -> None:
    e, first, second = county
    cl = e.login("viewer")
    for pid in (first, second):
        doc = e.centre.entry(pid).document
        posture = doc["stages"]["posture"]["shortfalls"]
        others = [(k, s) for k in OTHER_SHORT_STAGES for s in
                  (doc["stages"].get(k) or {}).get("shortfalls") or []]
        for lang in ("zh", "en"):
            got = cl.get(f"/api/plans/{pid}/sheet?lang={lang}").json()["shortfalls"]
            by_slot = [f for f in got if f["slot"] is not None]
            assert [(f["slot"], f["duty"], f["place"], f["need"], f["have"])
                    for f in by_slot] == [(f["slot"], f["duty"], f["place"], f["need"],
                                           f["have"]) for f in posture]
            for f in by_slot:
                assert f["duty_said"] == t("short_" + f["duty"], lang)
                assert f"{f['need']}" in f["text"] and f"{f['have']}" in f["text"]
                assert f["start"][11:16] in f["text"]
                if lang == "zh":  # the reason in Chinese, not plan.json's English
                    assert not re.search(r"[a-z]{4,}", f["text"]), f["text"]
                else:
                    src = next(s for s in posture if s["slot"] == f["slot"]
                               and s["place"] == f["place"])
                    assert src["detail"] in f["text"]
            day = [(f["stage"], f["text"]) for f in got if f["slot"] is None]
            assert [k for k, _ in day] == [k for k, _ in others]
            for (_, x), (_, src) in zip(day, others, strict=True):
                if lang == "en":  # plan.json's sentence (its cells' slots as clock times)
                    assert x.split(":")[0] == src.split(":")[0]
                else:  # said in Chinese
                    assert not re.search(r"[a-z]{4,}", x), x
    # plan 2 has a posture shortfall (the review's: 05:00, G4, patrol work, need 2, have 1)
    assert e.centre.entry(second).document["stages"]["posture"]["shortfalls"]


def on_duty(entry: PlanEntry, slot: int) -> dict[str, Any]:
    p = entry.plan
    return {u: p.at(u, p.slots[slot].index) for u in p.units
            if p.at(u, p.slots[slot].index).duty != "off"}


def test_the_places_of_a_slot_put_every_unit_on_duty_on_the_map(county) -> None:
    e, first, _ = county
    cl = e.login("viewer")
    entry = e.centre.entry(first)
    assert entry.result is not None
    driven = {(str(r["unit"]), int(r["slot"])): r["nodes"]
              for r in entry.result.stages["routes"]["routes"]}
    for slot in (3, 11, 20):
        fc = cl.get(f"/api/plans/{first}/places?slot={slot}").json()
        duty = on_duty(entry, slot)
        feats = {f["properties"]["unit"]: f for f in fc["features"]}
        assert set(feats) == set(duty) and len(fc["features"]) == len(duty)
        routes = 0
        for u, a in duty.items():
            f = feats[u]
            if a.post:
                assert f["geometry"]["type"] == "Point"
                assert f["properties"]["kind"] == ("checkpoint" if a.duty == "checkpoint"
                                                   else "post")
            elif (u, a.slot) in driven:  # the routes stage's line, node by node
                routes += 1
                assert f["geometry"]["type"] == "LineString"
                assert len(f["geometry"]["coordinates"]) == len(driven[(u, a.slot)])
                assert f["properties"]["grid"]
        assert routes > 0
    assert cl.get(f"/api/plans/{first}/places?slot={len(entry.plan.slots)}").status_code == 422


def test_the_dashboard_shows_the_roster_shortfalls_and_route_units(county, browser) -> None:  # noqa: F811
    e, _, second = county
    entry = e.centre.entry(second)
    assert entry.result is not None and entry.result.roster is not None
    api = e.login("viewer")
    roster = api.get(f"/api/roster/{second}").json()
    shorts = api.get(f"/api/plans/{second}/sheet?lang=zh").json()["shortfalls"]
    with serving_app(e.centre) as base:
        ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda x: errors.append(str(x)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: r.url.startswith((base, "data:")) or errors.append(r.url))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
                else None)
        page.goto(f"{base}/login?lang=zh")
        page.fill("input[name=name]", "viewer")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/**")
        page.goto(f"{base}/?plan={second}&lang=zh")
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        # the roster: roster.csv's rows, the night shift of the day before first, labelled
        page.click("button[data-tab=roster]")
        assert page.locator("#roster tr").count() == len(roster["rows"]) + 1
        lead = page.locator("#roster tr.lead-in")
        assert lead.count() == roster["lead_in"] > 0
        assert "前一日夜班" in lead.first.inner_text()
        # the shortfalls over the sheet, the posture's by slot, in Chinese
        page.click("button[data-tab=sheet]")
        slot_items = page.locator("#short-list li.short-slot")
        posture = [f for f in shorts if f["slot"] is not None]
        assert posture and slot_items.count() == len(posture)
        assert slot_items.all_inner_texts() == [f["text"] for f in posture]
        assert page.locator("#short-list li.short-day").count() == len(shorts) - len(posture)
        assert page.locator("#video tr.tour").count() == len(
            api.get(f"/api/plans/{second}/sheet").json()["video"]) > 0
        # a click on a shortfall moves the slider to its slot: the map then draws every unit
        # on duty, the route units as their lines, with the layer's legend
        target = int(posture[0]["slot"])
        slot_items.first.click()
        page.wait_for_function(f"window.xunfang.layers.planned.slot === {target}")
        duty = on_duty(entry, target)
        drawn = page.evaluate("""window.xunfang.layers.planned.getLayers().map(l => [
            l.place.unit, l.place.kind, l.getLatLngs ? l.getLatLngs().length : 0])""")
        assert sorted(u for u, _, _ in drawn) == sorted(duty)
        routes = {(str(r["unit"]), int(r["slot"])): r["nodes"]
                  for r in entry.result.stages["routes"]["routes"]}
        lines = {u: n for u, kind, n in drawn if kind == "route"}
        want = {u: len(routes[(u, a.slot)]) for u, a in duty.items() if (u, a.slot) in routes}
        assert want and {u: lines.get(u) for u in want} == want
        label = page.locator(".leaflet-control-layers-overlays label",
                             has_text="计划岗位（所选时段）")
        label.locator("input").check()
        legend = page.locator("#planned-legend")
        assert legend.is_visible()
        assert f"{len(duty)} 个单元在岗" in legend.inner_text()
        assert "汽车" in legend.inner_text()
        page.wait_for_timeout(500)
        assert not errors, errors
        ctx.close()
