"""``python -m flows.cli`` = the ``soudan`` command."""

from flows.cli import app

app()
