"""``soudan taxonomy check``: a themes YAML's structure and its keyword conflicts.

taxonomy/ checks the structure alone (:func:`taxonomy.themes.check_taxonomy`); the conflicts
need the Sudachi compilation of :class:`nlp.analysis.themes.ThemeTagger`, so they are added here and
taxonomy/ never imports nlp.analysis.themes (which imports taxonomy.themes).
"""

from __future__ import annotations

from pathlib import Path

from nlp.analysis.themes import ThemeTagger
from taxonomy.themes import check_taxonomy as check_structure


def check_taxonomy(path: str | Path | None = None, *, compile_keywords: bool = True) -> list[str]:
    """Every problem of a themes YAML as a human-readable line; empty when it is fine.

    Args:
        path: the YAML file; default the packaged one.
        compile_keywords: also compile with Sudachi, which catches two differently written
            keywords of different themes that normalise to the same form.
    """
    return check_structure(path, conflicts=(lambda t: ThemeTagger(taxonomy=t).conflicts) if compile_keywords else None)
