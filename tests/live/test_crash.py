import random
import signal
import threading
import time

import apsw
import httpx
import pytest

from tests.conftest import LiveServer

pytestmark = [pytest.mark.live, pytest.mark.slow]


def test_sigkill_during_step_submits_loses_no_acknowledged_step(data_dir):
    server = LiveServer(data_dir)
    server.start()
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer():
        with server.client() as c:
            i = 0
            while not stop.is_set():
                key = f"crash-{i}"
                try:
                    c.post("/hello/init", data={"key": key}, headers={"HX-Request": "true"})
                    r = c.post(f"/hello/step/name?key={key}", data={"name": f"n{i}"}, headers={"HX-Request": "true"})
                except httpx.HTTPError:
                    return
                if r.status_code == 200 and "step-card locked" in r.text:
                    acknowledged.append(key)
                i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(random.uniform(0.8, 1.5))
    server.stop(signal.SIGKILL)
    stop.set()
    thread.join(10)
    assert len(acknowledged) > 10, "the loop barely ran"

    conn = apsw.Connection(str(data_dir / "cardflow.db"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    server.start()
    try:
        with server.client() as c:
            for key in acknowledged:
                state = c.get(f"/hello/export?key={key}").json()["state"]
                assert state["name"] == {"name": f"n{key.split('-')[1]}"}, key
    finally:
        server.stop()
