"""The report document model, its builders (consultations, survey) and renderers (xlsx, pptx, html, markdown).

Import order: document ← renderers; tables ← builders ← write. Nothing here imports write.
"""
