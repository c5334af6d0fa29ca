import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from cardflow.config import Settings
from cardflow.security import SecurityMiddleware


def test_foreign_host_refused(client):
    r = client.get("/", headers={"Host": "evil.example"})
    assert r.status_code == 400
    r = client.get("/", headers={"Host": "evil.example:5001"})
    assert r.status_code == 400


@pytest.mark.parametrize("host", ["localhost:5001", "127.0.0.1:5001", "[::1]:5001", "localhost"])
def test_loopback_hosts_allowed(client, host):
    assert client.get("/health", headers={"Host": host}).status_code == 200


def state_changing_routes(app):
    for route in app.routes:
        methods = set(getattr(route, "methods", None) or ())
        for m in methods - {"GET", "HEAD", "OPTIONS"}:
            path = route.path.replace("{", "").replace("}", "")
            yield m, path


def test_every_state_changing_route_refuses_foreign_origin(client, app):
    routes = list(state_changing_routes(app))
    assert routes, "the app has no state-changing routes?"
    for method, path in routes:
        r = client.request(method, path, headers={"Origin": "http://evil.example"})
        assert r.status_code == 403, (method, path, r.status_code)
        r = client.request(method, path, headers={"Origin": "http://127.0.0.1:9999"})
        assert r.status_code == 403, ("other local port", method, path)
        r = client.request(method, path, headers={"Origin": "null"})
        assert r.status_code == 403, ("null origin", method, path)


def test_foreign_referer_without_origin_refused(client, app):
    del client.headers["Origin"]
    for method, path in state_changing_routes(app):
        r = client.request(method, path, headers={"Referer": "http://evil.example/page"})
        assert r.status_code == 403, (method, path)


def test_same_origin_post_allowed(client):
    assert client.post("/poke").status_code == 204
    assert client.post("/poke", headers={"Origin": "http://localhost:5001"}).status_code == 204


def _ws_app(settings):
    async def echo(ws: WebSocket):
        await ws.accept()
        await ws.send_text("hello")
        await ws.close()

    return SecurityMiddleware(Starlette(routes=[WebSocketRoute("/ws", echo)]), settings)


def test_websocket_with_foreign_origin_refused():
    client = TestClient(_ws_app(Settings(port=5001)), base_url="http://127.0.0.1:5001")
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("ws://127.0.0.1:5001/ws", headers={"Origin": "http://evil.example"}):
        pass
    with client.websocket_connect("ws://127.0.0.1:5001/ws", headers={"Origin": "http://127.0.0.1:5001"}) as ws:
        assert ws.receive_text() == "hello"


@pytest.fixture
def token_client(data_dir):
    from cardflow.app import build_app

    settings = Settings(data_dir=data_dir, port=5001, token="s3cret-token", open_browser=False)
    with TestClient(build_app(settings), base_url="http://127.0.0.1:5001") as c:
        yield c


def test_token_mode_requires_token(token_client):
    r = token_client.get("/")
    assert r.status_code == 401 and "needs its token" in r.text
    r = token_client.post("/login", data={"token": "wrong"}, headers={"Origin": "http://127.0.0.1:5001"})
    assert r.status_code == 401
    r = token_client.post("/login", data={"token": "s3cret-token"}, headers={"Origin": "http://127.0.0.1:5001"},
                          follow_redirects=False)
    assert r.status_code == 303 and "cardflow_token=" in r.headers["set-cookie"]
    assert token_client.get("/").status_code == 200  # the cookie now rides along
    assert token_client.get("/health", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


# -- issue 16: the same scheme, a Host that is parsed rather than cut, and bodies with a limit


def test_every_state_changing_route_refuses_an_https_origin(client, app):
    # Same host and port but another scheme is another origin: a page served over https (say, by
    # a proxy someone else controls on that port) must not drive the app.
    for method, path in state_changing_routes(app):
        r = client.request(method, path, headers={"Origin": "https://127.0.0.1:5001"})
        assert r.status_code == 403, (method, path, r.status_code)
    del client.headers["Origin"]  # a Referer counts only when there is no Origin
    for method, path in state_changing_routes(app):
        r = client.request(method, path, headers={"Referer": "https://127.0.0.1:5001/tasks"})
        assert r.status_code == 403, ("https referer", method, path, r.status_code)
    assert client.post("/poke", headers={"Referer": "http://127.0.0.1:5001/tasks"}).status_code == 204


@pytest.mark.parametrize("origin", ["http://127.0.0.1:5001/", "http://user@127.0.0.1:5001",
                                    "http://localhost:5001.evil.example", "http://127.0.0.1:5001:5001",
                                    "http://127.0.0.1", "ws://127.0.0.1:5001", "http://[::2]:5001"])
def test_malformed_or_foreign_origins_refused(client, origin):
    assert client.post("/poke", headers={"Origin": origin}).status_code == 403, origin


@pytest.mark.parametrize("origin", ["http://[::1]:5001", "http://[0:0:0:0:0:0:0:1]:5001", "HTTP://LOCALHOST:5001"])
def test_same_origin_spellings_allowed(client, origin):
    assert client.post("/poke", headers={"Origin": origin}).status_code == 204, origin


@pytest.mark.parametrize("host", ["localhost:5001.evil.example", "127.0.0.1:5001.evil.example", "localhost:abc",
                                  "", " ", "user@localhost:5001", "localhost:5001@evil.example", "localhost:5001:1",
                                  "::1:5001", "[::1", "[::1]x", "[::1]:5001.evil.example", "[evil.example]:5001",
                                  "localhost:99999", "localhost:-1", "localhost:", "127.0.0.1.evil.example",
                                  "localhost/evil", "localhost.", "[::2]:5001"])
def test_hosts_that_are_not_allowed_names_get_400(client, host):
    r = client.get("/health", headers={"Host": host})
    assert r.status_code == 400, (host, r.status_code)
    assert "Host header is not allowed" in r.text


@pytest.mark.parametrize("host", ["[::1]", "[0:0:0:0:0:0:0:1]:5001", "LOCALHOST:5001", "127.0.0.1:8080"])
def test_ipv6_and_other_spellings_of_loopback_allowed(client, host):
    assert client.get("/health", headers={"Host": host}).status_code == 200, host


def _limited_app(limit_mb: float, seen: list[int]):
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def upload(request: Request):
        body = await request.body()  # reads everything it is given: the middleware must cut it off
        seen.append(len(body))
        return PlainTextResponse(f"got {len(body)}")

    settings = Settings(port=5001, max_body_mb=limit_mb)
    return SecurityMiddleware(Starlette(routes=[Route("/upload", upload, methods=["POST"])]), settings)


def _scope(headers):
    return {"type": "http", "method": "POST", "path": "/upload", "raw_path": b"/upload", "query_string": b"",
            "scheme": "http", "server": ("127.0.0.1", 5001), "client": ("127.0.0.1", 1234),
            "http_version": "1.1", "root_path": "", "asgi": {"version": "3.0"},
            "headers": [(b"host", b"127.0.0.1:5001"), *headers]}


def _run_asgi(app, headers, chunks):
    """Drive the middleware as uvicorn would with a chunked body; return (responses, chunks pulled)."""
    import asyncio

    pulled = 0
    sent: list[dict] = []

    async def receive():
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}
        await asyncio.sleep(3600)  # a client that never sends more

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(_scope(headers), receive, send), 10))
    return sent, pulled


