"""Archives for the batch tests, composed from the golden notes (realistic text, no real patients)."""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"


@pytest.fixture(scope="session")
def golden_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("golden_*.txt"))]


@pytest.fixture(scope="session")
def make_records(golden_texts):
    """make_records(n, patients=7): n records cycling through the golden texts, with varied ids, patients, dates."""

    def _make(n: int, patients: int = 7) -> list[dict]:
        return [
            {"note_id": f"N{i:05d}", "text": golden_texts[i % len(golden_texts)], "patient_id": f"P{i % patients:03d}",
             "date_of_service": f"2024-{1 + i % 12:02d}-{1 + (i * 7) % 27:02d}"}
            for i in range(n)
        ]

    return _make
