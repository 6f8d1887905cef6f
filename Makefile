# The kit's commands. Each target only calls `python -m kit …`, which does the work, so a
# learner without make runs the same steps (see README.md). `make help` lists them.
PYTHON ?= python3
KIT := $(PYTHON) -m kit

ifeq ($(shell command -v $(PYTHON) 2>/dev/null),)
$(error No '$(PYTHON)' found. Install Python 3.11.5 to 3.14, or name one: make setup PYTHON=/path/to/python3)
endif

.DEFAULT_GOAL := help
.PHONY: help lab setup test start check solution catch-up serve bench slides demo doctor generate notebooks lock

help: ## list the kit's commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

lab: ## set up, then open JupyterLab on the first notebook, on PORT (default 8888; KIT_PORTS=low-high moves every port)
	@$(KIT) lab $(if $(PORT),--port "$(PORT)")

setup: ## create .venv from requirements.lock, with the kit's Jupyter kernel inside it (MAINTAINER=1: add the suite's tools)
	@$(KIT) setup $(if $(MAINTAINER),--maintainer)

test: ## set up if needed (with the suite's tools), then run the whole test suite
	@$(KIT) test $(ARGS)

start: ## copy stage STAGE's exercises into workspace/ (never overwrites)
	@$(KIT) start "$(STAGE)"

check: ## check stage STAGE's exercises in workspace/ (or TARGET=dir; EXERCISE=n for one)
	@$(KIT) check "$(STAGE)" $(if $(TARGET),--target "$(TARGET)") $(if $(EXERCISE),--exercise "$(EXERCISE)")

solution: ## show the reference answer of exercise EXERCISE of stage STAGE (one at a time)
	@$(KIT) solution "$(STAGE)" $(if $(EXERCISE),--exercise "$(EXERCISE)")

catch-up: ## reset stage STAGE to its start state (STATE=end: its end), your work kept in workspace/backups/
	@$(KIT) catch-up "$(STAGE)" $(if $(STATE),--state "$(STATE)")

serve: ## serve the reference stage-4 API (TARGET=dir: your stage 4 or 7) with gunicorn on PORT
	@$(KIT) serve $(if $(PORT),--port "$(PORT)") $(if $(TARGET),--target "$(TARGET)")

bench: ## load the stage-4 API and a bare Flask ceiling; print the ratios (STAGE=6: scoring at scale)
	@$(KIT) bench $(if $(STAGE),--stage "$(STAGE)")

slides: ## build every deck into offline HTML in slides/build/
	@$(KIT) slides

demo: ## run every stage end to end, narrated (for a projector)
	@$(KIT) demo

doctor: ## check this machine is ready for the workshop day (run it before)
	@$(KIT) doctor

generate: ## regenerate every derived file: exercise templates, carried stage files, learner notebooks
	@$(KIT) generate

notebooks: ## re-execute the solutions, then regenerate the learner notebooks from them
	@$(KIT) notebooks

lock: ## regenerate the locks from requirements*.in for every platform, and check each has wheels
	@$(KIT) lock
