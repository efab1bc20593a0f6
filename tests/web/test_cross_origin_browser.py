"""Security review AQ #3 and #4 in chromium: a page on the same host at another port (the
same site, so the SameSite=Strict session cookie rides along) auto-submits a form making a
plan current as the logged-in planner, and frames the dashboard. The form's POST is refused
(403) and the frame is not shown (X-Frame-Options DENY, CSP frame-ancestors 'none')."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.web.test_browser import _page, browser, server  # noqa: F401


@contextmanager
def attacker(html: str) -> Iterator[str]:
    """A page served on 127.0.0.1 at a port of its own: its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/attack.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_form_from_another_port_does_not_make_a_plan_current(server, browser  # noqa: F811
                                                              ) -> None:
    base, centre = server
    first = centre.current
    entry = centre.current_plan
    assert entry.result is not None
    from xunfang.planning.pipeline import PlanRequest

    second = centre.add_plan(entry.result, PlanRequest(start=entry.plan.slots[0].start.date()),
                             actor="system").id
    page, _ = _page(browser, base, "planner")
    html = (f'<form id="f" method="post" action="{base}/api/plans/{second}/current"></form>'
            '<script>document.getElementById("f").submit()</script>')
    with attacker(html) as url, page.expect_response(
            f"{base}/api/plans/{second}/current") as answer:
        page.goto(url)
    assert answer.value.status == 403
    assert "cross-origin request refused" in answer.value.text()
    assert centre.current == first
    page.context.close()


def test_another_port_cannot_frame_the_dashboard(server, browser) -> None:  # noqa: F811
    base, _ = server
    page, _ = _page(browser, base, "viewer")
    html = f'<iframe id="x" src="{base}/" width="800" height="600"></iframe>'
    with attacker(html) as url:
        page.goto(url)
        page.wait_for_timeout(1500)
        framed = [f for f in page.frames if f is not page.main_frame]
        assert len(framed) == 1
        shown = framed[0].evaluate("document.body ? document.body.innerHTML : ''") \
            if framed[0].url.startswith(base) else ""
    assert 'id="boot"' not in shown and "data-ready" not in shown
    page.context.close()
