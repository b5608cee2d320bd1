#!/usr/bin/env bash
# bench/run.sh: issue 3's comparison in one run, and takt's slow-lane scenarios.
#
#   bench/run.sh [--reps N] [--duration S] [--quick] [--out DIR]
#
# Builds nothing: it needs build/bin/{takt,things-sim,takt-loadgen,takt-echo-responder}
# (cmake -S . -B build -DTAKT_WERROR=ON && cmake --build build -j2), and installs the
# reference server on first use (bench/run-reference.sh, needs npm once).
#
# 1. Cached reads over stdio, at 1 and at 32 requests in flight, for
#      takt       get_inbox answered from its cache (bench/configs/cached-reads.yaml)
#      reference  the official TypeScript SDK's server-everything, tool echo
#      floor      takt-echo-responder (answers every request with an empty result)
#    each measured --reps times (default 3), the targets interleaved, medians reported.
# 2. takt's scenarios: latency-under-saturation (idle baseline, then 20 add_todo
#    outstanding), write-behind-reads, flood (100000 cached reads), utilisation.
#
# Every run's JSON and the servers' stderr are kept under --out (default bench/out/DATE).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
bin="${TAKT_BIN_DIR:-$root/build/bin}"
reps=3
duration=2
warmup=2000
scenario_seconds=10
batch_seconds=30
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --quick) reps=1; duration=1; scenario_seconds=3; batch_seconds=8; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
out="${out:-$here/out/$(date +%Y%m%d-%H%M%S)}"

for b in takt things-sim takt-loadgen takt-echo-responder; do
  if [[ ! -x "$bin/$b" ]]; then
    echo "run.sh: $bin/$b is missing; build first:" >&2
    echo "  cmake -S $root -B $root/build -DTAKT_WERROR=ON && cmake --build $root/build -j2" >&2
    exit 1
  fi
done
command -v jq >/dev/null || { echo "run.sh: jq is needed to read the load generator's JSON" >&2; exit 1; }

ref_line=$("$here/run-reference.sh")
eval "ref_cmd=($ref_line)"

mkdir -p "$out/json" "$out/logs" "$out/data"
log() { printf '%s\n' "$*" >&2; }
log "run.sh: results in $out"
log "run.sh: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

loadgen=("$bin/takt-loadgen")
takt_cached=("$bin/takt" --config "$here/configs/cached-reads.yaml")
call_inbox='{"name":"get_inbox","arguments":{}}'
call_echo='{"name":"echo","arguments":{"message":"hello"}}'

# run_json FILE XDG_DIR LOADGEN-ARGS... -- SERVER...: one load generator run; its JSON in FILE.
run_json() {
  local file="$1" data="$2"
  shift 2
  local name
  name=$(basename "$file" .json)
  if ! XDG_DATA_HOME="$data" "${loadgen[@]}" "$@" > "$out/json/$file" 2> "$out/logs/$name.loadgen.log"; then
    log "run.sh: $name failed:"
    sed 's/^/  /' "$out/logs/$name.loadgen.log" >&2
    rm -f "$out/json/$file"
    return 1
  fi
}

# ---- 1. the comparison ----------------------------------------------------------------
targets=(takt reference floor)
for rep in $(seq 1 "$reps"); do
  for c in 1 32; do
    for t in "${targets[@]}"; do
      f="cmp-$t-c$c-r$rep.json"
      common=(run --json --in-flight "$c" --duration "$duration" --warmup "$warmup" --label "$t"
              --server-log "$out/logs/cmp-$t-c$c-r$rep.server.log")
      log "run.sh: comparison run $rep/$reps, $c in flight, $t"
      case "$t" in
        takt) run_json "$f" "$out/data/cached" "${common[@]}" --call "$call_inbox" -- "${takt_cached[@]}" || true ;;
        reference) run_json "$f" "$out/data/none" "${common[@]}" --call "$call_echo" -- "${ref_cmd[@]}" || true ;;
        floor) run_json "$f" "$out/data/none" "${common[@]}" --call "$call_echo" -- "$bin/takt-echo-responder" || true ;;
      esac
    done
  done
done

# ---- 2. takt's scenarios ------------------------------------------------------------------
slow=("$bin/takt" --config "$here/configs/slow-lane.yaml")
log "run.sh: latency-under-saturation, idle baseline (${scenario_seconds}s)"
run_json lus-idle.json "$out/data/slow" latency-under-saturation --json --saturate 0 --duration "$scenario_seconds" \
  --server-log "$out/logs/lus-idle.server.log" -- "${slow[@]}" || true
log "run.sh: latency-under-saturation, 20 add_todo outstanding (${scenario_seconds}s)"
run_json lus-saturated.json "$out/data/slow" latency-under-saturation --json --saturate 20 --duration "$scenario_seconds" \
  --server-log "$out/logs/lus-saturated.server.log" -- "${slow[@]}" || true
log "run.sh: write-behind-reads"
run_json wbr.json "$out/data/slow" write-behind-reads --json \
  --server-log "$out/logs/wbr.server.log" -- "$bin/takt" --config "$here/configs/write-behind-reads.yaml" || true
