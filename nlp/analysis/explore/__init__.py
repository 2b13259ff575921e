"""Exploratory text mining as KH Coder users know it: word frequencies by part of speech and
attribute, co-occurrence networks, correspondence analysis and KWIC, with soudan's privacy rules.

Modules: :mod:`~nlp.analysis.explore.config` (taxonomy/explore.yaml), :mod:`~nlp.analysis.explore.documents`
(words of each document), :mod:`~nlp.analysis.explore.frequency`, :mod:`~nlp.analysis.explore.cooccurrence`,
:mod:`~nlp.analysis.explore.correspondence`, :mod:`~nlp.analysis.explore.kwic`, :mod:`~nlp.analysis.explore.charts`,
:mod:`~nlp.analysis.explore.stage` (the stage, its files and :func:`~nlp.analysis.explore.stage.explore_tables` to read
them back). The 語の分析 report chapter is built by :mod:`nlp.report.explore_blocks`.
"""
