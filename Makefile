# The two commands: `make run` (the embedded local stack) and `make test` (the whole suite).
# Deployment (README, Deploying): `make synth`, `make lint-infra`, `make rehearse`, `make deploy STAGE=dev`,
# `make destroy STAGE=dev`.
PYTHON := $(shell tools/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit bench clean synth lint-infra rehearse deploy destroy

# The deployment toolchain lives in its own virtualenv: checkov pins a boto3 older than the app's.
INFRA_VENV := .venv-infra
INFRA_BIN := $(INFRA_VENV)/bin
INFRA_STAMP := $(INFRA_VENV)/.installed
STAGE ?= dev
STAGES ?= dev prod
SYNTH_STAMP := infra/build/.synthesized
SYNTH_INPUTS := app.py requirements.txt .chalice/config.json $(wildcard infra/*.py infra/*.yaml) \
	$(shell find chalicelib -name '*.py' 2>/dev/null)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m local_stack

# Lint and types first (seconds: ruff, then mypy, configured in pyproject.toml), then the suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

bench: $(STAMP)
	$(BIN)/python -m bench

$(INFRA_STAMP): requirements-infra.txt
	test -x $(INFRA_BIN)/python || $(PYTHON) -m venv $(INFRA_VENV)
	echo '*' > $(INFRA_VENV)/.gitignore
	$(INFRA_BIN)/python -m pip install --quiet --upgrade pip
	$(INFRA_BIN)/python -m pip install --quiet -r requirements-infra.txt
	touch $(INFRA_STAMP)

# CloudFormation for every stage, offline: infra/build/<stage>/template.json (+ deployment.zip).
synth: $(STAMP) $(INFRA_STAMP)
	$(INFRA_BIN)/python infra/synth.py $(STAGES)

# Both stages, only when an input changed since the last time (lint-infra and tests/infra use it).
$(SYNTH_STAMP): $(SYNTH_INPUTS) $(STAMP) $(INFRA_STAMP)
	$(INFRA_BIN)/python infra/synth.py dev prod
	touch $(SYNTH_STAMP)

# What CI checks without an AWS account: cfn-lint (0 errors) and checkov (0 failed checks; each skip is
# justified in the template, next to the resource).
lint-infra: $(SYNTH_STAMP)
	$(INFRA_BIN)/cfn-lint infra/build/dev/template.json infra/build/prod/template.json infra/bootstrap.yaml
	$(INFRA_BIN)/checkov --quiet --compact --skip-download --framework cloudformation \
		-f infra/build/dev/template.json -f infra/build/prod/template.json -f infra/bootstrap.yaml

# The deploy rehearsal alone (`make test` runs it too): infra/deploy.py against moto, a sync through the packaged code
# as Lambda runs it, every AWS call of each function against its role, an update and a destroy (infra/README.md).
rehearse: $(STAMP) $(SYNTH_STAMP)
	$(BIN)/python -m pytest -p no:randomly tests/infra/test_deploy_rehearsal.py tests/infra/test_deployed_stack.py

# Needs AWS credentials and a region in the environment (README, Deploying).
deploy: $(STAMP) $(INFRA_STAMP)
	$(INFRA_BIN)/python infra/synth.py $(STAGE)
	$(INFRA_BIN)/python infra/deploy.py deploy --stage $(STAGE) --alarm-email "$(ALARM_EMAIL)" \
		--admin-email "$(ADMIN_EMAIL)" --parameters "$(PARAMETERS)"

destroy: $(INFRA_STAMP)
	$(INFRA_BIN)/python infra/deploy.py destroy --stage $(STAGE) $(if $(DELETE_DATA),--delete-data)

clean:
	rm -rf $(VENV) .local .pytest_cache
