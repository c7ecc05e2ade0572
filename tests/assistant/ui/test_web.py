"""web.py on a small FastAPI app: the origin guard, the attempt limits and POST /signup.
The same pieces inside the real server: test_serve.py (origins) and test_auth_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from assistant.settings import load_settings
from assistant.ui.web import SOCKET_REFUSED, TOO_MANY, AttemptLimiter, OriginGuard, SignInLimits, install
from store.db import make_engine, upgrade
from store.repositories import Store

APP = "http://127.0.0.1:8000"
EVIL = "http://evil.example"


def _app(limits: SignInLimits | None = None, **settings: object) -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> str:
        return "pong"

    @app.post("/login")
    async def login(request: Request) -> str:
        form = await request.form()
        return f"checked the password of {form.get('username')}"

    @app.websocket("/ws")
    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    origins = load_settings(port=8000, **settings).origins
    app.add_middleware(OriginGuard, origins=origins, limits=limits or SignInLimits())
    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(_app(), base_url=APP)


def test_a_page_of_another_origin_is_refused(client: TestClient) -> None:
    response = client.get("/ping", headers={"Origin": EVIL})
    assert response.status_code == 403
    assert response.text == "Pages from http://evil.example may not use Mingle (see MINGLE_ALLOWED_ORIGINS)."
    # a CORS preflight too: the browser never gets to send the real request
    preflight = client.options("/login", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403


def test_a_socket_from_another_origin_is_refused(client: TestClient) -> None:
    url = "ws://127.0.0.1:8000/ws"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(url, headers={"Origin": EVIL}),
    ):
        pass
    assert refused.value.code == 1008
    assert refused.value.reason == SOCKET_REFUSED
    with client.websocket_connect(url, headers={"Origin": APP}) as socket:
        assert socket.receive_text() == "hello"


@pytest.mark.parametrize("origin", [APP, "http://localhost:8000", "http://[::1]:8000", None])
def test_the_apps_own_pages_and_non_browser_clients_pass(client: TestClient, origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    assert client.get("/ping", headers=headers).status_code == 200


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8001", "https://127.0.0.1:8000", "null"])
def test_near_misses_are_other_origins(client: TestClient, origin: str) -> None:
    assert client.get("/ping", headers={"Origin": origin}).status_code == 403


def test_dns_rebinding_is_refused_by_host() -> None:
    """evil.example resolving to 127.0.0.1: its page is same-origin with itself, so a GET carries no
    Origin; the Host header still names evil.example."""
    rebound = TestClient(_app(), base_url="http://evil.example:8000")
    response = rebound.get("/ping")
    assert response.status_code == 403
    assert "does not answer to the host evil.example:8000" in response.text


def test_more_origins_can_be_allowed() -> None:
    client = TestClient(_app(allowed_origins=["https://mingle.example.org"]), base_url=APP)
    assert client.get("/ping", headers={"Origin": "https://mingle.example.org"}).status_code == 200
    assert client.get("/ping", headers={"Origin": EVIL}).status_code == 403


def test_sign_in_attempts_per_client_are_limited(client: TestClient) -> None:
    for n in range(20):
        response = client.post("/login", data={"username": f"guess-{n}", "password": "wrong"})
        assert response.json() == f"checked the password of guess-{n}"  # the form is handed on whole
    refused = client.post("/login", data={"username": "guess-20", "password": "wrong"})
    assert refused.status_code == 429
    assert refused.json() == {"detail": TOO_MANY}
    assert client.get("/ping").status_code == 200  # only password attempts are counted


def test_sign_in_attempts_per_name_are_limited(client: TestClient) -> None:
    """Multipart, as Chainlit's sign-in form sends it."""
    attempt = {"username": (None, "amara"), "password": (None, "wrong")}
    assert [client.post("/login", files=attempt).status_code for _ in range(6)] == [200] * 5 + [429]
    assert client.post("/login", files={**attempt, "username": (None, "kenji")}).status_code == 200


