"""What Mingle adds to Chainlit's web server: only the app's own pages may use it, explicit
sign-up, and a limit on sign-in attempts.

- **OriginGuard** (ASGI middleware, HTTP and WebSocket alike). Chainlit's socket.io server checks
  no origin (``cors_allowed_origins=[]``) and a browser lets any page open a WebSocket to
  127.0.0.1, so any page the person visits could drive the app. A request whose ``Origin`` is
  not one of ``Settings.origins``, or whose ``Host`` is none of theirs (DNS rebinding), is refused
  with 403. Requests without ``Origin`` (same-origin navigations, curl, the load program) pass.
- **POST /signup** (MINGLE_AUTH=password): name, password and the password repeated make a
  password account (``AccountRepository.sign_up``); nothing else creates one. The page that
  posts it is ``public/signup.html``, linked from the sign-in form by ``public/mingle.js``.
- **Attempt limits.** Each sign-in or sign-up costs one scrypt: per client address and per name,
  at most so many attempts a minute (``AttemptLimiter``, in memory, bounded); then 429, which
  Chainlit's sign-in form shows as "Too many sign-in attempts" (serve.py's translation).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from assistant.settings import Settings
from store.errors import InputError
from store.repositories.accounts import AccountRepository

TOO_MANY = "Too many sign-in attempts: wait a minute, then try again."
SOCKET_REFUSED = "Only Mingle's own pages may open a socket (see MINGLE_ALLOWED_ORIGINS)."  # <= 123 bytes
SIGN_IN_PATHS = frozenset({"/login", "/signup"})  # Chainlit's password sign-in, and ours
MAX_FORM_BYTES = 64 * 1024  # a name and a password, with room to spare


class AttemptLimiter:
    """At most ``limit`` attempts per key in any ``window`` seconds. Remembers at most
    ``max_keys`` keys (the least recently used is forgotten), so memory stays bounded whatever
    is sent: at most ``max_keys × limit`` timestamps. Used on the event loop only."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count one attempt for ``key``; False (and not counted) when it is over the limit."""
        now = self.clock()
        times = self._seen.pop(key, None) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        self._seen[key] = times
        if len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True


class SignInLimits:
    """The two budgets every password attempt spends: its client's and its name's."""

    def __init__(self, *, per_client: int = 20, per_name: int = 5, window: float = 60.0) -> None:
        self.clients = AttemptLimiter(per_client, window)
        self.names = AttemptLimiter(per_name, window)

    def allow(self, client: str, name: str) -> bool:
        return self.clients.allow(client) and self.names.allow(name)


LIMITS = SignInLimits()


class OriginGuard:
    """Refuse pages of other origins, and hosts the app does not serve; count sign-in
    attempts per client."""

    def __init__(self, app: ASGIApp, origins: Sequence[str], limits: SignInLimits) -> None:
        self.app, self.origins, self.limits = app, frozenset(origins), limits
        self.hosts = frozenset(urlsplit(origin).netloc for origin in origins)

    def refusal(self, origin: str | None, host: str | None) -> str | None:
        if origin is not None and origin.lower() not in self.origins:
            return f"Pages from {origin[:100]} may not use Mingle (see MINGLE_ALLOWED_ORIGINS)."
        if host is not None and host.lower() not in self.hosts:
            return f"Mingle does not answer to the host {host[:100]} (see MINGLE_ALLOWED_ORIGINS)."
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self.refusal(headers.get("origin"), headers.get("host"))
        if refusal is not None:
            if scope["type"] == "websocket":  # closed before it opens: the handshake gets 403
                await WebSocketClose(code=1008, reason=SOCKET_REFUSED)(scope, receive, send)
            else:
                await PlainTextResponse(refusal, status_code=403)(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in SIGN_IN_PATHS:
            await self._sign_in_attempt(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _sign_in_attempt(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the form (it is small) to learn the name, spend the budgets, then hand the same
        body on. Here and not in the sign-in callback: Chainlit turns a callback's error into 401."""
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_FORM_BYTES:
                await JSONResponse({"detail": "That form is too large."}, 413)(scope, receive, send)
                return

        def replay() -> Receive:
            sent = False

            async def once() -> Message:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            return once

        form = await Request(scope, replay()).form()
        name = form.get("username")
        await form.close()
        client = scope["client"][0] if scope.get("client") else "unknown"
        if not self.limits.allow(client, name.strip() if isinstance(name, str) else ""):
            await JSONResponse({"detail": TOO_MANY}, status_code=429)(scope, receive, send)
            return
        await self.app(scope, replay(), send)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def sign_up_route(accounts: Callable[[], AccountRepository]) -> Callable[..., object]:
    async def sign_up(request: Request) -> JSONResponse:
        """Create a password account from the sign-up page's form; the page then signs in."""
        form = await request.form()
        name, password, repeat = (form.get(key, "") for key in ("username", "password", "repeat"))
        if not (isinstance(name, str) and isinstance(password, str) and isinstance(repeat, str)):
            return JSONResponse({"detail": "Send a name and a password as form fields."}, status_code=400)
        name = name.strip()
        if password != repeat:
            return JSONResponse({"detail": "The two passwords differ: type the same one twice."}, 400)
        try:
            identifier = await asyncio.to_thread(accounts().sign_up, name, password)
        except InputError as exc:
            return JSONResponse({"detail": _sentence(str(exc))}, status_code=400)
        return JSONResponse({"identifier": identifier}, status_code=201)

    return sign_up


def install(
    app: FastAPI,
    settings: Settings,
    accounts: Callable[[], AccountRepository],
    limits: SignInLimits = LIMITS,
) -> None:
    """Add the guard (and, with password sign-in, the sign-up route) to Chainlit's app; once."""
    if getattr(app.state, "mingle_installed", False):  # app.py loaded again (tests, reloads)
        return
    app.state.mingle_installed = True
    app.add_middleware(OriginGuard, origins=settings.origins, limits=limits)  # outermost: runs first
    if settings.auth == "password":
        app.add_api_route("/signup", sign_up_route(accounts), methods=["POST"])
