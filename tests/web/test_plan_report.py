"""GET /api/plans/{id}/report: the stored plan's printable report, the report.html the
command line writes for it (``xunfang plan``; ``xunfang replan`` for a re-plan, headed as one
and keeping the roster and checkpoint sections of the plan it re-plans)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Env, restart
from xunfang.report.folder import write_plan_folder

ASK: dict[str, Any] = {"at": "12:00", "out_of_service": ["TX-M2"],
                       "busy": [{"unit": "PS1-C", "grid": "G3", "until": "14:30"}],
                       "lang": "en"}


def sections(html: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', html)


@pytest.fixture(scope="module")
def replanned(env: Env) -> dict[str, Any]:
    """The county's current plan re-planned from the web (a what-if, not made current)."""
    r = env.login("planner").post(f"/api/plans/{env.centre.current}/replan", json=ASK)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_the_report_of_a_plan_is_the_command_line_s(env: Env, planned: Any,
                                                    tmp_path: Path) -> None:
    _sc, result, req = planned
    r = env.login("viewer").get(f"/api/plans/{env.centre.current}/report?lang=en")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert re.match(r'inline; filename="ebian-plan\d+-20261201-report-en\.html"$',
                    r.headers["content-disposition"])
    assert "default-src 'none'" in r.headers["content-security-policy"]
    html = r.text
    folder = write_plan_folder(result, req, tmp_path / "plan", lang="en")
    cli = (folder / "report.html").read_text(encoding="utf-8")
    assert sections(html) == sections(cli)
    assert {"map", "risk", "roster", "checkpoints", "plan", "provenance"} <= set(sections(html))
    assert html == cli  # the same page, byte for byte
    # self-contained: no script, nothing fetched from elsewhere
    assert "<script" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_the_default_language_is_the_plan_s_own(env: Env) -> None:
    r = env.login("viewer").get(f"/api/plans/{env.centre.current}/report")
    assert r.status_code == 200
    assert '<html lang="zh-CN"' in r.text  # made by the centre: no lang recorded, the CLI's zh
    assert r.headers["content-language"] == "zh"


def test_a_re_plan_s_report_is_headed_as_one(env: Env, replanned: dict[str, Any]) -> None:
    pid, first = replanned["id"], replanned["from_plan"]
    cl = env.login("viewer")
    r = cl.get(f"/api/plans/{pid}/report")  # the re-plan's own language: its change list's
    assert r.status_code == 200, r.text
    html = r.text
    assert '<html lang="en"' in html
    assert f"This plan re-plans stored plan {first}" in html
    assert "Re-planned at " in html
    assert "TX-M2" in html and "PS1-C" in html  # what it was given
    # the roster and the checkpoint schedule of the plan it re-plans, marked as kept
    assert {"roster", "checkpoints"} <= set(sections(html))
    assert html.count('class="note replan-kept"') == 2
    assert f"plan #{first}" in html
    # its changes: the count of the stored record, and each row of the stored change list
    # in a table under the head (a plan folder has them in changes.csv beside its report)
    record = cl.get(f"/api/plans/{pid}").json()["stages"]["replan"]
    changes = cl.get(f"/api/plans/{pid}/changes").json()["changes"]
    assert changes and record["changed"] == len(changes)
    assert f"{record['changed']} change(s): {record['changed_assignments']} unit-slot(s)" in html
    head = html[html.index('<div id="replan"'):]
    head = head[:head.index("</div>")]
    table = head[head.index('<table id="replan-changes">'):]
    assert table.count("<tr>") == len(changes) + 1
    assert set(replanned["units_changed"]) >= {"TX-M2"}
    for unit in {c["unit"] for c in changes} | set(replanned["units_changed"]):
        assert f"<td>{unit}</td>" in table, unit
    # who is aboard after each change, those taken from another unit said so
    assert "<th>Crew</th>" in table
    crewed = [c for c in changes if c.get("new_crew")]
    assert crewed
    for c in crewed:
        came = dict(x.split(":") for x in c["crew_from"].split(";") if x)
        said = ", ".join(f"{p} (was on {came[p]})" if p in came else p
                         for p in c["new_crew"].split(";"))
        assert f"<td>{said}</td>" in table, c
    # the shortfalls it added and resolved are counted (its stored summary)
    assert "Posture shortfalls: " in html and "route shortfalls: " in html
    zh = cl.get(f"/api/plans/{pid}/report?lang=zh").text
    assert '<html lang="zh-CN"' in zh and {"roster", "checkpoints"} <= set(sections(zh))
    # a unit gone off duty has no place: its kind in the page's words (it read "off")
    ztable = zh[zh.index('<table id="replan-changes">'):]
    ztable = ztable[:ztable.index("</table>")]
    assert "<td>off</td>" not in ztable and "<td>休息</td>" in ztable
    assert "<td>off duty</td>" in table


