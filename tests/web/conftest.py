"""Web test fixtures: a fast, deterministic fake analyzer, the example note, a live uvicorn server.

Test modules get them as fixtures (tests/ has no packages, so helpers are not importable)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from nlp.schema import (
    Agent, ChecklistItem, ClaimLine, Diagnosis, Evidence, Flag, Imaging, Intent, Level, NoteResult, PainScore, Procedure,
)
from nlp.text_input import validate_text

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "lumbar_mbb_example.txt"

FALLBACK_NOTE = """PROCEDURE NOTE
PROCEDURE: Right L4-L5 and L5-S1 lumbar medial branch blocks under fluoroscopic guidance, diagnostic block.
PREOPERATIVE DIAGNOSIS: Lumbar spondylosis without myelopathy or radiculopathy (M47.816).
INDICATIONS: Axial low back pain for 8 months despite physical therapy and NSAIDs. Pain 7/10 before the block.
SEDATION: Midazolam 2 mg IV.
DESCRIPTION: Under fluoroscopy, 0.5 mL of 0.5% bupivacaine was placed at each target. No steroid was used.
POST-PROCEDURE: Pain 2/10 at 30 minutes.
"""


def example_note() -> str:
    """The README example note when present, else a realistic note of our own."""
    return EXAMPLE.read_text(encoding="utf-8") if EXAMPLE.is_file() else FALLBACK_NOTE


def _find(text: str, pattern: str) -> list[Evidence]:
    return [Evidence.of(text, m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE)]


class FakeAnalyzer:
    """Stands in for `nlp.api.Analyzer`: validates like it, finds a few spans by regex."""

    payer = "medicare"

    def __init__(self) -> None:
        self.calls = 0

    def analyze(self, text: str, note_id: str = "note", payer: str | None = None) -> NoteResult:
        validate_text(text)
        self.calls += 1
        levels = [
            Level(joint=m.group(0).upper().replace("-5", "-L5"), region="lumbar", side="bilateral",
                  evidence=[Evidence.of(text, m.start(), m.end())])
            for m in re.finditer(r"L[45]-(?:L?5|S1)", text)
        ][:2]
        dx = _find(text, r"M47\.816")
        level_ev = [e for lv in levels for e in lv.evidence]
        lines = [
            ClaimLine(cpt=cpt, modifiers=["50", "KX"], icd10=["M47.816"] if dx else [], levels=[lv.joint],
                      rule_ids=["R-FAKE"], evidence=lv.evidence)
            for cpt, lv in zip(("64493", "64494"), levels)
        ]
        sedation = _find(text, r"midazolam|sedation")
        flags = [
            Flag(id="SEDATION", severity="warning", message="Sedation documented with a diagnostic block.",
                 fix="Document why sedation was medically necessary.", rule_ids=["R-FAKE-SED"], evidence=sedation[:1]),
            Flag(id="FAKE_INFO", severity="info", message="Fake analyzer in use.", fix="None needed.",
                 evidence=level_ev[:1]),
        ]
        return NoteResult(
            note_id=note_id,
            payer=payer or self.payer,
            procedure=Procedure(family="medial_branch_block", evidence=_find(text, r"medial branch blocks?")[:1]),
            imaging=Imaging(modality="fluoroscopy", evidence=_find(text, r"fluoroscop\w+")[:2]),
            levels=levels,
            intent=Intent(value="diagnostic", evidence=_find(text, r"diagnostic")[:1]),
            pain_scores=[PainScore(value=float(m.group(1)), scale="NRS", max_value=10, evidence=[Evidence.of(text, m.start(), m.end())])
                         for m in re.finditer(r"(\d+)/10", text)],
            diagnoses=[Diagnosis(text="M47.816", icd10="M47.816", source="code_written", evidence=dx[:1])] if dx else [],
            agents=[Agent(kind="local_anesthetic", name="bupivacaine", evidence=_find(text, r"bupivacaine")[:1])],
            claim_lines=lines,
            flags=flags,
            checklist=[
                ChecklistItem(id="levels", label="Joint level(s) with region", present=bool(levels), evidence=level_ev),
                ChecklistItem(id="pain_scores", label="Pre and post pain scores", present=False),
            ],
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app: FastAPI, timeout: float = 60.0, **config: object) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields the base URL. `config`: more
    `uvicorn.Config` options (the protocol class, limits)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", access_log=True,
                                           **config))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture()
def fake_analyzer() -> FakeAnalyzer:
    return FakeAnalyzer()


@pytest.fixture()
def make_fake():
    """The FakeAnalyzer class, for tests that need several."""
    return FakeAnalyzer


@pytest.fixture()
def note_text() -> str:
    return example_note()


@pytest.fixture()
def serve_app():
    """`with serve_app(app) as url:` runs the app on a free loopback port."""
    return live_server
