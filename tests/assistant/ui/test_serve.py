"""`mingle serve` for real: a Chainlit server on a free loopback port, then a real browser."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError

import pytest

from assistant.settings import load_settings
from assistant.ui.serve import auth_secret, prepare_app_root, serve
from store.errors import ConfigError

MINGLE = str(Path(sys.executable).parent / "mingle")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM = os.environ.get("MINGLE_TEST_CHROMIUM", "/usr/bin/chromium")  # tests/setup-machine.sh installs it
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except (URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


SERVER_LOGS: dict[str, Path] = {}  # url -> the log of the app serving it, for failure messages


SERVERS: dict[str, subprocess.Popen[bytes]] = {}  # url -> the app's process


def server_log(url: str) -> str:
    """The app's log, with every thread's stack (the app dumps them on SIGUSR1) if it still runs."""
    process = SERVERS.get(url)
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGUSR1)
        time.sleep(1.0)
    log = SERVER_LOGS.get(url)
    return log.read_text(errors="replace") if log is not None and log.exists() else "(no log)"


@contextmanager
def running_app(data: Path, **settings: str) -> Iterator[str]:
    """`mingle db upgrade`, `seed`, `reindex`, then `mingle serve` on a free port; yields its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINGLE_") or k.startswith("MINGLE_TEST")}
    env["MINGLE_DATA_DIR"] = str(data / "data")
    env.update({f"MINGLE_{key.upper()}": value for key, value in settings.items()})
    for command in (["db", "upgrade"], ["seed"], ["reindex"]):
        subprocess.run([MINGLE, *command], env=env, check=True, capture_output=True, timeout=600, cwd=data)
    port = _free_port()
    log = data / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [MINGLE, "serve", "--port", str(port)], env=env, cwd=data, stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    SERVER_LOGS[url], SERVERS[url] = log, process
    try:
        seconds = _wait_for(url, process, log)
        print(f"\napp answered its first request {seconds:.1f} s after `mingle serve`")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert not (data / ".chainlit").exists(), "Chainlit wrote into the working directory"
    assert (data / "data" / "chainlit" / ".chainlit" / "config.toml").exists()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(tmp_path_factory.mktemp("served")) as url:
        yield url


@pytest.mark.slow
def test_serve_answers_http_with_the_mingle_page(app_url: str) -> None:
    with urllib.request.urlopen(app_url, timeout=5) as response:
        page = response.read().decode()
    # Chainlit's page, named and described by our config (Chainlit's own default title is "Assistant")
    assert "<title>Mingle</title>" in page
    assert 'content="A mingling space for ML researchers' in page


