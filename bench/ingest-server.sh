#!/usr/bin/env bash
# Ingest and query benchmark of the metrics server (loopback only):
#   POST /metrics/ from 32 keep-alive connections, SQLite and PostgreSQL, then the latency of a
#   session's metrics page with 1 million rows stored.
# Usage: bench/ingest-server.sh [sqlite|postgresql|both] [connections] [seconds] [rows]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stores="${1:-both}"; connections="${2:-32}"; seconds="${3:-20}"; rows="${4:-1000000}"

. "$root/bench/java.sh"

# One invocation with -am: the reactor's own modules resolve from their target folders.
./mvnw -B -q -pl server -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/server/target/bench-classpath.txt" >/dev/null
cp="server/target/classes:server/target/test-classes:$(cat server/target/bench-classpath.txt)"
case "$stores" in both) list="sqlite postgresql" ;; *) list="$stores" ;; esac
for store in $list; do
  "$java" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$cp" dev.grindstone.server.bench.IngestBench \
    "$store" "$connections" "$seconds" "$rows"
done
