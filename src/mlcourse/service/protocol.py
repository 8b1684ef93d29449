"""The server's connection limits: how long a client may take, and how many may connect.

uvicorn closes a kept-alive connection that stays idle (``timeout_keep_alive``) and answers
503 beyond ``limit_concurrency``, but it waits forever for a request's headers: a client that
connects and sends nothing, or sends its headers a byte at a time, holds a connection (and a
file descriptor) for as long as it likes. ``guarded_h11_protocol`` adds that missing timeout
to uvicorn's HTTP/1.1 protocol: the request line and headers must arrive within
``header_timeout`` seconds of the connection opening (or of the previous response). The body
has its own deadline (``BODY_TIMEOUT_SECONDS``), kept by the app, which answers 408.

The limits the service runs with (``python -m mlcourse.service serve --help``):

| limit | default | what happens |
|---|---|---|
| header timeout | 10 s | the connection is closed (a 408 if part of a request came) |
| body timeout | 30 s | 408, and the connection is closed |
| keep-alive timeout | 5 s | an idle kept-alive connection is closed |
| connections | 512 | once that many are open (the asking one included), a request gets 503 |
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 30.0
KEEP_ALIVE_SECONDS = 5.0
MAX_CONNECTIONS = 512

_TIMEOUT_BODY = json.dumps({"message": "Request timeout: the request's headers did not arrive in time.",
                            "detail": [{"field": "headers", "msg": "the headers did not arrive in time",
                                        "type": "header_timeout", "loc": ["headers"], "input": None}]}).encode()
_TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
                     b"content-length: " + str(len(_TIMEOUT_BODY)).encode() + b"\r\n\r\n" + _TIMEOUT_BODY)


def guarded_h11_protocol(header_timeout: float = HEADER_TIMEOUT_SECONDS) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, with a deadline for each request's line and headers."""
    import h11  # imported here: the limits above are read without loading the server
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        _bytes_of_request = 0

        def _arm(self) -> None:
            if self._header_timer is None:
                self._bytes_of_request = 0
                self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self.conn.their_state is h11.IDLE:
                self._arm()  # a new request on a kept-alive connection: its headers are on the clock
                self._bytes_of_request += len(data)
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()  # the request line and headers are in

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
                return
            if self._bytes_of_request:  # part of a request came: say why it is refused
                self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()

    return GuardedH11Protocol
