#!/usr/bin/env bash
# The JUnit monitor's overhead per test: 2,000 trivial tests run in-process with and without it.
# Usage: bench/junit-overhead.sh [rounds]   (default 7, the first is warm-up); BENCH_OPTS: extra JVM options
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cp_file="$root/junit/target/bench-classpath.txt"
# One invocation: the modules junit depends on (stats, report-client) resolve to their classes folders.
./mvnw -B -q -pl junit -am test-compile dependency:build-classpath -DskipTests -Dmdep.outputFile="$cp_file" \
  -Dmdep.includeScope=test
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! "$java_bin" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  for d in /usr/lib/jvm/*; do
    if [ -x "$d/bin/java" ] && "$d/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
      java_bin="$d/bin/java"; break
    fi
  done
fi
exec "$java_bin" ${BENCH_OPTS:-} --enable-native-access=ALL-UNNAMED -cp "$root/junit/target/test-classes:$root/junit/target/classes:$(cat "$cp_file")" \
  dev.grindstone.junit.bench.OverheadBench "${1:-7}"
