"""uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every accepted connection and a header deadline.

uvicorn 0.54 times out idle keep-alive connections but not a client that sends its headers a byte at a time: ~130
such connections fill `limit_concurrency` and every other request gets 503. A connection whose request headers are
not complete within HEADER_TIMEOUT_S (counted from the connection or the end of the previous response) is answered
408 and closed.

asyncio sets TCP_NODELAY only on sockets whose `proto` is IPPROTO_TCP. uvicorn's multi-worker mode
binds its listening socket with proto 0, so accepted connections keep Nagle's algorithm: a response
written as headers + body then waits for the client's delayed ACK (~40 ms) on keep-alive
connections. Measured here: single-client p50 72 ms with `--workers 2` vs 21 ms with one worker.
"""

from __future__ import annotations

import asyncio
import socket

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0


class NoDelayH11Protocol(H11Protocol):
    header_timeout_s = HEADER_TIMEOUT_S
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the request line and headers have all arrived
            self._cancel_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request on this keep-alive connection gets the same limit

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        body = b'{"error": "header_timeout", "detail": "request headers did not arrive in time"}'
        self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
                             b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        self.transport.close()
