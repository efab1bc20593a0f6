"""Security review AS #5: a device token's id and the audit's ``before``/``offset`` past the
store's signed 64-bit ids are answered 422 naming the parameter and its range, not 500
(SQLite's OverflowError); ``xunfang user revoke`` names its argument, not a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.web.conftest import Env
from xunfang.cli.main import app

BIG = 2**31  # one past the largest id the store holds (store.MAX_ROW_ID)


@pytest.mark.parametrize("method,path,loc,bound", [
    ("DELETE", f"/api/auth/tokens/{BIG}", ["path", "token_id"], "less than or equal to"),
    ("DELETE", "/api/auth/tokens/99999999999999999999", ["path", "token_id"],
     "less than or equal to"),
    ("DELETE", "/api/auth/tokens/0", ["path", "token_id"], "greater than or equal to 1"),
    ("GET", f"/api/audit?before={BIG}", ["query", "before"], "less than or equal to"),
    ("GET", f"/api/audit?offset={BIG}", ["query", "offset"], "less than or equal to"),
])
def test_ids_past_the_store_s_range_are_422_naming_the_parameter(
        env: Env, method: str, path: str, loc: list[str], bound: str) -> None:
    r = env.login("commander").request(method, path)
    assert r.status_code == 422, r.text
    (problem,) = r.json()["detail"]
    assert problem["loc"] == loc and bound in problem["msg"], problem
    if "less" in bound:
        assert str(2**31 - 1) in problem["msg"]


def test_the_largest_id_is_taken(env: Env) -> None:
    cmd = env.login("commander")
    assert cmd.delete(f"/api/auth/tokens/{BIG - 1}").status_code == 404
    r = cmd.get("/api/audit", params={"before": BIG - 1, "offset": BIG - 1})
    assert r.status_code == 200 and r.json()["entries"] == []


def test_user_revoke_refuses_an_id_past_the_range_naming_the_argument(tmp_path) -> None:
    r = CliRunner().invoke(app, ["user", "revoke", "99999999999999999999",
                                 "--db", str(tmp_path / "x.db")], env={"COLUMNS": "200"})
    assert r.exit_code == 2, r.output  # a usage error, not the OverflowError's traceback
    assert "'token_id'" in r.output and "2147483647" in r.output, r.output
