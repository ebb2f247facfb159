"""REST API and page tests with FastAPI's TestClient (a fake analyzer unless stated)."""

from __future__ import annotations

import inspect
import json
import logging
import re
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from nlp.schema import NoteResult
from pipelines.render import claim_line_text
from pipelines.web.app import STATIC_DIR, create_app
from pipelines.web.server import is_loopback

LOCAL = "http://localhost"  # the Host a browser on this machine sends; other names are refused
MARK = "PRIVATE-MARKER-4242"  # placed in notes; must never appear in logs


@pytest.fixture()
def client(fake_analyzer):
    with TestClient(base_url=LOCAL, app=create_app(analyzer=fake_analyzer)) as c:
        yield c


def test_analyze_valid_note(client, note_text):
    r = client.post("/api/analyze", json={"text": note_text, "note_id": "n1", "payer": "commercial"})
    assert r.status_code == 200
    result = NoteResult.model_validate(r.json())
    assert (result.note_id, result.payer) == ("n1", "commercial")
    assert result.claim_lines and result.claim_lines[0].cpt == "64493"
    ev = result.levels[0].evidence[0]
    assert note_text[ev.start:ev.end] == ev.text
    assert r.headers["cache-control"] == "no-store"


def test_page_endpoint_adds_copy_text(client, note_text):
    body = client.post("/api/analyze/page", json={"text": note_text}).json()
    result = NoteResult.model_validate(body["result"])
    assert body["claim_text"] == claim_line_text(result)
    assert body["claim_text"].splitlines()[0] == "64493-50-KX x1 | M47.816"


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_or_whitespace_note_is_422(client, fake_analyzer, text):
    r = client.post("/api/analyze", json={"text": text})
    assert r.status_code == 422
    assert r.json() == {"error": "empty", "detail": "note is empty or whitespace only"}
    assert fake_analyzer.calls == 0


def test_binary_note_is_422(client):
    r = client.post("/api/analyze", json={"text": "PROCEDURE\x00\x01"})
    assert (r.status_code, r.json()["error"]) == (422, "binary")


def test_note_over_the_limit_is_413(fake_analyzer):
    with TestClient(base_url=LOCAL, app=create_app(analyzer=fake_analyzer, max_bytes=1000)) as c:
        r = c.post("/api/analyze", json={"text": "L4-L5 medial branch block. " * 100})
        assert r.status_code == 413
        assert r.json()["error"] == "too_large" and "1,000" in r.json()["detail"]
        assert c.post("/api/analyze", json={"text": "é" * 600}).status_code == 413  # bytes, not characters


