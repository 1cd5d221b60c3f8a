#!/usr/bin/env bash
# LiveCheck over Kafka: signal latency across replicas, and executions per second through one broker.
# Usage: bench/livecheck-kafka.sh [latency-samples=2000] [rates=1000,2000,3000] [seconds=20]
# Starts a single-node broker (kafka.Kafka, -Xmx256m) in a child JVM from the jars the build copies
# to cli/target/kafka-broker/, and three replicas of one LiveCheck app in the benchmark's JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests -pl bench,cli -am package
java_bin="$(./grindstone --print-java 2>/dev/null || true)"
[ -n "$java_bin" ] || java_bin=java
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
exec "$java_bin" -Xmx512m -cp bench/target/benchmarks.jar \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  dev.grindstone.bench.livecheck.KafkaLiveCheckBench \
  "cli/target/kafka-broker/*:cli/target/grindstone.jar" "${1:-2000}" "${2:-1000,2000,3000}" "${3:-20}"
