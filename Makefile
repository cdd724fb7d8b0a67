# ifk: the two commands that set up everything on a fresh Debian 12 machine.
#   make demo   sample backup -> ifk-acquire --from -> ifk-verify
#   make test   every test, then again under AddressSanitizer + UBSan
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build build-asan build-fuzz demo test test-fast fuzz install bench clean

all: build

deps:
	@scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIFK_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIFK_SANITIZE=ON -DIFK_WERROR=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)

# libFuzzer harnesses (tests/fuzz): clang, libifk instrumented, a build of its own
build-fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DIFK_FUZZ=ON -DIFK_TESTS=OFF -DIFK_WERROR=ON
	cmake --build $(FUZZ_BUILD) -j$(JOBS)

# every harness FUZZ_SECONDS over its corpus (kept in $(FUZZ_BUILD)/fuzz-corpus)
fuzz: build-fuzz
	tests/fuzz/run.sh fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: build
	scripts/demo.sh $(BUILD)

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test: test-fast build-asan build-fuzz
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)
	ctest --test-dir $(FUZZ_BUILD) --output-on-failure -j$(JOBS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	bench/bench.sh $(BUILD)
	bench/bench_device.sh $(BUILD)
	bench/bench_parse.sh $(BUILD)
	bench/bench_report.sh $(BUILD)
	bench/bench_kdf.sh $(BUILD)
	bench/bench_scale.sh --with-1m $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
