#!/usr/bin/env bash
# Builds bench/target/benchmarks.jar and runs the statistics benchmarks with JMH's GC profiler
# (short settings: one fork, 3 warm-up and 5 measured iterations of 1 s), then prints a table of
# time per operation and bytes allocated per operation.
# Usage: bench/run-jmh.sh [JMH REGEX] [more JMH options]   (default: every dev.grindstone.bench.stats benchmark)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
if [ -z "$java" ] || ! "$java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  java=""
  for d in /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
    if [ -x "$d/bin/java" ] && "$d/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
      java="$d/bin/java"
    fi
  done
fi
[ -n "$java" ] || { echo "run-jmh.sh: needs a JDK 21 or newer (set JAVA_HOME)" >&2; exit 3; }

./mvnw -q -B -DskipTests -pl bench -am package >&2

pattern="${1:-dev.grindstone.bench.stats}"
shift || true
out="bench/target/jmh-result.json"
"$java" -jar bench/target/benchmarks.jar "$pattern" \
  -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc -rf json -rff "$out" "$@" >&2

echo
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1);" \
  "$("$java" -version 2>&1 | head -1)"
# A table from JMH's JSON result: score ± error (ns/op) and gc.alloc.rate.norm (B/op).
"$java" -cp bench/target/benchmarks.jar dev.grindstone.bench.JmhTable "$out"
