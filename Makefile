# Thin driver over CMake/CTest. `make run` and `make test` install what they need first.
#   build/       release build (the programs: build/bin/)
#   build-asan/  AddressSanitizer + UBSan build, where the test suite runs
#   build-ctime/ valgrind constant-time build (no sanitizers)
#   build-fuzz/  clang + libFuzzer targets
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 20
CMAKE_GEN := -G Ninja

.PHONY: all deps build test run bench fuzz clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B build $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps
	@cmake -S . -B build-asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCCTSA_ASAN=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

build-ctime: deps
	@cmake -S . -B build-ctime $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCTSA_CTIME=ON >/dev/null
	@cmake --build build-ctime -j $(JOBS)

build-fuzz: deps
	@CC=clang cmake -S . -B build-fuzz $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCTSA_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

# Every test: the whole suite under ASan+UBSan, the constant-time checks under
# valgrind, then each fuzzer for a bounded time.
test: build build-asan build-ctime
	@cd build-asan && ctest --output-on-failure -j $(JOBS) -LE ctime
	@cd build-ctime && ctest --output-on-failure -L ctime
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

run: build
	@./scripts/run.sh

bench: build
	@./scripts/bench.sh

fuzz: build-fuzz
	@./scripts/fuzz.sh build-fuzz/bin $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-ctime build-fuzz
