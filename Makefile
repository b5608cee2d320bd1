# takt: the two commands a newcomer needs, and short names for the other builds. Each
# build is a preset of CMakePresets.json (cmake --preset NAME works as well).
#   make run    install what is missing, build, serve MCP over stdio on the embedded default
#   make test   install what is missing, build (warnings are errors), run the whole suite
#   make debug  a Debug build in build-debug/, and its tests
#   make asan   the suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan   the suite under ThreadSanitizer
#   make fuzz   the libFuzzer targets of fuzz/ (clang), a fixed number of executions each
#   make layers check that every include and link goes down the layers (docs/architecture.md)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CONFIG ?= config/takt.yaml
CMAKE_FLAGS ?=

.PHONY: run test build deps debug asan tsan fuzz layers clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset release $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset release -j$(JOBS)

run: build
	@exec build/bin/takt --config $(CONFIG)

test: build layers
	@ctest --preset release -j$(JOBS)

layers:
	@bash scripts/check-layers.sh

debug: deps
	@cmake --preset debug $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset debug -j$(JOBS)
	@ctest --preset debug -j$(JOBS)

# The release, sanitizer and fuzz builds keep line tables only (-g1 in CMakePresets.json):
# what backtraces and sanitizer reports need to name file and line, at a fraction of full debug information's
# compile time. (asan stays at -O0: GCC 12 at -O1 with ASan warns falsely in <regex>.)
asan: deps
	@cmake --preset asan $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset asan -j$(JOBS)
	@ctest --preset asan -j$(JOBS)

# ThreadSanitizer needs a oneTBB built with it (Debian's is not instrumented, so TSan
# would report TBB's own hand-offs as races): scripts/build-tsan-tbb.sh builds Debian's
# oneTBB source package once into build-tsan/tbb.
tsan: deps
	@bash scripts/build-tsan-tbb.sh $(CURDIR)/build-tsan/tbb
	@cmake --preset tsan $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset tsan -j$(JOBS)
	@ctest --preset tsan -j$(JOBS)

# Hostile input: every fuzz target (fuzz/CMakeLists.txt) built with clang, libFuzzer, ASan
# and UBSan in its own tree, then run from its seed corpus for a fixed number of
# executions (fuzz/run.sh; about 3 minutes in all on 2 cores). Any finding fails.
fuzz: deps
	@cmake --preset fuzz $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset fuzz -j$(JOBS)
	@bash fuzz/run.sh build-fuzz

clean:
	rm -rf build build-debug build-asan build-tsan build-fuzz build-tools