def test_a_re_plan_s_report_holds_the_command_line_re_plan_s_sections(
        env: Env, replanned: dict[str, Any], tmp_path: Path) -> None:
    """``xunfang replan`` of the same plan (written out as a plan folder with its report)
    writes a report of the same sections, headed as a re-plan too."""
    from typer.testing import CliRunner

    from xunfang.cli.main import app

    cl = env.login("viewer")
    first = replanned["from_plan"]
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "plan.json").write_text(cl.get(f"/api/plans/{first}").text, encoding="utf-8")
    (folder / "report.html").write_text(cl.get(f"/api/plans/{first}/report?lang=en").text,
                                        encoding="utf-8")
    res = CliRunner().invoke(app, ["replan", str(folder), "--at", "12:00",
                                   "--out-of-service", "TX-M2", "--busy", "PS1-C:G3:14:30",
                                   "--lang", "en", "--out", str(tmp_path / "re")])
    assert res.exit_code == 0, res.output
    cli = (tmp_path / "re" / "report.html").read_text(encoding="utf-8")
    web = cl.get(f"/api/plans/{replanned['id']}/report?lang=en").text
    assert sections(web) == sections(cli)
    head = re.compile(r'<p class="note replan-kept">')
    assert len(head.findall(web)) == len(head.findall(cli)) == 2


def test_permissions_and_unknown_plans(env: Env) -> None:
    assert env.client.get(f"/api/plans/{env.centre.current}/report").status_code == 401
    cl = env.login("viewer")
    assert cl.get("/api/plans/999999/report").status_code == 404
    r = cl.get(f"/api/plans/{env.centre.current}/report?lang=fr")
    assert r.status_code == 422


def test_after_a_restart_the_reports_are_rendered_from_the_store(
        env: Env, replanned: dict[str, Any]) -> None:
    """After a restart the centre holds what the store keeps (plan.json, the roster stored
    with the plan, the checkpoint game's coverage of each site): the plan's and its
    re-plan's reports are the same pages as before."""
    first, pid = replanned["from_plan"], replanned["id"]
    cl = env.login("viewer")
    before = {(p, lang): cl.get(f"/api/plans/{p}/report?lang={lang}").text
              for p in (first, pid) for lang in ("zh", "en")}
    centre, client = restart(env)
    try:
        assert centre.entry(first).result is None  # read back, not made in this process
        # the plan.json served has nothing more than before (the report's extra is apart)
        assert client.get(f"/api/plans/{first}").json() == cl.get(f"/api/plans/{first}").json()
        for (p, lang), html in before.items():
            r = client.get(f"/api/plans/{p}/report?lang={lang}")
            assert r.status_code == 200, r.text
            assert r.text == html, (p, lang)
    finally:
        centre.store.dispose()


def test_a_plan_stored_without_what_its_report_needs_is_refused_naming_it(
        env: Env, replanned: dict[str, Any]) -> None:
    """A plan stored without the checkpoint game's coverage (before the centre kept it) or
    without its roster: 409 naming what is missing, not a report without the section; its
    re-plans' reports too (they keep its sections)."""
    first, pid = replanned["from_plan"], replanned["id"]
    centre, client = restart(env)
    try:
        centre.entry(first).report_extra.clear()
        r = client.get(f"/api/plans/{first}/report")
        assert r.status_code == 409, r.text
        detail = r.json()["detail"]
        assert f"plan {first}" in detail and "checkpoint game's coverage" in detail
        r = client.get(f"/api/plans/{pid}/report")
        assert r.status_code == 409 and f"plan {pid} re-plans plan {first}" in r.text
        centre.entry(first).report_extra["checkpoint_site_slots"] = {}
        centre.roster = lambda plan_id: None  # type: ignore[method-assign]
        r = client.get(f"/api/plans/{first}/report")
        assert r.status_code == 409 and "without its roster" in r.json()["detail"]
        # the new centre's own plan, made in that process, has its report
        assert client.get(f"/api/plans/{centre.current}/report").status_code == 200
    finally:
        centre.store.dispose()