log "run.sh: flood, 100000 cached get_inbox"
run_json flood.json "$out/data/cached" flood --json --requests 100000 --call "$call_inbox" \
  --server-log "$out/logs/flood.server.log" -- "$bin/takt" --config "$here/configs/flood.yaml" || true
call_add='{"name":"add_todo","arguments":{"title":"bench write"}}'
for b in on off; do
  log "run.sh: write throughput, batching $b (${batch_seconds}s, 40 add_todo in flight)"
  run_json "batching-$b.json" "$out/data/batching-$b" --json --call "$call_add" --in-flight 40 --duration "$batch_seconds" \
    --warmup 0 --server-log "$out/logs/batching-$b.server.log" -- "$bin/takt" --config "$here/configs/batching-$b.yaml" || true
done
log "run.sh: utilisation (${scenario_seconds}s)"
run_json utilisation.json "$out/data/slow" utilisation --json --duration "$scenario_seconds" \
  --server-log "$out/logs/utilisation.server.log" -- "${slow[@]}" || true

# ---- the tables -------------------------------------------------------------------------
# median of the numbers on stdin ("n/a" if none)
median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# med TARGET C JQ-EXPR: the median over the runs that counted answers (a run that failed,
# or whose warm-up never ended, is left out)
med() {
  for f in "$out"/json/cmp-"$1"-c"$2"-r*.json; do
    [[ -f "$f" ]] && jq -r "select(.streams[0].requests > 0) | ($3) // empty" "$f"
  done | median
}
valid_runs() {  # valid_runs TARGET C
  local n=0
  for f in "$out"/json/cmp-"$1"-c"$2"-r*.json; do
    [[ -f "$f" ]] && [[ "$(jq -r '.streams[0].requests > 0' "$f")" == true ]] && n=$((n + 1))
  done
  echo "$n"
}
num() {  # num VALUE DECIMALS: a number, or n/a
  if [[ "$1" == "n/a" || -z "$1" ]]; then printf 'n/a'; else printf "%.${2}f" "$1"; fi
}
ratio() {
  if [[ "$1" == "n/a" || "$2" == "n/a" ]]; then printf 'n/a'; else awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; fi
}

declare -A label=([takt]="takt get_inbox (cached)" [reference]="reference echo (TS SDK)" [floor]="takt-echo-responder")
declare -A V
for t in "${targets[@]}"; do
  for c in 1 32; do
    V[$t.$c.rate]=$(med "$t" "$c" '.streams[0].throughput')
    V[$t.$c.p50]=$(med "$t" "$c" '.streams[0].latency_us.p50')
    V[$t.$c.p99]=$(med "$t" "$c" '.streams[0].latency_us.p99')
    V[$t.$c.rss]=$(med "$t" "$c" '.server.peak_rss_kib')
    V[$t.$c.scpu]=$(med "$t" "$c" '.server.cpu_us_per_answer')
    V[$t.$c.lcpu]=$(med "$t" "$c" '.loadgen.cpu_us_per_answer')
    V[$t.$c.n]=$(valid_runs "$t" "$c")
  done
done

echo
echo "takt bench: $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, ${duration}s per measurement after ${warmup} warm-up requests,"
echo "medians of ${reps} runs (targets interleaved); JSON and server logs in $out"
echo
echo "Cached reads over stdio"
printf '%-26s | %-27s | %-27s | %8s | %-31s\n' "" "        1 in flight" "        32 in flight" "peak RSS" "  CPU us/answer (1 | 32 in flight)"
printf '%-26s | %9s %8s %8s | %9s %8s %8s | %8s | %7s %7s | %7s %7s\n' "server" "req/s" "p50 us" "p99 us" "req/s" "p50 us" "p99 us" "MiB" "server" "loadgen" "server" "loadgen"
printf -- '%s\n' '---------------------------+-----------------------------+-----------------------------+----------+-----------------+----------------'
for t in "${targets[@]}"; do
  rss=${V[$t.32.rss]}
  [[ "$rss" != "n/a" ]] && rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '%-26s | %9s %8s %8s | %9s %8s %8s | %8s | %7s %7s | %7s %7s\n' "${label[$t]}" \
    "$(num "${V[$t.1.rate]}" 0)" "$(num "${V[$t.1.p50]}" 1)" "$(num "${V[$t.1.p99]}" 1)" \
    "$(num "${V[$t.32.rate]}" 0)" "$(num "${V[$t.32.p50]}" 1)" "$(num "${V[$t.32.p99]}" 1)" \
    "$rss" "$(num "${V[$t.1.scpu]}" 1)" "$(num "${V[$t.1.lcpu]}" 1)" "$(num "${V[$t.32.scpu]}" 1)" "$(num "${V[$t.32.lcpu]}" 1)"
