# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The embedding model, exported from the packaged one into the venv (services/ingest/model_export.py).
EMBED_MODEL := $(VENV)/share/webui-platform/all-MiniLM-L6-v2.xml
export PYTHONPATH := $(CURDIR):$(CURDIR)/gen

.PHONY: run test lint format protos check-protos unit integration e2e bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
# Bytecode now: a first start would otherwise compile our ~600 modules (and, where
# PYTHONDONTWRITEBYTECODE is set, on every start).
	$(BIN)/python -m compileall -q services gen
	touch $(STAMP)

$(EMBED_MODEL): $(STAMP) services/ingest/model_export.py
	$(BIN)/python -m services.ingest.model_export $@

run: $(STAMP) $(EMBED_MODEL)
	$(BIN)/python -m services.stack

test: $(STAMP) $(EMBED_MODEL) lint
	$(BIN)/python -m pytest tests

unit: $(STAMP) $(EMBED_MODEL)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP) $(EMBED_MODEL)
	$(BIN)/python -m pytest tests/integration

e2e: $(STAMP) $(EMBED_MODEL)
	$(BIN)/python -m pytest tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/buf lint
	$(BIN)/python scripts/check_breaking.py

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

protos: $(STAMP)
	$(BIN)/python scripts/gen_protos.py

bench: $(STAMP) $(EMBED_MODEL)
	$(BIN)/python bench/load.py
	$(BIN)/python bench/load.py --no-cache
	$(BIN)/python bench/chat.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/vector_index.py
	$(BIN)/python bench/rag_chat.py
	$(BIN)/python bench/identity_check.py
	$(BIN)/python bench/recovery.py
	$(BIN)/python bench/admission.py
	$(BIN)/python bench/memory_probes.py
	$(BIN)/python bench/slow_uploads.py
	$(BIN)/python bench/chats.py
	$(BIN)/python bench/stored_completions.py

clean:
	rm -rf $(VENV) .pytest_cache
