#!/usr/bin/env bash
# Start spread of a distributed run (loopback only): a metrics server on 127.0.0.1 and 4 agent JVMs
# on this machine whose clocks are skewed by -5 s, 0, +3 s and +1.25 s (the test-only setting
# grindstone.agent.clockSkewMs), through DistributedRunTest's clock-skew test. Each run prints the
# spread between the agents' first calls, read on this machine's one clock from their data logs,
# and each agent's first call after the start time T.
# Usage: bench/start-spread.sh [runs=5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${1:-5}"
for i in $(seq 1 "$runs"); do
  ./mvnw -B -q -pl cli -am verify -DskipITs -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest='DistributedRunTest#agents_with_clocks_seconds_apart_start_together_by_the_server_clock' \
    >/dev/null 2>&1 || echo "run $i failed: see cli/target/surefire-reports"
  grep -ho "start spread.*ms;" cli/target/surefire-reports/TEST-dev.grindstone.cli.DistributedRunTest.xml \
    | sed "s/^/run $i ($(date -u +%H:%M), load $(cut -d' ' -f1 /proc/loadavg)): /"
  grep -ho "agent [0-9] ([^,]*, attempt [^)]*): The run's load started [0-9]* ms" \
    cli/target/surefire-reports/TEST-dev.grindstone.cli.DistributedRunTest.xml | sort -u || true
done