@pytest.mark.browser
def test_a_newcomer_sees_the_welcome_in_a_real_browser(app_url: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (make test does this)")
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        started = time.perf_counter()
        page.goto(app_url)
        welcome = page.locator('[data-step-type="assistant_message"]').first
        expect(welcome).to_contain_text("Welcome to Mingle", timeout=30_000)
        print(f"\nwelcome visible {time.perf_counter() - started:.2f} s after navigation")
        expect(welcome).to_contain_text("Voluntary and free")
        page.screenshot(path=str(ARTIFACTS / "welcome.png"), full_page=True)

        browser.close()


INTAKE = [
    "I work on diffusion models for medical imaging, mostly low-dose CT.",
    "I'm a second-year PhD student.",
    "I write well and I read a lot of papers.",
    "I'm not good at coding and I'd like to grow my network.",
    "I'd love collaborators, and I need GPU compute.",
    "I can give feedback on drafts.",
    "I have my own idea with some early results.",
    "I'm in Lagos, about 6 hours a week, and I speak English and Igbo.",
]


@pytest.mark.browser
def test_a_whole_intake_in_the_browser(app_url: str) -> None:
    """Answer eight questions, confirm the card, see explained suggestions, request an intro."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    assistant = '[data-step-type="assistant_message"]'
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(app_url)
        expect(page.locator(assistant).first).to_contain_text("Welcome to Mingle", timeout=30_000)
        latencies = []
        answers = 0
        for answer in INTAKE:
            answers += 1
            count = page.locator(assistant).count()
            page.locator("#chat-input").fill(answer)
            # Chainlit keeps the send button disabled while a task (e.g. the welcome) still runs
            expect(page.locator("#chat-submit")).to_be_enabled(timeout=30_000)
            started = time.perf_counter()
            page.keyboard.press("Enter")
            expect(page.locator(assistant)).to_have_count(count + 1, timeout=30_000)
            latencies.append(time.perf_counter() - started)
            if page.get_by_text("Does this look right?").count():
                break
        card = page.locator(assistant).last
        expect(card).to_contain_text("Does this look right?")
        expect(card).to_contain_text("in your words")
        expect(card.locator(".js-plotly-plot, .plotly").first).to_be_visible(timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / "intake-card.png"), full_page=True)
        # as a person would: the card's task has ended (Chainlit shows its send button again)
        expect(page.locator("#chat-submit")).to_be_attached(timeout=30_000)
        page.get_by_role("button", name="Looks right: save").click()
        intro_buttons = page.get_by_role("button", name="Request intro")
        try:  # the first save may wait for the model to load
            expect(intro_buttons.first).to_be_visible(timeout=180_000)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- the server said:\n{server_log(app_url)[-12000:]}") from None
        assert intro_buttons.count() >= 5
        explained = page.locator(assistant).filter(has_text="You want to grow")
        assert explained.count() >= 5
        explained.first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "intake-suggestions.png"), full_page=True)
        intro_buttons.first.click()
        requested = page.get_by_text("Contact details are shared only if they say yes too")
        expect(requested).to_be_visible(timeout=15_000)
        requested.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "intake-intro-requested.png"), full_page=True)
        browser.close()
    print(f"\nfinished in {answers} answers; turn latency max {max(latencies):.2f} s")
    assert answers <= 8


def test_the_auth_secret_is_private_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Created 0600 in one step: with a chmod that does nothing, the file is still private."""
    chmods: list[int] = []
    monkeypatch.setattr(Path, "chmod", lambda self, mode: chmods.append(mode))
    previous = os.umask(0o022)
    try:
        secret = auth_secret(tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / ".auth-secret").stat().st_mode) == 0o600
    assert chmods == []
    assert len(secret) >= 64
    assert auth_secret(tmp_path) == secret  # made once, then read


def test_a_loose_auth_secret_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / ".auth-secret"
    path.write_text("an old secret")
    path.chmod(0o644)
    assert auth_secret(tmp_path) == "an old secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5"])
