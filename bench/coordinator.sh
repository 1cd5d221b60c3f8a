#!/usr/bin/env bash
# The coordinator's cost (loopback only): simulated agents of one distributed run, each posting
# one snapshot of T tests and one poll a second, and a controller reading the run every 250 ms,
# against a metrics server on SQLite in the same JVM. Prints the server's CPU share of one core
# and the snapshot latency.
# Usage: bench/coordinator.sh [agents=100] [tests=20] [seconds=30] [full|snapshots|healthz] [warmup=5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

. "$root/bench/java.sh"

./mvnw -B -q -pl server -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/server/target/bench-classpath.txt" >/dev/null
cp="server/target/classes:server/target/test-classes:$(cat server/target/bench-classpath.txt)"
"$java" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$cp" dev.grindstone.server.bench.CoordinatorBench "$@"
