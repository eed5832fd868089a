# The two commands of the README:
#   make run   installs what is missing, builds (Release), probes the bundled mcp-refserver
#   make test  installs what is missing, builds, runs the whole ctest suite
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# CI builds with -Werror.
ifneq ($(CI),)
CMAKE_FLAGS += -DMCP_PROBE_WERROR=ON
endif

.PHONY: all deps configure build run test test-unit bench clean

all: build

deps:
	@bash scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/mcp-probe selftest

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit

clean:
	rm -rf $(BUILD)
