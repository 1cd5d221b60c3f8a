#!/usr/bin/env bash
# Reads of a one-hour run from the metrics server (loopback only): 3,600 one-second snapshots of
# 2 tests with small histograms are posted, then GET /api/v1/runs/<id> and /series are timed
# (medians of --reads warm reads, 15 by default; and the first read after a restart on the same store).
#
# With --against REV the same benchmark also runs against the server of git revision REV (exported
# and compiled in a temporary folder); the two alternate for --rounds rounds, and the medians of
# the rounds are printed side by side with their ratio.
#
# Usage: bench/run-reads.sh [--store sqlite|postgresql] [--snapshots N] [--reads N] [--against REV] [--rounds N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
store=sqlite; snapshots=3600; reads=15; against=""; rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store=$2; shift 2 ;;
    --snapshots) snapshots=$2; shift 2 ;;
    --reads) reads=$2; shift 2 ;;
    --against) against=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "run-reads: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

. "$root/bench/java.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./mvnw -B -q -pl server -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/classpath.txt" >/dev/null
deps="$(cat "$work/classpath.txt")"
# Copies, so a build in this tree while the benchmark runs cannot change what it measures.
cp -r server/target/classes "$work/classes"
cp -r server/target/test-classes "$work/test-classes"
now="$work/classes:$work/test-classes:$deps"
if [ -n "$against" ]; then
  mkdir -p "$work/before"
  git archive "$against" | tar -x -C "$work/before"
  (cd "$work/before" && ./mvnw -B -q -pl server -am compile >/dev/null)
  before="$work/before/server/target/classes:$work/test-classes:$deps"
fi

run() { # label classpath
  "$java" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$2" dev.grindstone.server.bench.RunReadBench "$store" "$snapshots" "$reads" \
    2>/dev/null | sed "s/^/$1 /" | tee -a "$work/results.txt"
}
for round in $(seq 1 "$rounds"); do
  echo "round $round" >&2
  [ -n "$against" ] && run before "$before"
  run after "$now"
done

echo
echo "store=$store snapshots=$snapshots reads=$reads rounds=$rounds; medians of the rounds"
awk '{ split($2, kv, "="); v[$1 SUBSEP kv[1]] = v[$1 SUBSEP kv[1]] " " kv[2]; keys[kv[1]] = 1 }
function median(list,   a, n, i, j, t) {
  n = split(list, a, " "); if (n == 0) return "";
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return a[int((n + 1) / 2)]
}
END {
  printf "%-18s %12s %12s %10s\n", "figure", "before", "after", "ratio"
  for (k in keys) {
    b = median(v["before" SUBSEP k]); a = median(v["after" SUBSEP k])
    printf "%-18s %12s %12s %10s\n", k, b, a, (b != "" && a + 0 > 0) ? sprintf("%.1fx", b / a) : ""
  }
}' "$work/results.txt" | sort
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
