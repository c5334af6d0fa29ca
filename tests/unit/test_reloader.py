"""The `--reload` supervisor's watching, without starting server children."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from cardflow import reloader
from cardflow.config import Settings


def test_a_file_saved_while_the_first_server_starts_is_reloaded(tmp_path: Path, monkeypatch) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    source = plugins / "app.py"
    source.write_text("X = 1\n")
    supervisor = reloader.Supervisor(Settings(data_dir=tmp_path / "data", port=0, plugins_dir=plugins), [])
    restarted: list[list[Path]] = []

    def start_child():
        # Saved after the supervisor looked at the files and before its watcher exists: the gap
        # a file change fell into when it came right after the first server answered.
        source.write_text("def broken(:\n")
        return None

    def restart(changed: list[Path]) -> None:
        restarted.append(changed)
        raise KeyboardInterrupt  # ends run() the way Ctrl-C does

    def give_up(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # the change was never seen: end the watch so the test fails, not hangs

    monkeypatch.setattr(supervisor, "start_child", start_child)
    monkeypatch.setattr(supervisor, "restart", restart)
    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(10)
    try:
        assert supervisor.run() == 0
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert restarted == [[source]]


def test_sources_lists_python_files_with_their_times(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("")
    found = reloader.sources([tmp_path])
    assert set(found) == {tmp_path / "a.py", tmp_path / "sub" / "b.py"}
    assert all(isinstance(t, int) and t > 0 for t in found.values())


@pytest.mark.parametrize("text, bad", [("X = 1\n", False), ("def broken(:\n", True)])
def test_syntax_errors_names_the_file_and_line(tmp_path: Path, text: str, bad: bool) -> None:
    path = tmp_path / "m.py"
    path.write_text(text)
    errors = reloader.syntax_errors([path, tmp_path / "gone.py"])
    assert bool(errors) == bad
    if bad:
        assert errors[0].startswith(f"{path}:1:")