def test_body_over_the_limit_is_413_before_parsing(fake_analyzer):
    with TestClient(base_url=LOCAL, app=create_app(analyzer=fake_analyzer, max_bytes=1000)) as c:
        limit = c.get("/api/health").json()["limits"]["max_body_bytes"]
        r = c.post("/api/analyze", content=b'{"text": "' + b"x" * limit + b'"}', headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"] == "too_large"
        assert f"{limit:,}" in r.json()["detail"]

        def chunks():  # no Content-Length: the guard counts the bytes actually received
            yield b'{"text": "'
            for _ in range(limit // 4096 + 2):
                yield b"y" * 4096
            yield b'"}'

        r = c.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert fake_analyzer.calls == 0


@pytest.mark.parametrize(
    ("body", "error", "hint"),
    [
        (b'{"text": "L4-L5",', "invalid_json", "not valid JSON"),
        (b"[1, 2]", "invalid_request", "JSON object"),
        (b"", "invalid_request", "empty"),
        (b'{"note_id": "x"}', "invalid_request", "text: Field required"),
        (b'{"text": 42}', "invalid_request", "text: Input should be a valid string"),
        (b'{"text": "x", "colour": "red"}', "invalid_request", "colour"),
    ],
)
def test_malformed_requests_are_422(client, body, error, hint):
    r = client.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"] == error and hint in r.json()["detail"]
    assert set(r.json()) == {"error", "detail"}


@pytest.mark.parametrize("payer", ["aetna-gold", "/etc/passwd", "../nlp/resources/payers/medicare.yaml"])
def test_unknown_payer_is_422_and_never_read_as_a_path(client, fake_analyzer, payer, note_text):
    r = client.post("/api/analyze", json={"text": note_text, "payer": payer})
    assert r.status_code == 422 and r.json()["error"] == "unknown_payer"
    assert "medicare" in r.json()["detail"]
    assert fake_analyzer.calls == 0


def test_batch_mixes_results_and_error_entries(client, note_text):
    notes = [{"text": note_text, "note_id": "a"}, {"text": "  "}, {"text": note_text}]
    r = client.post("/api/analyze/batch", json={"notes": notes, "payer": "medicare"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["note_id"] for x in results] == ["a", "note-1", "note-2"]
    assert [x["error"] for x in results] == [None, "empty", None]
    assert results[1]["index"] == 1 and "empty" in results[1]["detail"]
    NoteResult.model_validate(results[2])


def test_batch_limits(fake_analyzer, note_text):
    with TestClient(base_url=LOCAL, app=create_app(analyzer=fake_analyzer, max_batch=3, max_batch_body_bytes=50_000)) as c:
        r = c.post("/api/analyze/batch", json={"notes": [{"text": note_text}] * 4})
        assert r.status_code == 413 and r.json()["error"] == "too_many_notes" and "limit is 3" in r.json()["detail"]
        r = c.post("/api/analyze/batch", json={"notes": [{"text": "x" * 20_000}] * 3})
        assert r.status_code == 413 and r.json()["error"] == "too_large"
        assert c.post("/api/analyze/batch", json={"notes": []}).status_code == 422
        r = c.post("/api/analyze/batch", json={"notes": [{"text": note_text}], "payer": "nope"})
        assert (r.status_code, r.json()["error"]) == (422, "unknown_payer")
    assert fake_analyzer.calls == 0


class TestToken:
    @pytest.fixture()
    def secured(self, fake_analyzer):
        with TestClient(base_url=LOCAL, app=create_app(analyzer=fake_analyzer, token="t0ken")) as c:
            yield c

    def test_missing_token_is_401(self, secured, note_text):
        r = secured.post("/api/analyze", json={"text": note_text})
        assert r.status_code == 401 and r.json()["error"] == "token_required"
        assert r.headers["www-authenticate"] == "Bearer"

    def test_wrong_token_is_403(self, secured, note_text):
        for headers in ({"Authorization": "Bearer nope"}, {"X-API-Token": "t0ken!"}):
            r = secured.post("/api/analyze", json={"text": note_text}, headers=headers)
            assert r.status_code == 403 and r.json()["error"] == "token_invalid"

    def test_good_token_in_either_header(self, secured, note_text):
        for headers in ({"Authorization": "Bearer t0ken"}, {"X-API-Token": "t0ken"}):
            assert secured.post("/api/analyze", json={"text": note_text}, headers=headers).status_code == 200
        r = secured.post("/api/analyze/batch", json={"notes": [{"text": note_text}]}, headers={"X-API-Token": "t0ken"})
        assert r.status_code == 200

    def test_token_checked_before_the_body(self, secured, fake_analyzer):
        r = secured.post("/api/analyze", content=b"{broken", headers={"content-type": "application/json"})
        assert r.status_code == 401
        r = secured.post("/api/analyze/batch", content=b"x" * 20_000_000)
        assert r.status_code == 401
        assert fake_analyzer.calls == 0

    def test_health_page_and_docs_stay_open(self, secured):
        health = secured.get("/api/health").json()
        assert health["token_required"] is True
        assert secured.get("/").status_code == 200
        spec = secured.get("/openapi.json").json()
        assert {"HTTPBearer", "APIKeyHeader"} <= set(spec["components"]["securitySchemes"])


def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["pipeline_loaded"] is True and h["token_required"] is False
    assert {"medicare", "commercial"} <= set(h["profiles"])
    assert h["default_payer"] == "medicare" and re.match(r"\d+\.\d+", h["version"])
    assert h["limits"]["max_batch"] == 100 and h["limits"]["max_note_bytes"] == 200_000


def test_pipeline_loaded_once_at_startup(monkeypatch, make_fake):
    built = []
    monkeypatch.setattr("pipelines.web.app.load_analyzer", lambda payer, use_models: built.append(payer) or make_fake())
    app = create_app(payer="commercial")
    with TestClient(base_url=LOCAL, app=app) as c:
        assert c.get("/api/health").json()["pipeline_loaded"] is True
        c.post("/api/analyze", json={"text": "L4-L5 medial branch block"})
        c.post("/api/analyze", json={"text": "L5-S1 medial branch block"})
    assert built == ["commercial"]


def test_page_and_static_assets(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for name, kind in (("app.js", "javascript"), ("app.css", "text/css")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"]
    for name in ("index.html", "app.js", "app.css"):  # no CDN, no external asset
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE), name
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", (STATIC_DIR / "app.js").read_text(encoding="utf-8"))


def test_docs_and_errors_are_json(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/analyze", "/api/analyze/batch", "/api/health"} <= set(paths)
    assert client.get("/api/nothing").json()["error"] == "not_found"
    r = client.get("/api/analyze")
    assert (r.status_code, r.json()["error"]) == (405, "method_not_allowed")


def test_no_cors_unless_configured(fake_analyzer):
    origin = {"Origin": "http://tool.example"}
    with TestClient(base_url=LOCAL, app=create_app(analyzer=fake_analyzer)) as c:
        assert "access-control-allow-origin" not in c.get("/api/health", headers=origin).headers
    with TestClient(base_url=LOCAL, app=create_app(analyzer=fake_analyzer, token="t", cors_origins=["http://tool.example"])) as c:
        pre = c.options("/api/analyze", headers={**origin, "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "authorization,content-type"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "http://tool.example"
        r = c.post("/api/analyze", json={"text": "L4-L5"}, headers={**origin, "X-API-Token": "t"})
        assert r.headers["access-control-allow-origin"] == "http://tool.example"
        other = c.get("/api/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_analysis_runs_in_the_threadpool(client):
    """Analysis endpoints are sync functions: FastAPI runs them off the event loop."""
    for route in client.app.routes:
        if getattr(route, "path", "").startswith("/api/analyze"):
            assert not inspect.iscoroutinefunction(route.endpoint), route.path


def test_health_answers_while_a_note_is_analysed(serve_app, make_fake, note_text):
    class Slow(make_fake):
        def analyze(self, text, note_id="note", payer=None):
            time.sleep(2.0)
            return super().analyze(text, note_id, payer)

    with serve_app(create_app(analyzer=Slow())) as url:
        worker = threading.Thread(target=httpx.post, args=(url + "/api/analyze",), kwargs={"json": {"text": note_text}, "timeout": 10})
        worker.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert httpx.get(url + "/api/health", timeout=5).status_code == 200
        assert worker.is_alive() and time.monotonic() - started < 1.0  # answered while the note was in analysis
        worker.join()


def test_no_note_text_in_logs(make_fake, note_text, caplog):
    class Exploding(make_fake):
        def analyze(self, text, note_id="note", payer=None):
            if "EXPLODE" in text:
                raise ValueError(f"cannot parse {text!r}")  # a message that quotes the note
            return super().analyze(text, note_id, payer)

    caplog.set_level(logging.DEBUG)
    note = note_text + f"\nPATIENT ID {MARK}\n"
    with TestClient(base_url=LOCAL, app=create_app(analyzer=Exploding()), raise_server_exceptions=False) as c:
        assert c.post("/api/analyze", json={"text": note}).status_code == 200
        assert c.post("/api/analyze/page", json={"text": note, "payer": "bad"}).status_code == 422
        assert c.post("/api/analyze", content=note.encode()[:-3], headers={"content-type": "application/json"}).status_code == 422
        r = c.post("/api/analyze", json={"text": "EXPLODE " + note})
        assert r.status_code == 500 and MARK not in r.text and r.json()["error"] == "internal"
        batch = c.post("/api/analyze/batch", json={"notes": [{"text": note}, {"text": "EXPLODE " + note}]}).json()
        assert batch["results"][1]["error"] == "internal"
    assert "analysis failed" in caplog.text  # the failure is logged, by type and place only
    assert MARK not in caplog.text


def test_real_pipeline_round_trip(note_text):
    """The real Analyzer behind the API (skips if the engine cannot be built in this tree)."""
    try:
        from nlp.api import Analyzer

        analyzer = Analyzer()
    except Exception as exc:
        pytest.skip(f"real Analyzer unavailable: {type(exc).__name__}: {exc}")
    with TestClient(base_url=LOCAL, app=create_app(analyzer=analyzer)) as c:
        body = c.post("/api/analyze/page", json={"text": note_text}).json()
        assert body["result"]["procedure"]["family"] == "medial_branch_block"
        assert body["claim_text"] == claim_line_text(NoteResult.model_validate(body["result"]))
        r = c.post("/api/analyze", json={"text": note_text, "payer": "commercial"})
        assert r.status_code == 200 and r.json()["payer"] == "commercial"


def test_serve_command(monkeypatch):
    from pipelines import cli

    seen = {}
    monkeypatch.setattr("pipelines.web.server.serve", lambda **kw: seen.update(kw))
    monkeypatch.setenv("FACETCODER_TOKEN", "from-env")
    result = CliRunner().invoke(cli.app, ["serve", "--port", "8123", "--cors-origin", "http://a.test"])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123 and seen["token"] == "from-env"
    assert seen["cors_origins"] == ["http://a.test"] and seen["use_models"] is False and seen["workers"] == 1
    assert CliRunner().invoke(cli.app, ["serve", "--rules-only"]).exit_code == 0 and seen["use_models"] is False
    assert CliRunner().invoke(cli.app, ["serve", "--models"]).exit_code == 0 and seen["use_models"] is True
    bad = CliRunner().invoke(cli.app, ["serve", "--port", "0"])
    assert bad.exit_code == 2


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")


def test_static_files_are_package_data():
    assert {p.name for p in STATIC_DIR.iterdir()} >= {"index.html", "app.js", "app.css"}


def test_worker_factory_reads_settings_from_env(monkeypatch, make_fake):
    from pipelines.web import server

    monkeypatch.setattr("pipelines.web.app.load_analyzer", lambda payer, use_models: make_fake())
    monkeypatch.setenv(server.CONFIG_ENV, '{"payer": "commercial", "cors_origins": null, "max_batch": 7}')
    monkeypatch.setenv(server.TOKEN_ENV, "w0rker")
    with TestClient(base_url=LOCAL, app=server.app_from_env()) as c:
        health = c.get("/api/health").json()
        assert health["limits"]["max_batch"] == 7 and health["token_required"] is True
        assert c.post("/api/analyze", json={"text": "L4-L5"}).status_code == 401


def test_guard_rejects_a_bad_content_length():
    """Raw ASGI call: a non-numeric Content-Length gets 400 JSON and never reaches the app."""
    import anyio

    from pipelines.web.guard import ApiGuard

    async def app(scope, receive, send):  # pragma: no cover - must not run
        raise AssertionError("reached the app")

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/analyze", "headers": [(b"content-length", b"12abc")]}
    anyio.run(ApiGuard(app, token=None, limit_for=lambda path: 1000), scope, receive, send)
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["error"] == "bad_content_length"


def test_docs_page_is_local_and_lists_every_api_operation(client):
    res = client.get("/docs")
    assert res.status_code == 200
    html = res.text
    for path in ("/api/analyze", "/api/analyze/batch", "/api/health"):
        assert f"<code>{path}</code>" in html
    assert "cdn" not in html.lower() and "https://" not in html  # nothing loaded from outside
    assert "NoteResult" in html
