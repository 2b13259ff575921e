"""Fixtures shared by the analysis tests."""

from __future__ import annotations

import pytest

from nlp.analysis.ideation import IdeationScorer


@pytest.fixture(scope="module")
def scorer() -> IdeationScorer:
    """The packaged lexicon's scorer, one per test module."""
    return IdeationScorer()
