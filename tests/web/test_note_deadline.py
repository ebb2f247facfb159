"""A note that holds the pipeline too long gets 422 analysis_timeout; the server frees the pipeline and goes on."""

from __future__ import annotations

import threading
import time

import httpx
from fastapi.testclient import TestClient

from pipelines.web.app import create_app

from .conftest import FakeAnalyzer

LOCAL = "http://localhost"
STUCK = "STUCK"  # a note containing this word keeps the fake analyser busy in Python for a minute


class StuckAnalyzer(FakeAnalyzer):
    def analyze(self, text, note_id="note", payer=None):  # type: ignore[no-untyped-def]
        if STUCK in text:
            stop = time.monotonic() + 60
            while time.monotonic() < stop:  # pure Python: the deadline's exception lands between bytecodes
                pass
        return super().analyze(text, note_id, payer)


def test_a_note_over_the_limit_gets_422_and_the_next_note_is_served(note_text):
    with TestClient(base_url=LOCAL, app=create_app(analyzer=StuckAnalyzer(), note_timeout_s=0.3)) as client:
        started = time.monotonic()
        slow = client.post("/api/analyze", json={"text": note_text + STUCK})
        assert slow.status_code == 422
        assert slow.json()["error"] == "analysis_timeout"
        assert "0.3 s" in slow.json()["detail"]
        assert STUCK not in slow.text  # the note is not echoed
        assert time.monotonic() - started < 20
        after = client.post("/api/analyze", json={"text": note_text})  # the lock was released
        assert after.status_code == 200
        assert after.json()["claim_lines"]


def test_a_stuck_note_in_a_batch_is_one_error_entry(note_text):
    with TestClient(base_url=LOCAL, app=create_app(analyzer=StuckAnalyzer(), note_timeout_s=0.3)) as client:
        notes = [{"text": note_text, "note_id": "a"}, {"text": note_text + STUCK, "note_id": "b"},
                 {"text": note_text, "note_id": "c"}]
        results = client.post("/api/analyze/batch", json={"notes": notes}).json()["results"]
        assert [r["note_id"] for r in results] == ["a", "b", "c"]
        assert results[1]["error"] == "analysis_timeout"
        assert results[0].get("error") is None and results[0]["claim_lines"]
        assert results[2].get("error") is None and results[2]["claim_lines"]


def test_no_limit_lets_a_slow_note_finish(note_text):
    class Slow(FakeAnalyzer):
        def analyze(self, text, note_id="note", payer=None):  # type: ignore[no-untyped-def]
            stop = time.monotonic() + 0.5
            while time.monotonic() < stop:
                pass
            return super().analyze(text, note_id, payer)

    with TestClient(base_url=LOCAL, app=create_app(analyzer=Slow(), note_timeout_s=None)) as client:
        assert client.post("/api/analyze", json={"text": note_text}).status_code == 200


def test_health_answers_while_a_stuck_note_is_cut_off(serve_app, note_text):
    with serve_app(create_app(analyzer=StuckAnalyzer(), note_timeout_s=2.0)) as url:
        answer: dict[str, object] = {}

        def post() -> None:
            r = httpx.post(url + "/api/analyze", json={"text": note_text + STUCK}, timeout=30)
            answer["status"], answer["error"] = r.status_code, r.json()["error"]

        worker = threading.Thread(target=post)
        worker.start()
        time.sleep(0.3)
        health = []
        while worker.is_alive():
            health.append(httpx.get(url + "/api/health", timeout=5).status_code)
            time.sleep(0.1)
        worker.join()
        assert answer == {"status": 422, "error": "analysis_timeout"}
        assert health and set(health) == {200}
