#!/usr/bin/env bash
# Throughput of a distributed run against one process (loopback only): the demo's flow with the
# same peak users, run alternately by one process (`grindstone demo`) and by N local agent JVMs
# through a metrics server (`grindstone demo --agents N`), each against the demo service on
# 127.0.0.1. Prints each run's calls, calls per second over the run, p99 and the CPU-seconds of
# every process it ran (the demo service, the server and the agents included: the agents are
# children the controller waits for, so the shell's timing counts them), then the medians and the
# ratios distributed/one process.
# Usage: bench/agents-throughput.sh [agents=2] [users=200] [duration=30s] [rounds=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
agents="${1:-2}"
users="${2:-200}"
duration="${3:-30s}"
rounds="${4:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

figures() { # results folder -> "calls tps p99"
  python3 - "$1/results.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
print(t["tests"] + t["errors"], round(t["tps"], 1), t["p99"])
PY
}

declare -a one dist one_cpu dist_cpu
TIMEFORMAT='%U %S'
for round in $(seq 1 "$rounds"); do
  for mode in one dist; do
    dir="$out/$mode-$round"
    if [ "$mode" = one ]; then
      { time ./grindstone demo --users "$users" --duration "$duration" --out "$dir" \
        >"$dir.log" 2>&1; } 2>"$dir.cpu"
    else
      { time ./grindstone demo --agents "$agents" --users "$users" --duration "$duration" \
        --out "$dir" >"$dir.log" 2>&1; } 2>"$dir.cpu"
    fi
    read -r calls tps p99 < <(figures "$(ls -d "$dir"/*/ | head -1)")
    cpu="$(awk '{printf "%.1f", $1 + $2}' "$dir.cpu")"
    load="$(cut -d' ' -f1 /proc/loadavg)"
    printf 'round %d  %-16s calls %8d  calls/s %9.1f  p99 %8.3f ms  CPU %6.1f s  calls/CPU-s %7.1f  load %s\n' \
      "$round" "$([ "$mode" = one ] && echo "one process" || echo "$agents agents")" \
      "$calls" "$tps" "$p99" "$cpu" "$(echo "$calls / $cpu" | bc -l)" "$load"
    if [ "$mode" = one ]; then
      one+=("$tps"); one_cpu+=("$(echo "$calls / $cpu" | bc -l)")
    else
      dist+=("$tps"); dist_cpu+=("$(echo "$calls / $cpu" | bc -l)")
    fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m1="$(median "${one[@]}")"
m2="$(median "${dist[@]}")"
printf 'Medians of %d rounds: one process %s calls/s, %d agents %s calls/s; ratio %.2f\n' \
  "$rounds" "$m1" "$agents" "$m2" "$(echo "$m2 / $m1" | bc -l)"
c1="$(median "${one_cpu[@]}")"
c2="$(median "${dist_cpu[@]}")"
printf 'Calls per CPU-second: one process %.1f, %d agents %.1f; ratio %.2f\n' \
  "$c1" "$agents" "$c2" "$(echo "$c2 / $c1" | bc -l)"
