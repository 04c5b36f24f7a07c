# Thin wrapper over CMake. `make run` and `make test` install what is missing
# (.ci/install-deps), configure and build.
BUILD      ?= build
BUILD_SAN  ?= build-san
JOBS       ?= $(shell nproc)
CTEST_ARGS ?= --output-on-failure -j $(JOBS)

.PHONY: all deps build build-san run test bench install clean

all: build

deps:
	@.ci/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-san: deps
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DTT_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_SAN) -j $(JOBS)

run: build
	$(BUILD)/bin/tamtam-codec-bench

# Every test, in the optimised build and again under ASan+UBSan.
test: build build-san
	ctest --test-dir $(BUILD) $(CTEST_ARGS)
	ctest --test-dir $(BUILD_SAN) $(CTEST_ARGS)

bench: build
	$(BUILD)/bin/tamtam-codec-bench

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
