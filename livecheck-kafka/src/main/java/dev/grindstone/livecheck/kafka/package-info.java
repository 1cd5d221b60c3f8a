/**
 * LiveCheck across the replicas of a service, over Kafka: {@link
 * dev.grindstone.livecheck.kafka.KafkaTransport} (test executions shared by a consumer group,
 * signals broadcast to every replica, a leader elected through a one-partition topic), {@link
 * dev.grindstone.livecheck.kafka.KafkaReportSink} and {@link
 * dev.grindstone.livecheck.kafka.KafkaReportReader} for the report topic, and {@link
 * dev.grindstone.livecheck.kafka.LiveCheckProducerInterceptor} with {@link
 * dev.grindstone.livecheck.kafka.LiveCheckRecords} to carry a test across a Kafka hop.
 *
 * <h2>Cost model</h2>
 *
 * Each joined app instance runs three consumers, each on a platform thread of its own (tests, bus,
 * leader), beside the transport's one producer. Every replica reads every signal: per signal, one
 * JSON decode on each replica, and on the replicas that do not run its test one kept event until a
 * test claims it, {@code signalRetention} passes or the cap of kept events drops it (oldest first).
 * A test costs three records (execution, signal, report), each JSON with the LiveCheck headers.
 * Figures in BENCHMARKS.md.
 */
package dev.grindstone.livecheck.kafka;
