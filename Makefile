# Thin wrapper over CMake. `make run` and `make test` install what is missing
# (.ci/install-deps), configure and build.
BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz
BUILD_TSAN ?= build-tsan
FUZZ_SECONDS ?= 60
# The fuzz burst of `make test`: short and fixed, per target.
FUZZ_SMOKE_SECONDS ?= 10
JOBS       ?= $(shell nproc)
CTEST_ARGS ?= --output-on-failure -j $(JOBS)
# test-under-load: runs in a row, and the CPU hogs of stress-ng beside them.
LOAD_RUNS  ?= 5
LOAD_CPUS  ?= 4

.PHONY: all deps build build-san run test test-tsan test-under-load lint bench bench-ring bench-analyzer fuzz install install-dissector clean

all: build

deps:
	@.ci/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

build-san: deps
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DTT_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_SAN) -j $(JOBS) -- --no-print-directory

# The suite's main job: the codec and TCP wire suites against the reference.
run: build
	runner/run-reference.sh $(BUILD)/bin

# Every test, in the optimised build and again under ASan+UBSan; the
# `timing` tests once more under CPU load; the node under ThreadSanitizer; a
# short libFuzzer burst on every fuzz target; cppcheck and clang-tidy.
test: build build-san
	ctest --test-dir $(BUILD) $(CTEST_ARGS)
	ctest --test-dir $(BUILD_SAN) $(CTEST_ARGS)
	$(MAKE) --no-print-directory test-under-load LOAD_RUNS=1
	$(MAKE) --no-print-directory test-tsan
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)
	.ci/lint $(BUILD)

test-tsan: deps
	cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=Debug -DTT_TSAN=ON \
	  -DTT_COMPONENTS=reference >/dev/null
	cmake --build $(BUILD_TSAN) -j $(JOBS) -- --no-print-directory
	ctest --test-dir $(BUILD_TSAN) $(CTEST_ARGS) -R '^(node|ring)\.'

# The tests labelled `timing` (time, sockets, processes, threads),
# LOAD_RUNS times in a row with `stress-ng --cpu LOAD_CPUS` running: no
# verdict may depend on how busy the machine is.
test-under-load: build
	CTEST_ARGS="-j $(JOBS)" .ci/under-load $(BUILD) $(LOAD_RUNS) $(LOAD_CPUS)

# cppcheck and clang-tidy over every compiled file (.clang-tidy,
# .cppcheck-suppressions).
lint: build
	.ci/lint $(BUILD)

bench: build
	$(BUILD)/bin/tamtam-codec-bench

# The Splinter ring against a Unix socketpair: 1->1 and 4->1, 128-byte lines.
bench-ring: build
	$(BUILD)/reference/ring/bench/sr_ring_bench

# Writes a 1.1 GB capture into the build dir (removed afterwards) and
# compares the analyzer with tcpdump and tshark on it.
bench-analyzer: build
	$(BUILD)/bin/tamtam-analyze-bench --dir $(BUILD) $(BUILD)/bin/tamtam-analyze \
	  dissector/tamtam.lua

# libFuzzer (clang) on every fuzz target for FUZZ_SECONDS each, starting from
# a working copy of the committed corpus; new crashes land in $(BUILD_FUZZ).
fuzz: deps
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DTT_FUZZ=ON \
	  -DTT_COMPONENTS="reference;vectors;runner;analyzer" \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD_FUZZ) -j $(JOBS) -- --no-print-directory
	@set -e; for t in $(BUILD_FUZZ)/fuzz/fuzz_*; do \
	  name=$${t##*/fuzz_}; work=$(BUILD_FUZZ)/corpus/$$name; \
	  mkdir -p $$work; cp -n $$(find . -path "*/fuzz/corpus/$$name/*" -type f -not -path "./build*") $$work/ 2>/dev/null || true; \
	  echo "fuzz $$name: $(FUZZ_SECONDS) s"; \
	  if ! $$t -max_total_time=$(FUZZ_SECONDS) -max_len=20000 \
	      -print_final_stats=1 -artifact_prefix=$(BUILD_FUZZ)/crash-$$name- \
	      $$work >$(BUILD_FUZZ)/$$name.log 2>&1; then \
	    tail -40 $(BUILD_FUZZ)/$$name.log; exit 1; fi; \
	  grep -E '^(Done|stat::peak_rss)' $(BUILD_FUZZ)/$$name.log; \
	done

install: build
	cmake --install $(BUILD)

# The Wireshark plugin into the personal plugin folder (see dissector/README.md).
install-dissector:
	dissector/install.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ) $(BUILD_TSAN)
