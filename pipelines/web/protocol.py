"""uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every accepted connection.

asyncio sets TCP_NODELAY only on sockets whose `proto` is IPPROTO_TCP. uvicorn's multi-worker mode
binds its listening socket with proto 0, so accepted connections keep Nagle's algorithm: a response
written as headers + body then waits for the client's delayed ACK (~40 ms) on keep-alive
connections. Measured here: single-client p50 72 ms with `--workers 2` vs 21 ms with one worker.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)
