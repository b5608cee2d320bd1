# takt: the two commands a newcomer needs, and the sanitizer builds.
#   make run    install what is missing, build, serve MCP over stdio on the embedded default
#   make test   install what is missing, build (warnings are errors), run the whole suite
#   make asan   the suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan   the suite under ThreadSanitizer
#   make fuzz   the libFuzzer targets of fuzz/ (clang), a fixed number of executions each

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CONFIG ?= config/takt.yaml
CMAKE_FLAGS ?=

.PHONY: run test build deps asan tsan fuzz clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAKT_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j$(JOBS)

run: build
	@exec build/bin/takt --config $(CONFIG)

test: build
	@cd build && ctest -j$(JOBS) --output-on-failure

asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTAKT_WERROR=ON -DTAKT_SANITIZE=address,undefined -DTAKT_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/sanitizers/ubsan.supp \
	  ctest -j$(JOBS) --output-on-failure

# ThreadSanitizer needs a oneTBB built with it (Debian's is not instrumented, so TSan
# would report TBB's own hand-offs as races): scripts/build-tsan-tbb.sh builds Debian's
# oneTBB source package once into build-tsan/tbb.
tsan: deps
	@bash scripts/build-tsan-tbb.sh $(CURDIR)/build-tsan/tbb
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAKT_WERROR=ON -DTAKT_SANITIZE=thread \
	  -DTAKT_BUILD_BENCH=OFF -DTBB_DIR=$(CURDIR)/build-tsan/tbb/lib/cmake/TBB >/dev/null
	@cmake --build build-tsan -j$(JOBS)
	@cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest -j$(JOBS) --output-on-failure

# Hostile input: every fuzz target (fuzz/CMakeLists.txt) built with clang, libFuzzer, ASan
# and UBSan in its own tree, then run from its seed corpus for a fixed number of
# executions (fuzz/run.sh; about 3 minutes in all on 2 cores). Any finding fails.
fuzz: deps
	@cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
	  -DTAKT_WERROR=ON -DTAKT_SANITIZE=address,undefined -DTAKT_BUILD_FUZZ=ON -DTAKT_BUILD_TESTS=OFF \
	  -DTAKT_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-fuzz -j$(JOBS) --target fuzzers
	@bash fuzz/run.sh build-fuzz

clean:
	rm -rf build build-asan build-tsan build-fuzz
