import json
import signal
import time

import pytest

from tests.conftest import LiveServer, open_live_db

pytestmark = [pytest.mark.live, pytest.mark.slow]


def job_row(data_dir, job_id=1):
    conn = open_live_db(data_dir)
    try:
        row = conn.execute("SELECT status, progress, detail FROM job WHERE id = ?", (job_id,)).fetchone()
    finally:
        conn.close()
    return row[0], row[1], json.loads(row[2])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_resumable_job_survives_restart_and_completes_once(data_dir, sig):
    server = LiveServer(data_dir)
    server.start()
    with server.client() as c:
        c.post("/stream_simulator/start", data={"duration": "3", "updates": "30"}, headers={"HX-Request": "true"})
    deadline = time.time() + 10
    while job_row(data_dir)[1] < 20 and time.time() < deadline:
        time.sleep(0.05)
    server.stop(sig)
    status, progress, detail = job_row(data_dir)
    assert status == "running" and 0 < progress < 100, (status, progress)
    ticks_before = detail["tick"]

    server.start()
    try:
        deadline = time.time() + 15
        while job_row(data_dir)[0] != "done" and time.time() < deadline:
            time.sleep(0.1)
        status, progress, detail = job_row(data_dir)
        assert status == "done" and progress == 100
        assert detail["completions"] == 1
        assert "Resumed after a restart." in detail["log"]
        ticks = [line for line in detail["log"] if line.startswith("tick ")]
        assert ticks[-1] == "tick 30/30"
        # It went on from where it was, never from the start again.
        assert ticks_before >= 1 and len(set(ticks)) == len(ticks)
        with server.client() as c:
            assert "done" in c.get("/stream_simulator").text
    finally:
        server.stop()
