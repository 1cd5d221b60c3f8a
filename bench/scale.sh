#!/usr/bin/env bash
# Many virtual users: bench/scale.sh [users=100000] [seconds=60] [heap=1g] [ramp-seconds=0]
# SCALE_GC=-XX:+UseG1GC (or -XX:+UseZGC alone) to compare with the launcher's collector settings.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests -pl bench -am package
java_bin="$(./grindstone --print-java 2>/dev/null || true)"
[ -n "$java_bin" ] || java_bin=java
exec "$java_bin" -Xmx"${3:-1g}" ${SCALE_GC:--XX:+UseZGC -XX:-ZProactive -XX:ZAllocationSpikeTolerance=1} -cp bench/target/benchmarks.jar dev.grindstone.bench.scale.ScaleBenchmark "${1:-100000}" "${2:-60}" "${4:-0}"
