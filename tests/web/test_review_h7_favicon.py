"""Review H4 #4: /favicon.ico answered 404, the dashboard's only console error. The icon is
shipped with the package and linked by the pages."""

from __future__ import annotations

import re


def test_the_favicon_is_served_from_the_package(env) -> None:
    e = env
    r = e.client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    page = e.client.get("/login").text
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon and e.client.get(icon.group(1)).status_code == 200
