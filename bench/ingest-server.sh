#!/usr/bin/env bash
# Ingest and query benchmark of the metrics server (loopback only):
#   POST /metrics/ from 32 keep-alive connections, SQLite and PostgreSQL, then the latency of a
#   session's metrics page with 1 million rows stored.
# Usage: bench/ingest-server.sh [sqlite|postgresql|both] [connections] [seconds] [rows]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stores="${1:-both}"; connections="${2:-32}"; seconds="${3:-20}"; rows="${4:-1000000}"

java_version() {
  local line
  line=$("$1" -version 2>&1 | grep -m1 -E 'version "' || true)
  line=${line#*version \"}; line=${line%%\"*}; line=${line%%[.+-]*}
  echo "${line:-0}"
}
java=""
for candidate in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
  if [ -x "$candidate" ] && [ "$(java_version "$candidate")" -ge 21 ] 2>/dev/null; then java="$candidate"; break; fi
done
[ -n "$java" ] || { echo "ingest-server.sh: needs a JDK 21 or newer (set JAVA_HOME)" >&2; exit 3; }

./mvnw -B -q -pl server -am test-compile
./mvnw -B -q -pl server dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$root/server/target/bench-classpath.txt" >/dev/null
cp="server/target/classes:server/target/test-classes:$(cat server/target/bench-classpath.txt)"
case "$stores" in both) list="sqlite postgresql" ;; *) list="$stores" ;; esac
for store in $list; do
  "$java" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$cp" dev.grindstone.server.bench.IngestBench \
    "$store" "$connections" "$seconds" "$rows"
done