def test_serving_beyond_this_machine_without_sign_in_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    monkeypatch.setattr(os, "execve", lambda *args: pytest.fail("the server was started"))
    settings = load_settings(data_dir=tmp_path / "data", auth="none")
    with pytest.raises(ConfigError, match=f"^serving on {host} with MINGLE_AUTH=none would let anyone"):
        serve(settings, host=host)
    env = {
        **os.environ,
        "MINGLE_DATA_DIR": str(tmp_path / "data"),
        "MINGLE_HOST": host,
        "MINGLE_AUTH": "none",
    }
    result = subprocess.run(
        [MINGLE, "serve"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"mingle: error: serving on {host} with MINGLE_AUTH=none")
    prepared = subprocess.run(
        [MINGLE, "serve", "--prepare", "--host", host],
        env={**env, "MINGLE_HOST": "127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert prepared.returncode == 1
    assert prepared.stderr.startswith(f"mingle: error: serving on {host} with MINGLE_AUTH=none")
    assert not (tmp_path / "data" / "mingle.db").exists()  # refused before anything was prepared


def test_chainlit_is_told_only_the_apps_own_origins(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path / "data", port=8123, allowed_origins=["https://mingle.example.org"]
    )
    root = prepare_app_root(settings)
    config = (root / ".chainlit" / "config.toml").read_text()
    assert 'allow_origins = ["*"]' not in config
    line = next(line for line in config.splitlines() if line.startswith("allow_origins = "))
    assert json.loads(line.removeprefix("allow_origins = ")) == settings.origins
    assert settings.origins == [
        "http://127.0.0.1:8123",
        "http://localhost:8123",
        "http://[::1]:8123",
        "https://mingle.example.org",
    ]
    assert 'custom_js = "/public/mingle.js"' in config
    assert (root / "public" / "mingle.js").exists() and (root / "public" / "signup.html").exists()


def _http(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except HTTPError as error:
        return error.code, error.read().decode(), error.headers


async def _socket_welcome(url: str, origin: str | None, transports: list[str]) -> str:
    """Connect as the browser's Chainlit client does (see evals/load.py) and return the welcome."""
    import aiohttp
    import socketio

    async with aiohttp.ClientSession() as http:  # ours, so a refused connection leaves none open
        client = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=http)
        welcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def on_message(step: dict[str, Any]) -> None:
            if step.get("type") == "assistant_message" and not welcome.done():
                welcome.set_result(step["output"])

        client.on("new_message", on_message)
        auth = {
            "clientType": "webapp",
            "sessionId": str(uuid.uuid4()),
            "threadId": "",
            "userEnv": "{}",
            "chatProfile": "",
        }
        headers = {"Origin": origin} if origin else {}
        await client.connect(
            url,
            auth=auth,
            headers=headers,
            socketio_path="/ws/socket.io",
            transports=transports,
            wait_timeout=10,
        )
        try:
            await client.emit("connection_successful")
            return await asyncio.wait_for(welcome, 30)
        finally:
            await client.disconnect()


@pytest.mark.slow
@pytest.mark.parametrize("transports", [["websocket"], ["polling"]])
def test_a_page_of_another_origin_cannot_drive_the_served_app(app_url: str, transports: list[str]) -> None:
    import socketio

    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(_socket_welcome(app_url, "http://evil.example", transports))
    # "Welcome to Mingle", or "Welcome back" once this module's intake saved the one local person
    assert "Welcome" in asyncio.run(_socket_welcome(app_url, app_url, transports))
    assert "Welcome" in asyncio.run(_socket_welcome(app_url, None, transports))  # no browser


@pytest.mark.slow
def test_http_from_another_origin_or_host_is_refused_by_the_served_app(app_url: str) -> None:
    status, body, _ = _http(app_url + "/project/settings", headers={"Origin": "http://evil.example"})
    assert (status, body) == (
        403,
        "Pages from http://evil.example may not use Mingle (see MINGLE_ALLOWED_ORIGINS).",
    )
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    assert _http(app_url + "/login", method="OPTIONS", headers=preflight)[0] == 403
    port = app_url.rsplit(":", 1)[1]
    status, body, _ = _http(app_url + "/", headers={"Host": f"evil.example:{port}"})  # DNS rebinding
    assert status == 403 and "does not answer to the host" in body
    own = {"Origin": app_url, "Access-Control-Request-Method": "POST"}
    status, _, headers = _http(app_url + "/login", method="OPTIONS", headers=own)
    assert status == 200 and headers["access-control-allow-origin"] == app_url
    assert _http(app_url + "/", headers={"Origin": app_url})[0] == 200


EVIL_PAGE = """<!doctype html><title>evil</title><script>
const app = "APP", results = {};
const finish = (key, value) => {
  results[key] = value;
  if (Object.keys(results).length === 2) window.results = results;
};
const socket = new WebSocket(app.replace("http", "ws") + "/ws/socket.io/?EIO=4&transport=websocket");
socket.onopen = () => finish("socket", "open");
socket.onerror = () => finish("socket", "refused");
fetch(app + "/project/settings", {credentials: "include"})
  .then((response) => response.text()).then(() => finish("read", "read"), () => finish("read", "refused"));
</script>"""


@pytest.mark.browser
def test_a_page_elsewhere_cannot_reach_the_app_from_a_real_browser(app_url: str, tmp_path: Path) -> None:
    """Any site the local person visits (here http://evil.example, resolved to this machine) tries
    to open the app's socket and read its API from the person's browser."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    (tmp_path / "evil.html").write_text(EVIL_PAGE.replace("APP", app_url))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"]
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
            page = browser.new_page()
            page.goto(f"http://evil.example:{server.server_address[1]}/evil.html")
            page.wait_for_function("window.results !== undefined", timeout=30_000)
            results = page.evaluate("window.results")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert results == {"socket": "refused", "read": "refused"}
