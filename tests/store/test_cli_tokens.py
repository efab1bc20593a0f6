"""``xunfang user tokens|revoke``: device tokens listed and revoked from the command line
(review AQ #2: they could be neither seen nor revoked)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from xunfang.cli.main import app
from xunfang.store import create_user, list_audit, upgrade
from xunfang.store.auth import create_device_token, session_for_token

runner = CliRunner()


def test_tokens_are_listed_and_revoked(empty_url: str) -> None:
    st = upgrade(empty_url)
    try:
        ann, _ = create_user(st, "ann", "operator", "password-1")
        tok, info = create_device_token(st, ann, label="car 7", hours=24)
        res = runner.invoke(app, ["user", "tokens", "--db", empty_url, "--json"])
        assert res.exit_code == 0, res.output
        (row,) = json.loads(res.stdout)
        assert (row["id"], row["user"], row["label"]) == (info.id, "ann", "car 7")
        assert tok not in res.stdout
        res = runner.invoke(app, ["user", "revoke", str(info.id), "--db", empty_url])
        assert res.exit_code == 0, res.output
        assert f"device token {info.id} (car 7) of ann revoked" in res.output
        assert session_for_token(st, tok) is None
        assert sorted((a.action, a.user) for a in list_audit(st, object_type="token")) == [
            ("create", "ann"), ("revoke", "cli")]
        res = runner.invoke(app, ["user", "tokens", "--db", empty_url, "--json"])
        assert json.loads(res.stdout) == []
        res = runner.invoke(app, ["user", "revoke", "999", "--db", empty_url])
        assert res.exit_code == 1 and "no device token with id 999" in res.output
    finally:
        st.dispose()
