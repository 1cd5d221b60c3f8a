package dev.grindstone.livecheck;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where {@link TestReport}s go: a log, the metrics server, a topic. {@link #accept} is called on
 * the test's thread after every outcome, so it must not block: hand the report off and return. A
 * sink that throws is logged and never affects the test or other sinks. Implementations are
 * thread-safe.
 */
public interface ReportSink extends AutoCloseable {
  void accept(TestReport report);

  /**
   * Accepts {@code report} and tells when this sink holds it safely: a sink that hands reports to a
   * broker completes the stage when the broker acknowledged them. A transport that acknowledges
   * test executions (the Kafka transport commits offsets) waits for every sink's stage. The default
   * accepts and completes at once. Must not block.
   */
  default CompletionStage<Void> deliver(TestReport report) {
    accept(report);
    return CompletableFuture.completedFuture(null);
  }

  /** Flushes what can be flushed and releases resources. */
  @Override
  default void close() {}
}
