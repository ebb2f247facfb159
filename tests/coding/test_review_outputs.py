"""Review status reaches every output: tidy tables, the batch summary and the terminal view."""

from __future__ import annotations

from collections import Counter

from rich.console import Console

from nlp.coding import code_note
from nlp.coding.review import doubt
from nlp.schema import Review
from pipelines.batch import BatchSummary, print_summary
from pipelines.render import render
from pipelines.writers import NOTE_COLUMNS, note_row


def test_tidy_row_carries_review_status_and_reason_ids(facts) -> None:
    base = facts()
    coded = code_note(base.model_copy(update={"review": Review(reasons=[doubt("INTENT_CONFLICT", base.intent.evidence)])}))
    row = note_row({"row": 0, **coded.model_dump(mode="json")})
    assert (row["review_status"], row["review_reasons"]) == ("needs_review", "INTENT_CONFLICT")
    assert {"review_status", "review_reasons"} <= {c for c, _ in NOTE_COLUMNS}
    clean = note_row({"row": 1, **code_note(facts()).model_dump(mode="json")})
    assert (clean["review_status"], clean["review_reasons"]) == ("auto", "")


def test_batch_summary_counts_auto_and_needs_review() -> None:
    console = Console(record=True, width=100)
    print_summary(BatchSummary(rows=5, results=5, review=Counter({"auto": 3, "needs_review": 2})), console)
    out = console.export_text()
    assert "review: auto" in out and "review: needs_review" in out
    assert [line.strip("│ ").split()[-1] for line in out.splitlines() if "review:" in line] == ["3", "2"]


def test_terminal_view_leads_with_the_review(facts) -> None:
    base = facts()
    coded = code_note(base.model_copy(update={"review": Review(reasons=[doubt("LEVELS_CONFLICT", detail="title: L4-L5")])}))
    console = Console(record=True, width=140)
    render(coded, console)
    out = console.export_text()
    assert "needs review" in out and "LEVELS_CONFLICT" in out and "title: L4-L5" in out
    assert out.index("needs review") < out.index("Facts")
    console = Console(record=True, width=140)
    render(code_note(facts()), console)
    assert "auto" in console.export_text()
