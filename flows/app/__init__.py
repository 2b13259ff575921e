"""``soudan app``: a local browser app over the same stages as the CLI (see :mod:`flows.app.launch`)."""