def test_an_oversized_sign_in_form_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "amara", "password": "x" * 70_000})
    assert response.status_code == 413


def test_the_limiter_counts_attempts_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = AttemptLimiter(3, 60.0, clock=lambda: now[0])
    assert [limiter.allow("amara") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("kenji")  # another key has its own budget
    now[0] = 59.9
    assert not limiter.allow("amara")  # refused attempts are not counted, the window still holds
    now[0] = 60.0
    assert limiter.allow("amara")  # the first attempts left the window


def test_the_limiter_forgets_the_least_recent_keys_so_memory_is_bounded() -> None:
    limiter = AttemptLimiter(2, 60.0, max_keys=100, clock=lambda: 0.0)
    for n in range(10_000):
        limiter.allow(f"name-{n}")
    assert len(limiter._seen) == 100
    assert sum(len(times) for times in limiter._seen.values()) <= 100 * 2


@pytest.fixture
def accounts_app(tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'mingle.db'}")
    upgrade(engine)
    store = Store(engine)
    app = FastAPI()
    settings, limits = load_settings(port=8000, auth="password"), SignInLimits()
    install(app, settings, lambda: store.accounts, limits)
    install(app, settings, lambda: store.accounts, limits)  # a second load of app.py adds nothing
    assert len(app.user_middleware) == 1
    yield TestClient(app, base_url=APP), store
    store.dispose()


def _sign_up(client: TestClient, name: str, password: str, repeat: str | None = None) -> tuple[int, str]:
    form = {"username": name, "password": password, "repeat": password if repeat is None else repeat}
    response = client.post("/signup", data=form, headers={"Origin": APP})
    return response.status_code, response.json().get("detail", "")


def test_sign_up_makes_a_password_account(accounts_app: tuple[TestClient, Store]) -> None:
    client, store = accounts_app
    assert _sign_up(client, " amara ", "correct horse battery") == (201, "")
    assert store.accounts.sign_in("amara", "correct horse battery")
    assert store.accounts.provider("amara") == "password"


@pytest.mark.parametrize(
    ("name", "password", "repeat", "expected"),
    [
        ("github:victim", "any long password", None, "A name cannot contain ':'"),
        ("github", "any long password", None, "is reserved for a way of signing in"),
        ("amara", "short", None, "A password needs at least 8 characters."),
        ("amara", "correct horse battery", "correct horse batery", "The two passwords differ"),
    ],
)
def test_sign_up_says_why_not(
    accounts_app: tuple[TestClient, Store], name: str, password: str, repeat: str | None, expected: str
) -> None:
    client, store = accounts_app
    status, detail = _sign_up(client, name, password, repeat)
    assert status == 400
    assert expected in detail
    assert store.accounts.provider(name) is None


def test_a_taken_name_is_said_plainly(accounts_app: tuple[TestClient, Store]) -> None:
    client, _ = accounts_app
    _sign_up(client, "amara", "correct horse battery")
    status, detail = _sign_up(client, "amara", "another long password")
    assert (status, detail) == (
        400,
        "The name 'amara' is taken: choose another, or sign in if it is yours.",
    )


def test_sign_up_attempts_per_name_are_limited(accounts_app: tuple[TestClient, Store]) -> None:
    client, _ = accounts_app
    for _ in range(5):
        assert _sign_up(client, "amara", "short")[0] == 400
    assert _sign_up(client, "amara", "correct horse battery") == (429, TOO_MANY)


def test_sign_up_from_another_origin_is_refused(accounts_app: tuple[TestClient, Store]) -> None:
    client, store = accounts_app
    form = {"username": "amara", "password": "correct horse battery", "repeat": "correct horse battery"}
    assert client.post("/signup", data=form, headers={"Origin": EVIL}).status_code == 403
    assert store.accounts.provider("amara") is None
