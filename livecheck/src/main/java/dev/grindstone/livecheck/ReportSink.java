package dev.grindstone.livecheck;

/**
 * Where {@link TestReport}s go: a log, the metrics server, a topic. {@link #accept} is called on
 * the test's thread after every outcome, so it must not block: hand the report off and return. A
 * sink that throws is logged and never affects the test or other sinks. Implementations are
 * thread-safe.
 */
public interface ReportSink extends AutoCloseable {
  void accept(TestReport report);

  /** Flushes what can be flushed and releases resources. */
  @Override
  default void close() {}
}
