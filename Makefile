# tradpal.monitoring: the two commands of the README and the finer ones for daily work.
#   make demo   set up, start the local demo containers, deploy the stack to them
#   make test   set up, then lint, sanity, unit, integration and every molecule scenario
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.build/collections
export NO_COLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0
RUN_TESTS := $(VENV)/bin/python scripts/run_tests.py
LOCAL := -i inventories/local

.PHONY: help setup demo demo-down test lint sanity unit integration molecule scenario build bench clean

help:
	@echo "make demo        deploy the whole stack to local containers (runs setup first)"
	@echo "make demo-down   remove the demo containers"
	@echo "make test        everything CI runs: lint, sanity, unit, integration, molecule"
	@echo "make lint | sanity | unit | integration | molecule   one stage"
	@echo "make scenario S=node_exporter   one molecule scenario (TRADPAL_DISTRO=13 for Debian 13)"
	@echo "make build       the collection artifact (tradpal-monitoring-<version>.tar.gz)"
	@echo "make bench       converge benchmark of site.yml (results in bench/RESULTS-converge.md)"

setup:
	@bash scripts/setup.sh

demo: setup
	ansible-playbook $(LOCAL) scripts/demo_up.yml
	ansible-playbook $(LOCAL) demo/deploy.yml
	ansible-playbook $(LOCAL) playbooks/site.yml
	@ansible-playbook $(LOCAL) scripts/demo_status.yml

demo-down:
	ansible-playbook $(LOCAL) scripts/demo_down.yml

test: setup
	$(RUN_TESTS)

lint sanity unit integration molecule: setup
	$(RUN_TESTS) $@

scenario: setup
	@test -n "$(S)" || { echo "usage: make scenario S=<molecule scenario>"; exit 2; }
	SCENARIOS="$(S)" $(RUN_TESTS) molecule

build: setup
	ansible-galaxy collection build --force

bench: setup
	$(VENV)/bin/python bench/converge.py

clean:
	rm -rf .build tradpal-monitoring-*.tar.gz