done
echo "(peak RSS at 32 in flight; runs that failed or counted nothing are left out of the medians:"
echo " takt ${V[takt.1.n]}+${V[takt.32.n]}, reference ${V[reference.1.n]}+${V[reference.32.n]}, responder ${V[floor.1.n]}+${V[floor.32.n]} of ${reps}+${reps} runs)"
echo
echo "Ratios"
echo "  takt req/s / reference req/s at 32 in flight:   $(ratio "${V[takt.32.rate]}" "${V[reference.32.rate]}")"
echo "  takt req/s / reference req/s at 1 in flight:    $(ratio "${V[takt.1.rate]}" "${V[reference.1.rate]}")"
echo "  takt p50 / responder p50 at 1 in flight:        $(ratio "${V[takt.1.p50]}" "${V[floor.1.p50]}")"
echo "  takt p50 / reference p50 at 1 in flight:        $(ratio "${V[takt.1.p50]}" "${V[reference.1.p50]}")"

j() {  # j FILE JQ-EXPR: a value from a scenario's JSON, or n/a
  if [[ -f "$out/json/$1" ]]; then jq -r "($2) // \"n/a\"" "$out/json/$1"; else echo "n/a"; fi
}
lat() {  # lat FILE STREAM: "p50 / p99 us"
  echo "$(num "$(j "$1" ".streams[] | select(.name == \"$2\") | .latency_us.p50")" 0) / $(num "$(j "$1" ".streams[] | select(.name == \"$2\") | .latency_us.p99")" 0) us"
}

echo
echo "takt scenarios (one run each, bench/configs/*.yaml; things-sim takes 200..800 ms per script)"
printf '%-27s %s\n' "latency-under-saturation" "p50 / p99, 1 in flight at 100/s each, ${scenario_seconds}s:"
printf '%-27s   %-14s idle: %-18s with 20 add_todo outstanding: %s\n' "" "queue_status" "$(lat lus-idle.json queue_status)" "$(lat lus-saturated.json queue_status)"
printf '%-27s   %-14s idle: %-18s with 20 add_todo outstanding: %s\n' "" "get_inbox" "$(lat lus-idle.json get_inbox)" "$(lat lus-saturated.json get_inbox)"
printf '%-27s   %s\n' "" "add_todo answered while measuring: $(j lus-saturated.json .figures.backlog_answered) ($(j lus-saturated.json .figures.backlog_errors) errors)"
wbr_applies=$(j wbr.json .figures.reads_in_slow_lane)
if [[ "$wbr_applies" == "true" ]]; then
  printf '%-27s %s\n' "write-behind-reads" "the write behind $(j wbr.json .figures.reads) reads was answered in $(num "$(j wbr.json .figures.write_ms)" 1) ms; $(j wbr.json .figures.scripts_before_write) scripts ran before it; $(j wbr.json .figures.reads_answered_before_write) reads were answered before it"
else
  printf '%-27s %s\n' "write-behind-reads" "skipped: reads do not reach takt's AppleScript lane yet (no key in config/takt.yaml routes them there);"
  printf '%-27s %s\n' "" "checked: all $(j wbr.json .figures.reads_answered_before_write) reads were answered from the database lane, $(j wbr.json .figures.scripts_before_write) scripts before the write (answered in $(num "$(j wbr.json .figures.write_ms)" 0) ms)"
fi
flood_rss=$(j flood.json .figures.peak_rss_kib)
[[ "$flood_rss" != "n/a" ]] && flood_rss=$(awk -v k="$flood_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')
printf '%-27s %s\n' "flood" "$(j flood.json '.streams[0].requests') cached get_inbox, $(j flood.json '.streams[0].rpc_errors + .streams[0].tool_errors') errors: $(num "$(j flood.json .figures.throughput)" 0) req/s, server peak RSS $flood_rss,"
printf '%-27s %s\n' "" "writer blocked $(num "$(j flood.json .figures.writer_blocked_seconds)" 2) s of $(num "$(j flood.json .wall_seconds)" 2) s (backpressure), most outstanding $(j flood.json .figures.max_outstanding)"
util=$(j utilisation.json .figures.utilisation)
if [[ "$util" != "n/a" && "$util" != "null" ]]; then
  printf '%-27s %s\n' "utilisation" "AppleScript lane busy $(awk -v u="$util" 'BEGIN { printf "%.1f", u * 100 }') % of $(num "$(j utilisation.json .figures.window_seconds)" 1) s with 20 add_todo outstanding"
else
  printf '%-27s %s\n' "utilisation" "skipped: takt exports no busy-seconds counter (takt_applescript_busy_seconds_total) yet;"
  share=$(j utilisation.json .figures.script_time_share)
  [[ "$share" != "n/a" ]] && share=$(awk -v u="$share" 'BEGIN { printf "%.1f %%", u * 100 }')
  printf '%-27s %s\n' "" "instead: finished scripts' time (takt_script_duration_seconds_sum) covered $share of $(num "$(j utilisation.json .figures.window_seconds)" 1) s, $(num "$(j utilisation.json .figures.scripts_per_second)" 2) scripts/s"
fi
on_rate=$(j batching-on.json ".streams[0].throughput")
off_rate=$(j batching-off.json ".streams[0].throughput")
printf '%-27s %s\n' "write throughput" "40 add_todo in flight, ${batch_seconds}s: batching on $(num "$on_rate" 2) writes/s, off $(num "$off_rate" 2) writes/s: $(ratio "$on_rate" "$off_rate")"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
