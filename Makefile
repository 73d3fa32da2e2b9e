# The two commands of the README: `make serve` and `make test`. Each sets everything up.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test lint format wheel bench bench-math bench-json bench-patch bench-sandbox bench-swe bench-code bench-verifiers load image swe-image \
	system-deps system-deps-test sandbox-image clean

# Reinstall only when the project's metadata changes. The optional verifiers' extras
# (molecule, translation, reasoning_gym) are part of what `make serve` sets up.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[verifiers]'
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Debian packages of the sandbox (bubblewrap, python3-pytest, ...), installed when missing
# and root; for the tests also docker.io and debootstrap. See scripts/install-system-deps.sh.
system-deps:
	bash scripts/install-system-deps.sh serve

system-deps-test:
	bash scripts/install-system-deps.sh test

# The image of the docker sandbox backend, built with no registry (debootstrap + import)
# into the engine that DOCKER_HOST names.
sandbox-image: system-deps-test
	bash scripts/sandbox-image.sh

serve: $(BIN)/.installed system-deps
	$(BIN)/reward-server serve --host $(HOST) --port $(PORT)

test: $(BIN)/.installed-dev system-deps-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# A wheel of the project, to `pip install` into a trainer's environment (it is on no index).
wheel: $(BIN)/.installed
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/reward_server-*.whl

bench: $(BIN)/.installed-dev
	for verifier in exact_match math json_schema; do \
		$(BIN)/python benchmarks/bench_engine.py --verifier $$verifier || exit 1; done

# Installs the peer (math-verify) into the venv; `make test` never needs it.
bench-math: $(BIN)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_math.py

bench-json: $(BIN)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_json.py

bench-patch: $(BIN)/.installed-dev
	$(BIN)/python benchmarks/bench_patch.py

bench-sandbox: $(BIN)/.installed-dev system-deps-test
	$(BIN)/python benchmarks/bench_sandbox.py

bench-swe: $(BIN)/.installed-dev system-deps-test
	$(BIN)/python benchmarks/bench_swe.py

bench-code: $(BIN)/.installed-dev system-deps-test
	$(BIN)/python benchmarks/bench_code.py

# molecule, translation, reasoning_gym: plain and engine items/s; molecules all new too.
bench-verifiers: $(BIN)/.installed-dev
	$(BIN)/python benchmarks/bench_verifiers.py
	$(BIN)/python benchmarks/bench_molecule.py

# The service image: the project and its dependencies as wheels, then a build that needs
# no network. BASE_IMAGE must provide python3.11 with venv (python:3.11-slim does).
IMAGE      ?= reward-server:latest
BASE_IMAGE ?= python:3.11-slim
image: $(BIN)/.installed
	rm -rf build/wheelhouse
	$(BIN)/python -m pip wheel --quiet --wheel-dir build/wheelhouse .
	DOCKER_BUILDKIT=0 docker build --quiet --build-arg BASE_IMAGE=$(BASE_IMAGE) --tag $(IMAGE) .

# A SWE-bench instance image built here from PyPI (no registry): the example row of
# tests/data/swebench_rows, named as SWE-bench names it; see docs/sandbox.md.
swe-image: sandbox-image
	bash scripts/swe-instance-image.sh tests/data/swebench_rows/pallets__flask-5014

# N clients for T seconds against a fresh server, with a killed worker and a timed-out
# batch midway; see the script's --help.
load: $(BIN)/.installed-dev system-deps
	$(BIN)/python benchmarks/load.py --spawn

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
