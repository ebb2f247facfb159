"""Shared fixtures: one pipeline per test session (building it takes ~2 s)."""

from __future__ import annotations

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
