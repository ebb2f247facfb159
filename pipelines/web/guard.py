"""ASGI middleware in front of `/api/*`: the API token, then the request size, time and encoding limits.

It runs before FastAPI parses anything, so an unauthenticated caller gets 401/403 (not a
422 about its body) and an oversized body is refused without being parsed. The body is read
here up to its limit (Content-Length is checked first, then the bytes actually received,
which also covers chunked uploads) within a time limit (408 for a body that trickles in), checked to be
valid UTF-8 without lone surrogate escapes (400), and replayed to the app. Nothing here logs a body.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OPEN_PATHS = frozenset({"/api/health"})  # health is open: it tells the page whether a token is needed
# A JSON \uD800-\uDBFF escape not followed by a low one, or a low one not preceded by a high one: Python's json
# accepts both, and a lone surrogate cannot be written back as UTF-8 (the response would fail with 500).
_LONE_SURROGATE = re.compile(
    rb"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)(?:\\\\)*\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def unicode_problem(body: bytes) -> str | None:
    """Why a request body is not valid Unicode text, or None when it is."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"request body is not valid UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start})"
    m = _LONE_SURROGATE.search(body)
    if m is not None:
        return f"request body has a lone UTF-16 surrogate escape at offset {m.end() - 6}; send the text as UTF-8"
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def presented_token(scope: Scope) -> str | None:
    """The token from `Authorization: Bearer <t>` or `X-API-Token: <t>` (None when absent)."""
    auth = _header(scope, b"authorization")
    if auth is not None:
        scheme, _, value = auth.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    token = _header(scope, b"x-api-token")
    return token.strip() if token and token.strip() else None


async def send_error(send: Send, status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> None:
    """A JSON `{error, detail}` response straight from the middleware."""
    body = json.dumps({"error": error, "detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class ApiGuard:
    """Token check and body size limit for every `/api/` request.

    `limit_for(path)` gives the largest body accepted for a path, in bytes.
    """

    def __init__(self, app: ASGIApp, token: str | None, limit_for: Callable[[str], int],
                 body_timeout_s: float = 30.0) -> None:
        self.app = app
        self.token = token
        self.limit_for = limit_for
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)  # CORS preflights are answered by the CORS middleware
            return
        if self.token is not None and path not in OPEN_PATHS and not await self._authorized(scope, send):
            return
        body = None
        with anyio.move_on_after(self.body_timeout_s) as waited:
            body = await self._read_body(scope, receive, send, self.limit_for(path))
        if waited.cancelled_caught:
            await send_error(send, 408, "body_timeout",
                             f"the request body did not arrive within {self.body_timeout_s:g} s", {"Connection": "close"})
            return
        if body is None:
            return
        problem = unicode_problem(body)
        if problem is not None:
            await send_error(send, 400, "invalid_unicode", problem)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _authorized(self, scope: Scope, send: Send) -> bool:
        given = presented_token(scope)
        if given is None:
            await send_error(
                send, 401, "token_required",
                "this server requires an API token: send 'Authorization: Bearer <token>' or 'X-API-Token: <token>'",
                {"WWW-Authenticate": "Bearer"},
            )
            return False
        if not hmac.compare_digest(given.encode(), str(self.token).encode()):
            await send_error(send, 403, "token_invalid", "the API token is not valid for this server")
            return False
        return True

    async def _read_body(self, scope: Scope, receive: Receive, send: Send, limit: int) -> bytes | None:
        """The whole body, or None after answering 400/413."""
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await send_error(send, 400, "bad_content_length", "Content-Length must be a non-negative integer")
                return None
            if int(declared) > limit:
                await send_error(send, 413, "too_large", f"request body is {int(declared):,} bytes; the limit is {limit:,} bytes")
                return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await send_error(send, 413, "too_large", f"request body exceeds the limit of {limit:,} bytes")
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive callable that yields the buffered body once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
