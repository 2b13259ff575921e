"""Fixtures shared by the test modules: Sudachi and the theme tagger are built once per session."""

from __future__ import annotations

import pytest

from nlp.analysis.themes import ThemeTagger
from nlp.text.tokenize import SudachiTokenizer


@pytest.fixture(scope="session")
def tokenizer() -> SudachiTokenizer:
    return SudachiTokenizer()


@pytest.fixture(scope="session")
def tagger(tokenizer) -> ThemeTagger:
    return ThemeTagger(tokenizer=tokenizer)
