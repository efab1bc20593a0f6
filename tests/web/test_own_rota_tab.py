"""The own duty lists' rotas on the dashboard's roster tab: /api/roster/{id} (and
/api/roster/{id}/own, which answers for a plan with no brigade roster too) gives each list of
the stored plan.json's ``posture.own_duty_lists`` with its people, their roles, its duties as
stored and its shortfall figures; a plan stored before the rotas gives none and says why; the
page draws them in #own-rota under the roster, the sworn officers (民警) marked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.web.conftest import Env
from tests.web.test_browser import browser  # noqa: F401  (the fixture)
from tests.web.test_dashboard_keeps_up import open_page, serving
from tests.web.test_dashboard_words import english_in
from xunfang.web.centre import PlanEntry

#: the built-in county's own duty lists: three town stations of two units and nine people,
#: four stations of one unit and six, the armed police's
LISTS = 8
FAKE_ID = 987_654  # a plan id no store row has: a plan with no brigade roster


def stored_lists(entry: PlanEntry) -> list[dict[str, Any]]:
    lists: list[dict[str, Any]] = entry.document["stages"]["posture"]["own_duty_lists"]
    return lists


def by_units(rotas: list[dict[str, Any]], *units: str) -> dict[str, Any]:
    got = [o for o in rotas if o["units"] == list(units)]
    assert len(got) == 1, [o["units"] for o in rotas]
    return got[0]


@pytest.fixture
def cached(env: Env) -> Iterator[dict[int, PlanEntry]]:
    """The centre's cache of plans, to put a plan in; what a test put there taken out after
    (read back from the store next time)."""
    put: dict[int, PlanEntry] = {}
    yield put
    with env.centre._lock:
        for pid in put:
            env.centre._entries.pop(pid, None)


def put_entry(env: Env, cached: dict[int, PlanEntry], entry: PlanEntry) -> None:
    with env.centre._lock:
        env.centre._entries[entry.id] = entry
    cached[entry.id] = entry


def test_the_roster_gives_the_own_lists_rotas_as_stored(env: Env, cached) -> None:
    pid = env.centre.current
    cl = env.login("viewer")
    r = cl.get(f"/api/roster/{pid}")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["rows"]  # the brigade roster as before
    rotas = got["own_rotas"]
    assert len(rotas) == LISTS and got["own_rotas_note"] is None and got["own_rotas_why"] is None
    assert got["own_days"] == ["2026-12-01"]
    # read back from the store (as after a restart): the same answer, the stored duties
    with env.centre._lock:
        env.centre._entries.pop(pid)
    entry = env.centre.entry(pid)
    assert entry.result is None
    again = cl.get(f"/api/roster/{pid}").json()
    assert again["own_rotas"] == rotas
    lists = stored_lists(entry)
    assert len(lists) == LISTS
    role = {p.id: p.role for p in env.scenario.people}
    for o, s in zip(rotas, lists, strict=True):
        assert o["units"] == s["units"] and len(o["people"]) == s["people"]
        assert o["people"] == list(s["rota"]["week_hours"])
        assert [{k: v for k, v in d.items() if k != "role"} for d in o["duties"]] \
            == s["rota"]["duties"]
        assert all(d["role"] == role[d["person"]] for d in o["duties"])
        for k in ("short", "lead_short", "short_hours", "week_short_hours",
                  "lead_short_hours", "week_lead_short_hours", "week_hours"):
            assert o[k] == s["rota"][k], k
        assert o["sworn"] == [p for p in o["people"] if role[p] == "police"]
    ps1 = by_units(rotas, "PS1-C", "PS1-F")
    assert len(ps1["people"]) == 9
    assert ps1["sworn"] and len(ps1["sworn"]) < 9  # its police officers, not its auxiliaries
    assert {ps1["roles"][p] for p in ps1["people"]} == {"police", "auxiliary"}
    assert {d["person"] for d in ps1["duties"]} <= set(ps1["people"])
    assert {d["shift"] for d in ps1["duties"]} == {"early", "middle", "night"}
    ps4 = by_units(rotas, "PS4-C")
    assert ps4["week_lead_short_hours"] == 24
    assert ps4["week_short_hours"] > 0
    # the own rotas alone, the same
    own = cl.get(f"/api/roster/{pid}/own")
    assert own.status_code == 200, own.text
    assert own.json()["own_rotas"] == rotas and own.json()["plan"] == pid


def test_a_plan_with_no_brigade_roster_has_its_own_rotas_apart(env: Env, cached) -> None:
    entry = env.centre.entry(env.centre.current)
    put_entry(env, cached, replace(entry, id=FAKE_ID, result=None))
    cl = env.login("viewer")
    r = cl.get(f"/api/roster/{FAKE_ID}")
    assert r.status_code == 404
    assert f"/api/roster/{FAKE_ID}/own" in r.json()["detail"]
    own = cl.get(f"/api/roster/{FAKE_ID}/own")
    assert own.status_code == 200, own.text
    assert len(own.json()["own_rotas"]) == LISTS
    assert by_units(own.json()["own_rotas"], "PS4-C")["week_lead_short_hours"] == 24


def strip(doc: dict[str, Any], how: str) -> dict[str, Any]:
    """``doc`` (plan.json) as stored before the rotas: its lists without ``rota``
    (``no_rota``), with no lists (``no_lists``), without its stages (``no_stages``)."""
    stages = dict(doc["stages"])
    posture = dict(stages["posture"])
    if how == "no_rota":
        posture["own_duty_lists"] = [{k: v for k, v in r.items() if k != "rota"}
                                     for r in posture["own_duty_lists"]]
    elif how == "no_lists":
        posture.pop("own_duty_lists")
    stages["posture"] = posture
    return {**doc, "stages": {} if how == "no_stages" else stages}


@pytest.mark.parametrize("how", ["no_rota", "no_lists", "no_stages"])
def test_a_plan_stored_before_the_rotas_has_none_and_says_so(env: Env, cached, how) -> None:
    entry = env.centre.entry(env.centre.current)
    put_entry(env, cached, replace(entry, id=FAKE_ID, document=strip(entry.document, how)))
    r = env.login("viewer").get(f"/api/roster/{FAKE_ID}/own")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["own_rotas"] == [] and got["own_rotas_why"] == how
    assert "rota" in got["own_rotas_note"] or "own duty lists" in got["own_rotas_note"]
    # the brigade roster too, where the plan has one: the current plan's, doctored
    put_entry(env, cached, replace(entry, document=strip(entry.document, how)))
    r = env.login("viewer").get(f"/api/roster/{entry.id}")
    assert r.status_code == 200, r.text
    assert r.json()["rows"] and r.json()["own_rotas"] == []
    assert r.json()["own_rotas_why"] == how


# ---- the page (chromium) ------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(env: Env) -> Iterator[str]:
    with serving(env) as base:
        yield base


def roster_tab(page: Any) -> None:
    page.click("button[data-tab=roster]")
    page.wait_for_selector("#own-rota tr.own-person")


def test_the_roster_tab_shows_the_own_rotas_in_zh(env: Env, served, browser) -> None:  # noqa: F811
    lists = stored_lists(env.centre.entry(env.centre.current))
    page, errors = open_page(browser, served, "viewer", "/?lang=zh")
    roster_tab(page)
    assert page.locator("#own-rota").is_visible()
    assert page.inner_text("#tab-roster h3.own-rota-head") == "本单位值班表"
    assert page.locator("#own-rota tr.own-list").count() == LISTS
    assert page.locator("#own-rota tr.own-person").count() == sum(r["people"] for r in lists)
    # a sworn officer marked, an auxiliary not
    sworn = page.locator("#own-rota tr.own-person.sworn")
    assert sworn.count() > 0
    assert sworn.first.locator("th").inner_text().endswith("（民警）")
    aux = page.locator("#own-rota tr.own-person:not(.sworn) th").first.inner_text()
    assert "民警" not in aux
    # each person's shift on the plan's day, as the stored rota has it
    ps1 = by_units(lists, "PS1-C", "PS1-F")
    night = next(d for d in ps1["rota"]["duties"] if d["shift"] == "night")
    cell = page.locator(f"#own-rota tr[data-person='{night['person']}'] td[data-day='2026-12-01']")
    assert cell.inner_text() == "夜班 00:00–08:00"
    mid = next(d for d in ps1["rota"]["duties"] if d["shift"] == "middle")
    cell = page.locator(f"#own-rota tr[data-person='{mid['person']}'] td[data-day='2026-12-01']")
    assert cell.inner_text() == "中班 16:00–24:00"
    week = page.locator(f"#own-rota tr[data-person='{mid['person']}'] td.week").inner_text()
    assert float(week) == ps1["rota"]["week_hours"][mid["person"]]
    # the lists' shortfall lines: the PS4 station's has no sworn lead 24 hours a week
    ps4 = page.evaluate("""(() => {
        let tr = document.querySelector("#own-rota tr.own-list[data-units='PS4-C']");
        for (tr = tr.nextElementSibling; tr && !tr.classList.contains("own-list");
             tr = tr.nextElementSibling) {
          if (tr.classList.contains("own-short")) return tr.innerText;
        }
        return null; })()""")
    assert ps4 is not None and "无民警带班每周 24 小时" in ps4, ps4
    assert f"每周 {by_units(lists, 'PS4-C')['rota']['week_short_hours']:g} 人·时缺口" in ps4
    assert not english_in(page.inner_text("#tab-roster")), english_in(
        page.inner_text("#tab-roster"))
    assert not errors
    page.context.close()


def test_the_roster_tab_shows_the_own_rotas_in_en(env: Env, served, browser) -> None:  # noqa: F811
    page, errors = open_page(browser, served, "viewer", "/?lang=en")
    roster_tab(page)
    assert page.inner_text("#tab-roster h3.own-rota-head") == "Own duty lists' rotas"
    text = page.inner_text("#own-rota")
    assert "(police officer)" in text and "night 00:00–08:00" in text
    assert "24 hours a week with no sworn officer to lead" in text
    assert not errors
    page.context.close()
