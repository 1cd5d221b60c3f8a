package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.SinkRetry;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.OutputHealth;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs one sink on its own thread with its own bounded queue. An event the sink throws on is given
 * again after a backoff (doubling, bounded), while later events wait in the queue; the sink is
 * stopped only after the policy's failures in a row. One that lags loses interval events (counted
 * and reported), never the start or the finish. Neither ever stops the run or the other sinks. The
 * run's notes keep one line per failing sink, up to date: how often it failed, and whether it
 * recovered or was stopped.
 */
final class SinkWorker {

  private static final int QUEUE = 256;

  private final Sink sink;
  private final SinkRetry policy;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Thread thread;
  private final CopyOnWriteArrayList<String> problems;
  private volatile boolean stopped;
  private long droppedIntervals; // the collector's thread
  // written by the sink's thread alone; read by the run's for the summary
  private volatile long delivered;
  private volatile long failures;
  private volatile long lost;
  private int inARow;
  private volatile String lastFailure;
  private String note; // this sink's line in the notes

  SinkWorker(Sink sink, CopyOnWriteArrayList<String> problems, SinkRetry policy) {
    this.sink = sink;
    this.problems = problems;
    this.policy = policy;
    this.thread =
        Thread.ofPlatform().daemon().name("grindstone-sink-" + sink.name()).unstarted(this::loop);
  }

  void start(RunInfo info) {
    thread.start();
    put(info);
  }

  void interval(IntervalSnapshot s) {
    if (stopped) {
      droppedIntervals++;
      return;
    }
    if (!queue.offer(s)) {
      if (droppedIntervals++ == 0) {
        problems.add(sink.name() + " could not keep up; it missed some interval snapshots");
      }
    }
  }

  /** Hands over the summary and waits up to {@code timeoutMillis} for the sink to finish. */
  void finish(RunSummary summary, long timeoutMillis) {
    put(summary);
    try {
      thread.join(timeoutMillis);
      if (thread.isAlive()) {
        problems.add(
            sink.name()
                + " did not finish within "
                + timeoutMillis
                + " ms; its output may be incomplete");
        thread.interrupt();
        thread.join(1_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How the sink fared so far; all of it once {@link #finish} returned. */
  OutputHealth health() {
    return new OutputHealth(
        OutputHealth.Kind.SINK,
        sink.name(),
        delivered,
        failures,
        lost + droppedIntervals,
        stopped,
        lastFailure);
  }

  private void put(Object event) {
    try {
      if (!queue.offer(event, 30, TimeUnit.SECONDS)) {
        problems.add(sink.name() + " is stuck; it missed " + event.getClass().getSimpleName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    while (true) {
      Object event;
      try {
        event = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (stopped) {
        lost++;
      } else if (!deliver(event)) {
        return; // interrupted in a backoff: the run gave up waiting for this sink
      }
      if (event instanceof RunSummary) {
        return;
      }
    }
  }

  /**
   * Gives the event to the sink until it takes it or has failed too often in a row; false when
   * interrupted while waiting to retry.
   */
  private boolean deliver(Object event) {
    while (true) {
      try {
        switch (event) {
          case RunInfo i -> sink.start(i);
          case IntervalSnapshot s -> sink.interval(s);
          case RunSummary s -> sink.finish(s);
          default -> throw new IllegalStateException("unknown event " + event);
        }
        delivered++;
        inARow = 0;
        return true;
      } catch (Exception | Error e) {
        failures++;
        inARow++;
        lastFailure = e.toString();
        if (inARow >= policy.maxConsecutiveFailures()) {
          stopped = true;
          lost++;
          note(
              sink.name()
                  + " was stopped after "
                  + inARow
                  + " failures in a row ("
                  + failures
                  + " in all; last: "
                  + lastFailure
                  + ").");
          return true;
        }
        note(
            sink.name()
                + " failed "
                + CallListeners.times(failures)
                + " and was retried after a backoff"
                + " (last failure: "
                + lastFailure
                + ").");
        try {
          Thread.sleep(policy.backoff(inARow));
        } catch (InterruptedException interrupted) {
          lost++;
          return false;
        }
      }
    }
  }

  /** Sets this sink's line in the run's notes. */
  private void note(String text) {
    int i = note == null ? -1 : problems.indexOf(note); // nothing removes notes, so it stays found
    if (i < 0) {
      problems.add(text);
    } else {
      problems.set(i, text);
    }
    note = text;
  }
}
