# The two README commands: `make demo` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test sanitize tsan bench fuzz clean

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

# ThreadSanitizer over the threaded parts: the collector, its writer and
# maintenance thread, and the server (their unit suites), then the run,
# hardening and serve end-to-end suites with the TSan binary.
TSAN_DIR ?= build-tsan
TSAN_ENV = TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
tsan: deps
	cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPK_WERROR=ON -DPK_TSAN=ON -DPK_BUILD_FUZZ_REPLAY=OFF $(CMAKE_FLAGS)
	cmake --build $(TSAN_DIR) -j$(JOBS) --target pingkeeper pk_unit_tests pk_icmp_responder
	$(TSAN_ENV) $(TSAN_DIR)/tests/pk_unit_tests --no-intro=true -ts='collect,serve*'
	$(TSAN_ENV) $(TSAN_DIR)/tests/pk_unit_tests --no-intro=true -tc='serve*'
	$(TSAN_ENV) bash tests/cli/run.bash $(TSAN_DIR)/cli/pingkeeper
	$(TSAN_ENV) bash tests/cli/hardening.bash $(TSAN_DIR)/cli/pingkeeper
	$(TSAN_ENV) bash tests/serve/core.bash $(TSAN_DIR)/cli/pingkeeper

# Benchmarks (tests/bench/, never part of `make test`): one JSON line per
# figure; results go into BENCHMARKS.md. Root for the network namespaces.
# -Wno-restrict: GCC 12 at -O3 reports a false -Wrestrict in std::string
# operator+ (GCC bugs 105329, 105651), which -Werror makes a failed build.
BENCH_DIR ?= build-bench
bench: deps
	cmake -S . -B $(BENCH_DIR) -DCMAKE_BUILD_TYPE=Release -DPK_WERROR=ON -DPK_BUILD_BENCH=ON -DCMAKE_CXX_FLAGS=-Wno-restrict
	cmake --build $(BENCH_DIR) -j$(JOBS) --target pingkeeper pk_icmp_responder pk_bench_ingest pk_bench_ws_load
	bash tests/bench/run.sh $(BENCH_DIR)

# Fuzzing (tests/fuzz/; `make test` only replays the corpora): every target
# built for AFL++ in $(FUZZ_DIR), then fuzzed for FUZZ_SECONDS each, one after
# the other; findings in $(FUZZ_DIR)/findings/<name>. Fails when one crashed.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 600
fuzz:
	@scripts/install-deps.sh --fuzz
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPK_WERROR=ON -DPK_BUILD_TESTS=OFF -DPK_BUILD_FUZZ=ON -DPK_BUILD_FUZZ_REPLAY=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target pk_fuzz_all
	bash tests/fuzz/run_afl.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) build-asan $(TSAN_DIR) $(BENCH_DIR) $(FUZZ_DIR)
