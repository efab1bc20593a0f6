"""Server-rendered pages: login and the dashboard."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from xunfang import __version__, store
from xunfang.scenario.model import Scenario
from xunfang.web.deps import COOKIE, CentreDep, optional_user
from xunfang.web.i18n import LANGS, rules, values, words
from xunfang.web.routers.auth import login_user, set_cookie
from xunfang.web.routers.plans import plan_now

router = APIRouter(tags=["pages"], include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return lang if lang in LANGS else "zh"


def _page(request: Request, name: str, context: dict[str, object], status: int = 200
          ) -> Response:
    lang = _lang(request)
    resp = templates.TemplateResponse(
        request, name, {"lang": lang, "w": words(lang), "version": __version__, **context},
        status_code=status)
    if request.query_params.get("lang") in LANGS:
        resp.set_cookie("lang", lang, samesite="strict", max_age=365 * 86400)
    return resp


#: the dashboard's icon, shipped with the package (the pages link it; nothing from the network)
FAVICON = Path(__file__).parent.parent / "static" / "favicon.svg"


@router.get("/favicon.ico")
def favicon() -> Response:
    """The icon a browser asks for at /favicon.ico (the pages' own link names
    /static/app/favicon.svg). A review (H4 #4): /favicon.ico answered 404, the page's only
    console error."""
    return FileResponse(FAVICON, media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return _page(request, "login.html", {"error": None})


@router.post("/login")
def login_form(request: Request, c: CentreDep, name: Annotated[str, Form()],
               password: Annotated[str, Form()]) -> Response:
    try:
        token, _ = login_user(c, request, name[:64], password[:1024])
    except HTTPException as exc:
        return _page(request, "login.html", {"error": exc.detail}, status=exc.status_code)
    resp = RedirectResponse("/", status_code=303)
    set_cookie(resp, token, request)
    return resp


@router.get("/logout")
def logout_get() -> Response:
    """405: logging out is a POST (the header's button). A review (AS #2): a GET that logged
    out let ``<img src="http://HOST:PORT/logout">`` on a page at another port of the host
    (the same site, so the SameSite cookie went along) revoke the duty officer's session;
    a POST is held to this server's own pages by app.SameOrigin."""
    return Response("405: log out with the dashboard's button (POST /logout); a GET does "
                    "not log out\n", status_code=405, media_type="text/plain",
                    headers={"Allow": "POST"})


@router.post("/logout")
def logout_page(request: Request, c: CentreDep) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        store.revoke_session(c.store, token)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, c: CentreDep) -> Response:
    u = optional_user(request, c)
    if u is None:
        return RedirectResponse("/login", status_code=303)
    wanted = request.query_params.get("plan", "")
    plan = c.entry(plan_param(wanted)) if wanted else c.current_plan
    sc = c.scenario
    t = c.clock()
    # the now-slot of the plan shown (not the current plan's: its index may lie past the
    # end of a shorter plan), and whether the current plan covers now (the banner)
    now = plan_now(plan.plan, sc.timezone, t)
    boot = {"user": u.name, "role": u.role, "plan": plan.id, "lang": _lang(request),
            "local_crs": sc.crs.is_local, "timezone": sc.timezone, "title": sc.title or sc.name,
            "slots": [s.name for s in plan.plan.slots],
            "now_slot": now["slot"],
            "now_covers": plan_now(c.current_plan.plan, sc.timezone, t)["covers"],
            "now_time": now["time"],
            # the plan was asked for (?plan=): the page stays on it when the current one
            # changes; without it the page follows the current plan
            "pinned": bool(wanted),
            "can_live": store.permitted(u.role, "incident.report"),
            "can_plan": store.permitted(u.role, "plan.edit"),
            "can_ack": store.permitted(u.role, "alert.ack"),
            "can_import": store.permitted(u.role, "incident.import"),
            "current": c.current,
            # the re-plan form's choices: the scenario's units and grids (ids, as the API
            # takes them; a grid's name beside its id)
            "units": [{"id": x.id, "mode": x.mode} for x in sc.units],
            "grids": [{"id": g.id, "name": g.name or g.id} for g in sc.areas_of("grid")],
            # the import report's words and the common rules in the page's language (a
            # review: a zh refusal was English but for "第N行")
            # and the dashboard's own filled-in words (dash_)
            "words": {k: v for k, v in words(_lang(request)).items()
                      if k.startswith(("imp_", "dash_"))},
            # the core's data values in the page's language (review AO #4: the zh roster,
            # sheet and KPI chart showed early/auxiliary/car/posts…)
            "values": values(_lang(request)),
            "rules": rules(_lang(request))}
    return _page(request, "dashboard.html", {
        "user": u, "title": boot["title"], "upload_accept": upload_accept(),
        "plan_id": plan.id,  # the printable report's link (app.js follows a change of plan)
        "categories": incident_categories(sc),
        "boot": json.dumps(boot, ensure_ascii=False).replace("<", "\\u003c")})


def plan_param(wanted: str) -> int:
    """The dashboard's ``?plan=``: a plan id, ASCII digits from 1 to store.MAX_ROW_ID (the store's
    ids), else 422 naming it. A review: ``?plan=²`` (str.isdigit() takes it, int() does not)
    and ``?plan=99999999999999999999`` (SQLite's OverflowError) answered 500."""
    if wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= store.MAX_ROW_ID:
        return int(wanted)
    raise HTTPException(422, f"?plan={wanted[:40]!r}: a plan's id is a whole number from 1 "
                             f"to {store.MAX_ROW_ID} in ASCII digits")


def incident_categories(sc: Scenario) -> list[str]:
    """The incident form's categories: the scenario's record's, the most frequent first, then
    the forecast's own (``risk_categories``) not in it. A review: the form offered "theft"
    where the record's categories are 盗窃, 纠纷…, and a report so written was counted apart."""
    counts = Counter(sc.incidents.category)
    out = [c for c, _ in counts.most_common() if c]
    return out + [c for c in sc.risk_categories if c not in counts]


def upload_accept() -> str:
    """The file picker's accept=: every suffix the import takes (its last part: a browser
    matches ".gz", not ".csv.gz"). A review: the picker's own list hid .xls and .txt, which the
    server takes and the README lists."""
    from xunfang.web.routers.incidents import UPLOAD_SUFFIXES

    return ",".join(dict.fromkeys("." + s.rsplit(".", 1)[-1] for s in UPLOAD_SUFFIXES))
