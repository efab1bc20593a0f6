"""The built-in county's plan of the review AO (2026-12-01), planned once for tests/report
and written in Chinese and English — with ``[policy.drones] crew_first``, so that its drones
fly and the report's air layer is tested (by default the county's pilots ride the motorcycles
its 1-3-5 rings need, and its drones stay grounded)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from xunfang.planning.pipeline import PlanRequest, PlanResult, build_plan
from xunfang.report.folder import write_plan_folder
from xunfang.scenario.loader import load


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlanResult, Path, Path]:
    """The plan and its folders in zh and en (planning takes about half a minute)."""
    request = PlanRequest(start=date(2026, 12, 1))
    sc = load("ebian")
    flying = replace(sc, policy=replace(sc.policy, drones=replace(sc.policy.drones,
                                                                  crew_first=True)))
    result = build_plan(flying, request)
    root = tmp_path_factory.mktemp("ao")
    return (result, write_plan_folder(result, request, root / "zh", lang="zh"),
            write_plan_folder(result, request, root / "en", lang="en"))


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless chromium (the system's) for the print tests; on CI its absence fails. Per
    module: Playwright's sync API runs one instance at a time, and the web tests start their
    own (a session-wide one here made every later browser test error)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and the print tests need chromium at {CHROMIUM}")
        pytest.skip(f"no chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM),
                               args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
