# The kit's commands. Each target only calls `python -m kit …`, which does the work, so a learner
# without make runs the same steps (see README.md). `make help` lists them from kit/cli.py.
PYTHON ?= python3
KIT := $(PYTHON) -m kit

ifeq ($(shell command -v $(PYTHON) 2>/dev/null),)
$(error No '$(PYTHON)' found. Install Python 3.11.5 to 3.14, or name one: make setup PYTHON=/path/to/python3)
endif

.DEFAULT_GOAL := help
.PHONY: help lab setup test start check solution catch-up diff serve bench slides demo doctor generate notebooks  lock room join leave hand wheelhouse

help:
	@$(KIT) --help

lab:
	@$(KIT) lab $(if $(PORT),--port "$(PORT)")

setup:
	@$(KIT) setup $(if $(ROOM),--room "$(ROOM)") $(if $(MAINTAINER),--maintainer)

test:
	@$(KIT) test $(ARGS)

start:
	@$(KIT) start "$(STAGE)"

check:
	@$(KIT) check "$(STAGE)" $(if $(TARGET),--target "$(TARGET)") $(if $(EXERCISE),--exercise "$(EXERCISE)")

solution:
	@$(KIT) solution "$(STAGE)" $(if $(EXERCISE),--exercise "$(EXERCISE)")

catch-up:
	@$(KIT) catch-up "$(STAGE)" $(if $(STATE),--state "$(STATE)")

diff:
	@$(KIT) diff "$(STAGE)"

serve:
	@$(KIT) serve $(if $(PORT),--port "$(PORT)") $(if $(TARGET),--target "$(TARGET)")

bench:
	@$(KIT) bench $(if $(STAGE),--stage "$(STAGE)")

slides:
	@$(KIT) slides

demo:
	@$(KIT) demo

doctor:
	@$(KIT) doctor

generate:
	@$(KIT) generate

notebooks:
	@$(KIT) notebooks

lock:
	@$(KIT) lock

room:
	@$(KIT) room $(if $(PORT),--port "$(PORT)") $(if $(HOST),--host "$(HOST)") $(if $(CODE),--code "$(CODE)")

join:
	@$(KIT) join --room "$(ROOM)" --code "$(CODE)" --name "$(NAME)" $(if $(SHOW),--show)

leave:
	@$(KIT) leave

hand:
	@$(KIT) hand $(if $(TEXT),--text "$(TEXT)") $(if $(DOWN),--down)

wheelhouse:
	@$(KIT) wheelhouse
