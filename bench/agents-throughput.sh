#!/usr/bin/env bash
# Throughput of a distributed run against one process (loopback only): the demo's flow with the
# same peak users, run alternately by one process (`grindstone demo`) and by N local agent JVMs
# through a metrics server (`grindstone demo --agents N`), each against the demo service on
# 127.0.0.1. Prints each run's calls, calls per second over the run and p99, then the medians and
# the ratio distributed/one process.
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

declare -a one dist
for round in $(seq 1 "$rounds"); do
  for mode in one dist; do
    dir="$out/$mode-$round"
    if [ "$mode" = one ]; then
      ./grindstone demo --users "$users" --duration "$duration" --out "$dir" >"$dir.log" 2>&1
    else
      ./grindstone demo --agents "$agents" --users "$users" --duration "$duration" --out "$dir" \
        >"$dir.log" 2>&1
    fi
    read -r calls tps p99 < <(figures "$(ls -d "$dir"/*/ | head -1)")
    load="$(cut -d' ' -f1 /proc/loadavg)"
    printf 'round %d  %-16s calls %8d  calls/s %9.1f  p99 %8.3f ms  load %s\n' \
      "$round" "$([ "$mode" = one ] && echo "one process" || echo "$agents agents")" \
      "$calls" "$tps" "$p99" "$load"
    if [ "$mode" = one ]; then one+=("$tps"); else dist+=("$tps"); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m1="$(median "${one[@]}")"
m2="$(median "${dist[@]}")"
printf 'Medians of %d rounds: one process %s calls/s, %d agents %s calls/s; ratio %.2f\n' \
  "$rounds" "$m1" "$agents" "$m2" "$(echo "$m2 / $m1" | bc -l)"
