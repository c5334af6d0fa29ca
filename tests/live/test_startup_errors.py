"""A data dir that cannot be written gives a clear sentence at start-up, never a traceback."""

import os
import subprocess
import sys
from contextlib import contextmanager

import pytest

pytestmark = pytest.mark.live


def serve(data_dir):
    return subprocess.run([sys.executable, "-m", "cardflow", "serve", "--data-dir", str(data_dir), "--no-browser",
                           "--port", "5099"], capture_output=True, text=True, timeout=60)


@contextmanager
def tmpfs(path, options):
    path.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root (CI and make test run as root)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not allow mounting tmpfs: {mounted.stderr.decode()[:200]}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], capture_output=True)


def test_data_dir_that_is_a_file(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    out = serve(blocker)
    assert out.returncode == 2
    assert "Choose a writable --data-dir" in out.stderr or "Cannot start" in out.stderr
    assert "Traceback" not in out.stderr


def test_read_only_data_dir(tmp_path):
    with tmpfs(tmp_path / "ro", "ro,size=1m") as ro:
        out = serve(ro / "data")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "read-only" in out.stderr or "writable" in out.stderr, out.stderr


def test_full_disk(tmp_path):
    with tmpfs(tmp_path / "full", "size=64k") as full:
        with open(full / "filler", "wb") as fh:
            try:
                fh.write(b"\0" * 200_000)
            except OSError:
                pass
        out = serve(full / "data")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "full" in out.stderr, out.stderr
