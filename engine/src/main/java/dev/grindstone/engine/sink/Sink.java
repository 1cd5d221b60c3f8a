package dev.grindstone.engine.sink;

/**
 * Where a run's results go (gradual's "adapter"): the console, files, the metrics server, a
 * database. Each sink gets its own thread and bounded queue: a slow or failing sink is reported
 * once and never stops the run or the other sinks. Calls come in order from that one thread:
 * {@link #start}, any number of {@link #interval}, then {@link #finish}.
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
