#!/usr/bin/env bash
# How many WebSocket messages one process can echo: Grindstone's client and Gatling side by side on loopback,
# against the demo service's /ws/echo, with the same number of WebSockets (one per virtual user, each sending
# a short text and waiting for its echo before the next) and the same measured duration.
#
# Usage: bench/compare-websocket.sh [--duration SECONDS] [--warmup SECONDS] [--users N] [--rounds N]
#                                   [--server-threads N] [--skip-gatling]
#
# Grindstone runs --rounds times (default 3), Gatling once after them (it takes a minute to start). Prints each
# run's echoes per second and echoes per generator CPU-second, the medians, and the ratios Grindstone/Gatling.
# CPU time: Grindstone's JVM from /proc/self/stat over the measured window after --warmup seconds; Gatling's
# Maven process and its descendants, sampled at its console reports (see compare-lib.sh). The echo server
# (the demo service, --server-threads event loops, default 1) shares the machine's CPUs with the generator.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration=20
warmup=10
users=50
rounds=3
server_threads=1
skip_gatling=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --server-threads) server_threads=$2; shift 2 ;;
    --skip-gatling) skip_gatling=1; shift ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "compare-websocket: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$duration" "$warmup" "$users" "$rounds" "$server_threads"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "compare-websocket: '$v' must be a whole number" >&2; exit 2; }
done

. "$root/bench/compare-lib.sh"
find_java
build_benchmarks
start_demo "$server_threads"
url="ws://${demo_url#http://}/ws/echo"
echo "Target: the demo service's /ws/echo ($server_threads event loop(s)) at $url; $users WebSockets, ${duration}s measured after ${warmup}s of warm-up"

gs_rps_all=(); gs_pc_all=(); gs_err_all=(); gs_lat_all=(); server_cpu_all=()
for round in $(seq 1 "$rounds"); do
  echo "Round $round of $rounds: Grindstone ..."
  s0=$(tree_cpu_ticks "$demo_pid")
  "$java" $netty_opts -cp "$jar" dev.grindstone.bench.http.WebSocketLoad "$url" "$users" "$duration" "$warmup" >"$tmp/gs.out" 2>&1
  s1=$(tree_cpu_ticks "$demo_pid")
  res=$(grep '^RESULT' "$tmp/gs.out") || { cat "$tmp/gs.out"; exit 1; }
  kv() { echo "$res" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
  gs_rps_all+=("$(kv rps)"); gs_pc_all+=("$(per_cpu "$(kv requests)" "$(kv cpuSeconds)")")
  gs_err_all+=("$(kv errors)"); gs_lat_all+=("$(echo "$res" | tr ' ' '\n' | grep -E '^p(50|99)us|^allocBytesPer' | tr '\n' ' ')")
  server_cpu_all+=("$(awk -v a="$s0" -v b="$s1" -v t="$clk_tck" 'BEGIN { printf "%.1f", (b - a) / t }')")
  echo "  Grindstone $(kv rps) echoes/s (${gs_pc_all[-1]} per CPU-s), ${gs_lat_all[-1]}; load average $(cut -d' ' -f1 /proc/loadavg)"
done

g_rps=""; g_cpu=""; g_req=""
if [ $skip_gatling -eq 0 ]; then
  echo "Running Gatling (Maven resolves and compiles it first) ..."
  run_gatling dev.grindstone.bench.gatling.EchoSimulation "$url" "$users" "$duration" "$warmup"
fi

g_pc=$( [ -n "$g_req" ] && per_cpu "$g_req" "$g_cpu" || echo "-")
echo
machine
printf '%-8s %-12s %12s %18s %10s %16s\n' round generator "echoes/s" "echoes/CPU-s" "errors" "server CPU-s"
for i in $(seq 0 $((rounds - 1))); do
  printf '%-8s %-12s %12.0f %18s %10s %16s   %s\n' $((i + 1)) Grindstone "${gs_rps_all[$i]}" "${gs_pc_all[$i]}" \
    "${gs_err_all[$i]}" "${server_cpu_all[$i]}" "${gs_lat_all[$i]}"
done
if [ -n "$g_req" ]; then
  printf '%-8s %-12s %12.0f %18s %10s\n' 1 Gatling "$g_rps" "$g_pc" "-"
else
  printf '%-8s %-12s %12s\n' - Gatling "not run"
fi
gs_rps_med=$(median "${gs_rps_all[@]}"); gs_pc_med=$(median "${gs_pc_all[@]}")
echo
printf 'Medians of %d rounds: Grindstone %s echoes/s (%s per CPU-s)\n' "$rounds" "$gs_rps_med" "$gs_pc_med"
echo "Grindstone/Gatling: echoes/s $(ratio "$gs_rps_med" "$g_rps"), echoes per CPU-second $(ratio "$gs_pc_med" "$g_pc")"
