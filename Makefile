# The two Quick start commands: `make run` and `make test`. Both are idempotent.
# `make bench` measures performance into docs/PERFORMANCE.md (its own Release build in build-bench/).
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
DB ?= $(HOME)/.local/share/sage-dashboard/runs.sqlite

.PHONY: run test bench build deps configure clean

run: build
	@mkdir -p $(dir $(DB))
	$(BUILD_DIR)/bin/sage-dashboard --db $(DB)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench:
	@scripts/install-deps.sh --bench
	bench/run.sh

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

configure: deps
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

deps:
	@scripts/install-deps.sh

clean:
	rm -rf $(BUILD_DIR)
