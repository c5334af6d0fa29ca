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
