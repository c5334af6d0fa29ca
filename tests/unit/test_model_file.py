"""The embedded model's Q8_0 copy (chat/backends/model_file.py), made from the shipped GGUF."""

from __future__ import annotations

import pytest

from cardflow.chat.backends import model_file
from tests.needs_model import require_model

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.fixture
def source():
    from cardflow.chat.backends import find_gguf

    require_model()
    found = find_gguf()
    assert found is not None
    return found


def test_the_copy_is_made_once_in_the_first_folder_that_can_hold_it(source, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(model_file, "folders", lambda: [blocked / "cardflow", tmp_path / "cache"])
    made = model_file.runnable(source)
    assert made.parent == tmp_path / "cache" and made.name.endswith(".gguf") and "as-Q8_0" in made.name
    assert made.read_bytes()[:4] == b"GGUF"
    assert made.stat().st_mode & 0o777 == 0o644  # readable as the shipped file is, not private
    assert not list(made.parent.glob("*.part"))  # nothing half-written is left behind
    stamp = made.stat().st_mtime_ns
    assert model_file.runnable(source) == made and made.stat().st_mtime_ns == stamp  # reused, not remade


def test_without_a_writable_folder_or_with_a_bad_source_the_shipped_file_runs(source, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(model_file, "folders", lambda: [blocked / "one", blocked / "two"])
    assert model_file.runnable(source) == source
    monkeypatch.setattr(model_file, "folders", lambda: [tmp_path / "cache"])
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    assert model_file.runnable(broken) == broken
    assert not list((tmp_path / "cache").glob("*"))  # no partial copy
    missing = tmp_path / "missing.gguf"
    assert model_file.runnable(missing) == missing  # the loader then says the file is missing


def test_the_copy_scores_as_the_shipped_file_does(source, tmp_path, monkeypatch):
    from cardflow.chat.backends import EmbeddedBackend

    monkeypatch.setattr(model_file, "folders", lambda: [tmp_path])
    copy = model_file.runnable(source)
    head = "<|im_start|>system\nThe user asks you to {}.<|im_end|>\n<|im_start|>user\n"
    pairs = [(head.format(verb), text) for verb in ("add a task", "delete a task", "just chat")
             for text in ("remove call Bob", "put buy eggs on my list", "good morning!")]
    shipped = EmbeddedBackend(model_path=source, idle_timeout=60)._load_scorer().score(pairs)
    stored = EmbeddedBackend(model_path=copy, idle_timeout=60)._load_scorer().score(pairs)
    # Q8_0 holds Q4_1's values to a fraction of their own rounding; the kernels also round the
    # activations differently, so the log-probabilities move by up to ~2% (0.75 nat of 35 here),
    # and no text changes which verb it fits best.
    assert stored == pytest.approx(shipped, rel=0.05)
    for text in range(3):
        column = [pairs.index(p) for p in pairs if p[1] == pairs[text][1]]
        assert max(column, key=lambda i: shipped[i]) == max(column, key=lambda i: stored[i])


def test_the_embedded_backend_runs_the_copy_of_the_shipped_file(source):
    from cardflow.chat.backends import EmbeddedBackend

    backend = EmbeddedBackend(idle_timeout=60)
    backend._load()
    assert backend.runs_file is not None and "as-Q8_0" in backend.runs_file.name
    assert backend.runs_file.name.startswith(source.stem)
    named = EmbeddedBackend(model_path=source, idle_timeout=60)
    named._load()
    assert named.runs_file == source  # a file the caller named runs as it is


def test_a_damaged_copy_is_removed_and_the_shipped_file_runs(source, tmp_path, monkeypatch):
    from cardflow.chat.backends import EmbeddedBackend

    monkeypatch.setattr(model_file, "folders", lambda: [tmp_path])
    damaged = tmp_path / model_file.copy_name(source)
    damaged.write_bytes(b"GGUF" + b"\xff" * 4096)  # where the copy goes, but not a model
    backend = EmbeddedBackend(idle_timeout=60)
    backend._load()
    assert backend.runs_file == source and backend.status() == "ready"
    assert not damaged.exists()  # the next start writes a good copy
    assert model_file.runnable(source) == damaged and damaged.stat().st_size > 10_000_000
