"""Exploratory text mining as KH Coder users know it: word frequencies by part of speech and
attribute, co-occurrence networks, correspondence analysis and KWIC, with soudan's privacy rules.

Modules: :mod:`~nlp.explore.config` (taxonomy/explore.yaml), :mod:`~nlp.explore.documents`
(words of each document), :mod:`~nlp.explore.frequency`, :mod:`~nlp.explore.cooccurrence`,
:mod:`~nlp.explore.correspondence`, :mod:`~nlp.explore.kwic`, :mod:`~nlp.explore.charts`,
:mod:`~nlp.explore.stage` (the stage, its files and :func:`~nlp.explore.stage.explore_tables` to read
them back). The 語の分析 report chapter is built by :mod:`nlp.report.explore_blocks`.
"""