def test_chunked_body_over_the_limit_is_refused_before_it_is_all_read():
    seen: list[int] = []
    app = _limited_app(1, seen)
    chunks = [b"x" * 65536] * 960  # 60 MiB announced by nobody: a chunked upload
    sent, pulled = _run_asgi(app, [(b"transfer-encoding", b"chunked")], chunks)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [413]
    assert (b"connection", b"close") in starts[0]["headers"]
    assert b"larger than 1 MB" in b"".join(m.get("body", b"") for m in sent)
    assert pulled == 17, pulled  # 16 chunks are exactly 1 MiB; the 17th goes over, nothing after it
    assert seen == []  # the handler never saw a body


def test_chunked_body_under_the_limit_passes_whole():
    seen: list[int] = []
    sent, pulled = _run_asgi(_limited_app(1, seen), [], [b"x" * 65536] * 16)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [200]
    assert seen == [1024 * 1024] and pulled == 16


def test_declared_length_over_the_limit_is_refused_without_reading():
    seen: list[int] = []
    sent, pulled = _run_asgi(_limited_app(1, seen), [(b"content-length", str(60 * 1024 * 1024).encode())],
                             [b"x" * 65536] * 960)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
    assert pulled == 0 and seen == []


def test_in_app_post_over_the_default_limit_gets_413(client):
    r = client.post("/tasks/insert", content=b"name=" + b"x" * (10 * 1024 * 1024),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "larger than 10 MB" in r.text


@pytest.fixture
def small_limit_server(data_dir):
    from tests.conftest import LiveServer

    server = LiveServer(data_dir, env={"CARDFLOW_MAX_BODY_MB": "1"})
    server.start()
    yield server
    server.stop()


def _rss_kb(pid: int) -> int:
    from pathlib import Path

    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def _read_status(sock) -> bytes:
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            part = sock.recv(65536)
            if not part:
                break
            data += part
    except ConnectionResetError:
        pass  # the server may reset once it has answered: what it answered is already in `data`
    return data


def test_live_server_answers_413_before_a_declared_body_is_sent(small_limit_server):
    import socket

    with socket.create_connection(("127.0.0.1", small_limit_server.port), timeout=10) as sock:
        sock.sendall(f"POST /tasks/insert HTTP/1.1\r\nHost: 127.0.0.1:{small_limit_server.port}\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {60 * 1024 * 1024}\r\n\r\nname=".encode())
        # Not one byte of the 60 MB is sent: the answer can only come from the header.
        assert _read_status(sock).startswith(b"HTTP/1.1 413 ")


def test_live_server_answers_413_while_a_chunked_body_streams(small_limit_server):
    import select
    import socket

    pid = small_limit_server.proc.pid
    before = _rss_kb(pid)
    chunk = b"x" * 65536
    planned, sent = 60 * 1024 * 1024, 0
    with socket.create_connection(("127.0.0.1", small_limit_server.port), timeout=10) as sock:
        sock.sendall(f"POST /tasks/insert HTTP/1.1\r\nHost: 127.0.0.1:{small_limit_server.port}\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        answer = b""
        waiting = select.poll()  # not select(): its descriptors must stay below 1024
        waiting.register(sock, select.POLLIN)
        try:
            while sent < planned:
                if waiting.poll(0):
                    break  # the server has answered: stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused and closed while we were still sending
        answer = _read_status(sock)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < 8 * 1024 * 1024, f"the client sent {sent} bytes before the answer"
    assert _rss_kb(pid) - before < 20 * 1024, "the server's peak RSS grew by more than 20 MB"
