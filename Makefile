# The two commands of the README:
#   make run   installs what is missing, builds (Release), probes the bundled mcp-refserver
#   make test  installs what is missing, builds, runs the whole ctest suite
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# CI builds with -Werror.
ifneq ($(CI),)
CMAKE_FLAGS += -DMCP_PROBE_WERROR=ON
endif
# ccache, when installed, shares objects between builds and checkouts (paths relative to here).
ifneq ($(shell command -v ccache 2>/dev/null),)
CMAKE_FLAGS += -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
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
