"""The dashboard's import of a file over the upload limit (headless chromium): the refusal in
the page's language, naming the file, the limit in MB and what to do; the form says the
limit before."""

from __future__ import annotations

from typing import Any

from tests.web.test_browser import _page, browser, server  # noqa: F401  (the fixtures)
from xunfang.web import Centre
from xunfang.web.app import MAX_BODY


def test_a_file_over_the_limit_is_refused_in_the_pages_words(
        server: tuple[str, Centre], browser: Any) -> None:  # noqa: F811
    """A review: the zh page showed "request body larger than 16777216 bytes"."""
    base, _ = server
    page, errors = _page(browser, base, "planner")  # the zh page (no lang chosen)
    page.click("button[data-tab=incident]")
    assert "16 MB" in page.locator("#import-limit").inner_text()
    page.set_input_files("#import-file", files=[{
        "name": "全年警情.csv", "mimeType": "text/csv",
        "buffer": b"id,time,lon,lat\n" + b"x" * (MAX_BODY + 10)}])
    page.evaluate("document.getElementById('import-report').textContent = ''")
    page.click("#import-submit")
    page.wait_for_function("(t => t && t !== '…')(document.getElementById('import-report')"
                           ".textContent)", timeout=60_000)
    text = page.locator("#import-report").inner_text()
    assert text.startswith("全年警情.csv：文件超过上传上限 16 MB"), text
    assert ".zip" in text and "xunfang intel ingest" in text, text
    assert not errors
    page.context.close()
