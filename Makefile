# soudan: `make demo` and `make test` are all a fresh clone needs. Each creates the virtual
# environment on first use and refreshes it whenever pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test test-unit app bench eval eval-ideation eval-themes eval-topics render clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/soudan demo --out outputs/demo

test: $(STAMP)
	bash scripts/install_browser.sh
	$(BIN)/python -m pytest -q

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not eval and not slow"

# The browser app on 127.0.0.1 (PORT=8501 make app for a fixed port; default a free one).
app: $(STAMP)
	$(BIN)/soudan app $(if $(PORT),--port $(PORT))

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

eval: eval-ideation eval-themes eval-topics

eval-ideation: $(STAMP)
	$(BIN)/python scripts/eval_ideation.py

eval-themes: $(STAMP)
	$(BIN)/python scripts/eval_themes.py

eval-topics: $(STAMP)
	$(BIN)/python scripts/eval_topics.py

render: $(STAMP)
	bash scripts/render_reports.sh outputs/demo

clean:
	rm -rf $(VENV) outputs/demo build *.egg-info
