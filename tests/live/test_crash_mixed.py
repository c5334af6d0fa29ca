"""Mixed writes, then SIGKILL at a random moment, twenty times: every acknowledged write survives."""

import json
import random
import signal
import threading
import time

import apsw
import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import LiveServer

pytestmark = [pytest.mark.live, pytest.mark.slow]
HX = {"HX-Request": "true"}


def writers(server: LiveServer, acked: dict, stop: threading.Event, round_no: int) -> list[threading.Thread]:
    def tasks():
        with server.client() as c:
            i = 0
            while not stop.is_set():
                name = f"r{round_no}-task-{i}"
                try:
                    r = c.post("/tasks/insert", data={"name": name}, headers=HX)
                except httpx.HTTPError:
                    return
                if r.status_code == 200 and name in r.text:
                    acked["tasks"].append(name)
                i += 1

    def steps():
        with server.client() as c:
            i = 0
            while not stop.is_set():
                key = f"r{round_no}-key-{i}"
                try:
                    c.post("/hello/init", data={"key": key}, headers=HX)
                    r = c.post(f"/hello/step/name?key={key}", data={"name": f"n{i}"}, headers=HX)
                except httpx.HTTPError:
                    return
                if r.status_code == 200 and "step-card locked" in r.text:
                    acked["steps"].append((key, f"n{i}"))
                i += 1

    def chat():
        url = server.url.replace("http", "ws") + "/ws?client=crash"
        try:
            with connect(url, additional_headers={"Origin": server.url}, open_timeout=5) as ws:
                i = 0
                while not stop.is_set():
                    text = f"r{round_no}-msg-{i}"
                    ws.send(json.dumps({"msg": text}))
                    while True:  # the user message is stored before its bubble is sent back
                        frame = ws.recv(timeout=5)
                        if text in frame:
                            acked["messages"].append(text)
                        if 'id="chat-input"' in frame and "disabled" not in frame.split('id="chat-input"')[0][-200:]:
                            break
                    i += 1
        except Exception:
            return

    return [threading.Thread(target=f, daemon=True) for f in (tasks, steps, chat)]


def test_twenty_random_sigkills_lose_no_acknowledged_write(data_dir):
    server = LiveServer(data_dir, env={"CARDFLOW_SCRIPTED_REPLIES": '["ok"]', "CARDFLOW_SCRIPTED_DELAY": "0"})
    acked: dict[str, list] = {"tasks": [], "steps": [], "messages": []}
    rng = random.Random(20261123)
    for round_no in range(20):
        server.start()
        stop = threading.Event()
        threads = writers(server, acked, stop, round_no)
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.2, 0.8))
        server.stop(signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(10)
        conn = apsw.Connection(str(data_dir / "cardflow.db"))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"round {round_no}"
        conn.close()

    conn = apsw.Connection(str(data_dir / "cardflow.db"))
    tasks = {r[0] for r in conn.execute("SELECT name FROM task")}
    messages = {r[0] for r in conn.execute("SELECT content FROM message WHERE role = 'user'")}
    states = {r[0]: json.loads(r[1]) for r in conn.execute("SELECT key, data FROM pipeline")}
    assert len(acked["tasks"]) > 20 and len(acked["steps"]) > 20 and len(acked["messages"]) > 5, \
        {k: len(v) for k, v in acked.items()}
    assert set(acked["tasks"]) <= tasks
    assert set(acked["messages"]) <= messages
    for key, name in acked["steps"]:
        assert states[key]["name"] == {"name": name}, key
