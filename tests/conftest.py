"""Shared fixtures: one pipeline per test session (building it takes ~2 s)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from nlp.extract.view import NoteView, note_view
from nlp.pipeline import get_pipeline


@pytest.fixture(scope="session")
def pipeline():
    return get_pipeline()


@pytest.fixture(scope="session")
def view_of(pipeline) -> Callable[[str], NoteView]:
    """Run the spaCy/medSpaCy pipeline on a text and return the extractor view."""

    def _view(text: str) -> NoteView:
        return note_view(pipeline(text))

    return _view


# `make test` (and so CI) sets FACETCODER_NO_SKIP=1: there a skipped test (no chromium, no Java, no
# pyspark, no model artifacts) fails the run instead of passing silently.
NO_SKIP = os.environ.get("FACETCODER_NO_SKIP") == "1"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if NO_SKIP and skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    skipped = terminalreporter.stats.get("skipped", [])
    if NO_SKIP and skipped:
        terminalreporter.write_line(f"FACETCODER_NO_SKIP=1: {len(skipped)} skipped test(s) fail this run; "
                                    "install what they need (scripts/install_browser.sh, scripts/install_java.sh)", red=True)
