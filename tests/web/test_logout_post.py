"""Security review AS #2: logging out is a POST held to this server's own pages. A GET that
logged out let ``<img src="http://HOST:PORT/logout">`` on a page at another port of the host
(the same site: the SameSite=Strict cookie went along) revoke the duty officer's session."""

from __future__ import annotations

from tests.web.conftest import Env
from tests.web.test_browser import _page, browser, server  # noqa: F401
from tests.web.test_cross_origin_browser import attacker


def test_a_get_of_logout_is_405_and_logs_nobody_out(new_env) -> None:
    e: Env = new_env()
    cl = e.login("planner", fresh=True)
    r = cl.get("/logout", follow_redirects=False)
    assert r.status_code == 405 and r.headers["allow"] == "POST", r.text
    assert "POST /logout" in r.text
    assert cl.get("/api/auth/me").status_code == 200  # still logged in


def test_a_cross_origin_post_of_logout_is_refused(new_env) -> None:
    e: Env = new_env()
    cl = e.login("planner", fresh=True)
    port = cl.base_url.port or 80
    for headers in ({"Origin": f"http://testserver:{port + 1}"},
                    {"Sec-Fetch-Site": "same-site"}):
        r = cl.post("/logout", headers=headers, follow_redirects=False)
        assert r.status_code == 403 and "cross-origin request refused" in r.text, r.text
        assert cl.get("/api/auth/me").status_code == 200
    r = cl.post("/logout", headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert cl.get("/api/auth/me").status_code == 401


def test_an_image_from_another_port_does_not_log_out_and_the_button_does(
        server, browser) -> None:  # noqa: F811
    base, _ = server
    page, _errors = _page(browser, base, "operator")
    me = f"{base}/api/auth/me"
    with attacker(f'<img src="{base}/logout"><img src="{base}/logout?x=1">') as url:
        page.goto(url)
        page.wait_for_load_state("load")
    assert page.context.request.get(me).status == 200  # still logged in
    page.goto(f"{base}/")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    with page.expect_navigation():
        page.click("#logout button")
    assert page.url.endswith("/login")
    assert page.context.request.get(me).status == 401
    page.context.close()
