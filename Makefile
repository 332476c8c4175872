# The two README commands: `make demo` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test sanitize bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPK_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j$(JOBS)

# The main job on the embedded SQLite default database.
demo: build
	@PINGKEEPER=$(BUILD_DIR)/cli/pingkeeper examples/demo.sh

# Every test suite (unit and end-to-end).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS=-DPK_SANITIZE=ON

# Benchmarks (tests/bench/, never part of `make test`): one JSON line per
# figure; results go into BENCHMARKS.md. Root for the network namespaces.
# -Wno-restrict: GCC 12 at -O3 reports a false -Wrestrict in std::string
# operator+ (GCC bugs 105329, 105651), which -Werror makes a failed build.
BENCH_DIR ?= build-bench
bench: deps
	cmake -S . -B $(BENCH_DIR) -DCMAKE_BUILD_TYPE=Release -DPK_WERROR=ON -DPK_BUILD_BENCH=ON -DCMAKE_CXX_FLAGS=-Wno-restrict
	cmake --build $(BENCH_DIR) -j$(JOBS) --target pingkeeper pk_icmp_responder pk_bench_ingest pk_bench_ws_load
	bash tests/bench/run.sh $(BENCH_DIR)

clean:
	rm -rf $(BUILD_DIR) build-asan $(BENCH_DIR)
