package dev.grindstone.engine.spi;

import dev.grindstone.engine.sink.RunInfo;

/**
 * Receives the record of every call of a run (gradual's "adapter"): a database table, a log, a
 * message bus. Add one to a run with {@link dev.grindstone.engine.Run#listener}; a {@link
 * dev.grindstone.engine.Test#listeners test} can name the listeners that take its calls' records,
 * otherwise every listener takes every call's.
 *
 * <p>Records travel off the virtual users' threads, through the run's bounded data-log queue: a
 * virtual user never waits for a listener, and when the queue is full a call's record is dropped
 * and counted (the summary says how many). The run calls the methods of its listeners one at a time
 * (never two at once, so a listener needs no locks), in order: {@link #start}, {@link #accept} for
 * each call in the order the calls were reported, {@link #flush} whenever the queue is empty for
 * now, and {@link #finish} once every call's record was given. A listener slower than the calls it
 * receives fills the queue, and records are dropped.
 *
 * <p>A listener that throws is given the next records as before; after {@code
 * maxConsecutiveFailures} failures in a row (the run's sink retry setting) it is stopped. Either
 * way the summary says so. A record whose {@code accept} threw is not given again.
 */
public interface CallListener {

  /** How the run's notes and a test's {@link dev.grindstone.engine.Test#listeners} name it. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** Once, before the first record, on the thread that then gives the records (not the run's). */
  default void start(RunInfo run) throws Exception {}

  /** One call's record. */
  void accept(CallRecord record) throws Exception;

  /** Every record so far was given: a listener that batches writes its batch now. */
  default void flush() throws Exception {}

  /** Once, after the last record (and its {@link #flush}): release what the listener holds. */
  default void finish() throws Exception {}
}
