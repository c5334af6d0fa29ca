from pathlib import Path

import pytest

from cardflow.config import Settings, SettingsError, from_env, is_loopback


def test_defaults_follow_xdg(tmp_path):
    s = from_env({"XDG_DATA_HOME": str(tmp_path)})
    assert s.data_dir == tmp_path / "cardflow"
    assert (s.host, s.port) == ("127.0.0.1", 5001)
    assert s.db_path == tmp_path / "cardflow" / "cardflow.db"


def test_env_then_flags(tmp_path):
    env = {"CARDFLOW_PORT": "6000", "CARDFLOW_DATA_DIR": str(tmp_path), "CARDFLOW_DEBUG": "1"}
    s = from_env(env)
    assert (s.port, s.data_dir, s.debug) == (6000, tmp_path, True)
    assert from_env(env, port=7000).port == 7000


def test_bad_port_is_a_clear_error():
    with pytest.raises(SettingsError, match="CARDFLOW_PORT must be a number"):
        from_env({"CARDFLOW_PORT": "abc"})


def test_browser_never_opens_under_ci_or_without_display():
    assert from_env({"CI": "true", "DISPLAY": ":0"}).open_browser is False
    assert from_env({}).open_browser is False or Path("/System").exists()
    assert from_env({"DISPLAY": ":0"}).open_browser is True


def test_loopback_detection():
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.5", "example.com"))


def test_host_allowlist_includes_configured_host():
    s = Settings(host="127.0.0.1", allowed_hosts=("cardflow.lan",))
    assert {"localhost", "127.0.0.1", "[::1]", "cardflow.lan"} <= s.host_allowlist()


def test_body_limit_defaults_to_10_mb_and_is_configurable():
    assert from_env({}).max_body_bytes == 10 * 1024 * 1024
    assert from_env({"CARDFLOW_MAX_BODY_MB": "2.5"}).max_body_bytes == int(2.5 * 1024 * 1024)
    for bad in ("abc", "0", "-1", "nan", "inf"):
        with pytest.raises(SettingsError, match="CARDFLOW_MAX_BODY_MB must be a positive number"):
            from_env({"CARDFLOW_MAX_BODY_MB": bad})
