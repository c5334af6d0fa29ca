"""Connect with Botify: the token is checked, kept private on disk, and never shown back."""

from __future__ import annotations

import os
import stat

from tests.fakes.botify import READONLY_TOKEN, TOKEN
from tests.http._link_graph_helpers import (
    bf_fixture,  # noqa: F401 - the fixture "bf"
    connect,
    lg_fixture,  # noqa: F401 - the fixture "lg"
    make_client,
)


def test_token_is_checked_saved_0600_and_never_shown(lg, bf, data_dir):
    assert "Paste your Botify API token first." in connect(lg, "  ").text
    bf.state.echo_token_in_errors = True  # a hostile server repeating the token in its errors
    r = connect(lg, "tok-wrong-1234")
    assert "rejected the token (401" in r.text and "tok-wrong-1234" not in r.text
    r = connect(lg, READONLY_TOKEN)
    assert "403" in r.text and READONLY_TOKEN not in r.text
    assert not (data_dir / "botify_token").exists()
    r = connect(lg, TOKEN)
    assert "Connected to Botify as" in r.text and ">alice<" in r.text
    path = data_dir / "botify_token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == TOKEN
    assert not list(data_dir.glob(".botify_token*"))  # no temp file left behind
    assert "alice" in lg.get("/connect_botify").text
    assert "still works" in lg.post("/connect_botify/check").text
    r = connect(lg, "tok-wrong-5678")  # a bad replacement keeps the good token
    assert "The token saved before is kept" in r.text and path.read_text() == TOKEN
    assert "forgotten" in lg.post("/connect_botify/forget").text and not path.exists()
    assert "Not connected" in lg.get("/connect_botify").text
    assert all(TOKEN not in text and "tok-wrong" not in text for text in lg.seen)


def test_timeouts_and_unreachable_botify_get_clear_messages(lg, bf, data_dir, monkeypatch, tmp_path):
    from cardflow.apps.connect_botify import ConnectBotify

    monkeypatch.setattr(ConnectBotify, "verify_timeout", 0.2)
    bf.state.slow_next, bf.state.slow_seconds = 2, 0.6
    r = connect(lg, TOKEN)
    assert "did not answer" in r.text and not (data_dir / "botify_token").exists()
    with make_client(tmp_path / "other", "http://127.0.0.1:9") as c:
        r = connect(c, TOKEN)
        assert "did not answer at http://127.0.0.1:9" in r.text and TOKEN not in r.text


def test_token_file_is_private_even_with_a_wide_umask(lg, data_dir):
    old = os.umask(0)
    try:
        connect(lg)
    finally:
        os.umask(old)
    assert stat.S_IMODE((data_dir / "botify_token").stat().st_mode) == 0o600
