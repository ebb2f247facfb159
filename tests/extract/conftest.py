"""Fixtures shared by the extraction tests."""

from __future__ import annotations

import pytest

from nlp.api import Analyzer


@pytest.fixture(scope="session")
def analyzer(pipeline) -> Analyzer:
    """The analyzer as the rules alone read a note (no models)."""
    return Analyzer(nlp=pipeline, use_models=False)
