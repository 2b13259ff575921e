"""The ``soudan`` command line (Typer): ``app`` with the analysis commands and the tools.

``app.py`` holds the Typer app, error handling and progress; ``analyse.py`` the commands that
analyse (run, update, serve, demo, survey, kwic); ``tools.py`` validate, score, train, app and
taxonomy check.
"""

from flows.cli.app import app
from flows.cli.analyse import demo, kwic, run, serve, survey, update
from flows.cli.tools import app_command, score, taxonomy_check, train, validate

__all__ = ["app", "demo", "kwic", "run", "serve", "survey", "update", "app_command", "score", "taxonomy_check",
           "train", "validate"]
