"""A server that survives its clients: Host allow-list, Unicode checks, header and body deadlines, no query
strings in the access log (issue 11)."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from fastapi.testclient import TestClient

from pipelines.web.app import create_app
from pipelines.web.guard import unicode_problem
from pipelines.web.protocol import NoDelayH11Protocol
from pipelines.web.server import NoQueryString, allowed_hosts_for, log_config


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "localhost:8000", "[::1]:8000"])
def test_loopback_host_headers_are_served(fake_analyzer, host):
    with TestClient(create_app(analyzer=fake_analyzer)) as c:
        assert c.get("/api/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8000", "10.0.0.5", "localhost.evil.test"])
def test_other_host_headers_are_refused(fake_analyzer, host):
    """A page that rebinds its DNS name to 127.0.0.1 still sends its own name as Host."""
    with TestClient(create_app(analyzer=fake_analyzer)) as c:
        refused = c.post("/api/analyze", json={"text": "Bilateral L4-5 facet injection."}, headers={"Host": host})
    assert refused.status_code == 400
    assert not fake_analyzer.calls


def test_a_configured_host_is_served(fake_analyzer):
    with TestClient(create_app(analyzer=fake_analyzer, allowed_hosts=["coder-pc.clinic.lan"])) as c:
        assert c.get("/api/health", headers={"Host": "coder-pc.clinic.lan"}).status_code == 200
        assert c.get("/api/health", headers={"Host": "localhost"}).status_code == 400


def test_bound_address_is_allowed_but_wildcards_are_not():
    assert "192.168.1.20" in allowed_hosts_for("192.168.1.20", None)
    assert "0.0.0.0" not in allowed_hosts_for("0.0.0.0", None)
    assert "coder-pc" in allowed_hosts_for("0.0.0.0", ["coder-pc"])
    assert "localhost" in allowed_hosts_for("127.0.0.1", None)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b'{"text": "fluoro \\ud800 guided"}', "surrogate"),          # a high surrogate alone
        (b'{"text": "fluoro \\udc00 guided"}', "surrogate"),          # a low surrogate alone
        (b'{"text": "end \\ud83d"}', "surrogate"),                    # a pair cut in half at the end
        (b'{"text": "caf\xe9 L4-5"}', "UTF-8"),                        # cp1252 byte
        (b'{"text": "ok \\ud83d\\ude00 pair"}', None),                 # a valid pair (emoji)
        (b'{"text": "a literal \\\\ud800 typed as text"}', None),       # escaped backslash: the text is \ud800
        ('{"text": "caf\u00e9 \u2013 L4\u2013L5"}'.encode(), None),
    ],
)
def test_unicode_problems_are_found(raw, problem):
    found = unicode_problem(raw)
    assert (found is None) if problem is None else (problem in found)


def test_lone_surrogate_gets_400_not_500(fake_analyzer):
    with TestClient(create_app(analyzer=fake_analyzer), raise_server_exceptions=False) as c:
        r = c.post("/api/analyze", content=b'{"text": "L4-5 \\ud800 facet injection"}',
                   headers={"Content-Type": "application/json", "Host": "localhost"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_unicode"
    assert not fake_analyzer.calls


def test_invalid_utf8_gets_400(fake_analyzer):
    with TestClient(create_app(analyzer=fake_analyzer)) as c:
        r = c.post("/api/analyze", content=b'{"text": "L4-5 \xff facet"}',
                   headers={"Content-Type": "application/json", "Host": "localhost"})
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except TimeoutError:
        pass
    return data


def test_slow_headers_are_cut_off(serve_app, fake_analyzer, monkeypatch):
    monkeypatch.setattr(NoDelayH11Protocol, "header_timeout_s", 0.5)
    with serve_app(create_app(analyzer=fake_analyzer), http=NoDelayH11Protocol) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n")  # headers never finished
            started = time.monotonic()
            answer = _read_all(sock, 5)
        assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 3
        with socket.create_connection(("127.0.0.1", port)) as sock:  # a complete request is unaffected
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            assert _read_all(sock, 5).startswith(b"HTTP/1.1 200")


def test_slow_body_gets_408(serve_app, fake_analyzer):
    app = create_app(analyzer=fake_analyzer)
    for mw in app.user_middleware:
        if mw.cls.__name__ == "ApiGuard":
            mw.kwargs["body_timeout_s"] = 0.5
    with serve_app(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /api/analyze HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000\r\n\r\n{\"text\": \"L4")  # 990 bytes never sent
            answer = _read_all(sock, 5)
    assert answer.startswith(b"HTTP/1.1 408") and b"body_timeout" in answer
    assert not fake_analyzer.calls


def test_query_strings_are_not_logged():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/api/health?mrn=4419273&note=back+pain", "1.1", 200), None)
    assert NoQueryString().filter(record)
    line = record.getMessage()
    assert "4419273" not in line and "back+pain" not in line and "/api/health?[query removed]" in line
    assert "no_query" in log_config()["handlers"]["access"]["filters"]


def test_api_note_with_a_lone_surrogate_is_an_input_error_not_a_crash(pipeline):
    """The Python API (and batch) refuse text spaCy cannot hash, with the stable `encoding` code."""
    from nlp.api import Analyzer
    from nlp.errors import InputError

    real_analyzer = Analyzer(nlp=pipeline)
    with pytest.raises(InputError) as raised:
        real_analyzer.analyze("Right L4-5 facet injection \ud800 under fluoroscopy.")
    assert raised.value.code == "encoding"
    assert real_analyzer.analyze("Right L4-5 facet injection \U0001F600 under fluoroscopy.").procedure.family
