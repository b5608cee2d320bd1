#!/usr/bin/env bash
# Runs every fuzz target of takt for a fixed number of executions (make fuzz, CI).
#   fuzz/run.sh BUILD_DIR [TARGET...]
# Each target starts from its committed seed corpus (fuzz/corpus/<target>, read only) and
# keeps what it finds in BUILD_DIR/fuzz-corpus/<target>. A finding (crash, sanitizer
# report, failed check, timeout, an allocation over the limit) stops the run with the
# input saved as BUILD_DIR/fuzz-findings/<target>-*; replay it with
#   BUILD_DIR/bin/fuzz_<target> FILE
# FUZZ_RUNS_SCALE multiplies every count (e.g. 10 for a longer local run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: fuzz/run.sh BUILD_DIR [TARGET...]}" && pwd)"
shift
scale="${FUZZ_RUNS_SCALE:-1}"

# target   executions  max input  dictionary
targets=(
  "jsonrpc         60000  8192  json.dict"
  "tool_args      200000  4096  json.dict"
  "script_render  100000  4096  json.dict"
  "config          60000  4096  config.dict"
  "applescript    100000  4096  applescript.dict"
  "mirror          30000  8192  mirror.dict"
)

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan.supp"
mkdir -p "$build/fuzz-findings"
status=0
for line in "${targets[@]}"; do
  read -r name runs max_len dict <<<"$line"
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  corpus="$build/fuzz-corpus/$name"
  mkdir -p "$corpus"
  start=$(date +%s)
  # -malloc_limit_mb: one allocation over 256 MiB is a finding (no unbounded allocation
  # from hostile input); -timeout: one input taking over 10 s is a finding.
  if "$build/bin/fuzz_$name" -runs=$((runs * scale)) -max_len="$max_len" -dict="$here/$dict" \
      -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-findings/$name-" "$corpus" "$here/corpus/$name" \
      >"$build/fuzz-findings/$name.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-findings/$name.log")
    echo "fuzz: $name: ${execs:-?} executions in $(( $(date +%s) - start )) s, no finding"
  else
    echo "fuzz: $name: FINDING (log: $build/fuzz-findings/$name.log)"
    grep -E "ERROR|fuzz check|runtime error|SUMMARY|Test unit written" "$build/fuzz-findings/$name.log" | head -20 || true
    status=1
  fi
done
exit $status
