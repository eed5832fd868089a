# The two commands of the README:
#   make run   installs what is missing, builds (Release), probes the bundled mcp-refserver
#   make test  installs what is missing, builds, runs the whole ctest suite
#   make fuzz  builds the libFuzzer harnesses (clang, ASan+UBSan) in build-fuzz and runs each for
#              FUZZ_SECONDS (default 30); fails on any crash, leak or sanitizer report
BUILD ?= build
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# CI builds with -Werror.
ifneq ($(CI),)
CMAKE_FLAGS += -DMCP_PROBE_WERROR=ON
endif
# ccache, when installed, shares objects between builds and checkouts (paths relative to here).
ifneq ($(shell command -v ccache 2>/dev/null),)
CACHE_FLAGS := -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
CMAKE_FLAGS += $(CACHE_FLAGS)
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
endif

.PHONY: all deps configure build run test test-unit test-sanitize format format-check bench fuzz clean

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

# The unit and integration tests again, built with AddressSanitizer and UBSan (-O1 keeps it quick;
# no -Werror: GCC's -O1 flow analysis warns inside libstdc++'s <regex> under ASan).
SANITIZE_BUILD ?= build-sanitize
test-sanitize: deps
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 -DMCP_PROBE_SANITIZE=ON $(CACHE_FLAGS) >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j$(JOBS)
	cd $(SANITIZE_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS) -L 'unit|integration'

# The checked-in .clang-format, applied (format) or verified (format-check) on every C++ file.
format:
	@git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format -i
format-check:
	@command -v clang-format >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-format >/dev/null)
	@git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run -Werror

# Its own build directory: everything instrumented, no tests, no -Werror (clang's warnings
# differ from GCC's, and a fuzz run should not fail on one).
fuzz: deps
	@bash scripts/install-fuzz-deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCP_PROBE_FUZZ=ON \
	  -DMCP_PROBE_TESTS=OFF $(CACHE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz-harnesses
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/run-fuzz $(FUZZ_BUILD)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
