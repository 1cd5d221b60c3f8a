package dev.grindstone.engine.sink;

/**
 * Where a run's results go (gradual's "adapter"): the console, files, the metrics server, a
 * database. Each sink gets its own thread and bounded queue, and never stops the run or the other
 * sinks: a slow one misses interval snapshots (counted and reported); a method that throws is
 * called again with the same event after a bounded backoff, while later events wait, and the sink
 * is stopped only after the run's {@link dev.grindstone.engine.run.SinkRetry} failures in a row
 * (the summary reports both). Calls come in order from that one thread: {@link #start}, any number
 * of {@link #interval}, then {@link #finish}. For every call's record, see {@link
 * dev.grindstone.engine.spi.CallListener}.
 */
public interface Sink {

  default void start(RunInfo run) throws Exception {}

  default void interval(IntervalSnapshot interval) throws Exception {}

  default void finish(RunSummary summary) throws Exception {}

  /** A short name for messages. */
  default String name() {
    return getClass().getSimpleName();
  }
}
