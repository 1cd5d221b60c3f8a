package dev.grindstone.engine.internal;

import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs one sink on its own thread with its own bounded queue. A sink that throws is reported once
 * and gets no more events; one that lags loses interval events (counted and reported once), never
 * the start or the finish; neither ever stops the run or the other sinks.
 */
final class SinkWorker {

  private static final int QUEUE = 256;

  private final Sink sink;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Thread thread;
  private final List<String> problems;
  private volatile boolean failed;
  private long droppedIntervals;

  SinkWorker(Sink sink, CopyOnWriteArrayList<String> problems) {
    this.sink = sink;
    this.problems = problems;
    this.thread = Thread.ofPlatform().daemon().name("grindstone-sink-" + sink.name()).unstarted(this::loop);
  }

  void start(RunInfo info) {
    thread.start();
    put(info);
  }

  void interval(IntervalSnapshot s) {
    if (failed) {
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
        problems.add(sink.name() + " did not finish within " + timeoutMillis + " ms; its output may be incomplete");
        thread.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
      if (failed) {
        if (event instanceof RunSummary) {
          return;
        }
        continue;
      }
      try {
        switch (event) {
          case RunInfo i -> sink.start(i);
          case IntervalSnapshot s -> sink.interval(s);
          case RunSummary s -> {
            sink.finish(s);
            return;
          }
          default -> throw new IllegalStateException("unknown event " + event);
        }
      } catch (Exception | Error e) {
        failed = true;
        problems.add(sink.name() + " failed and was stopped: " + e);
        if (event instanceof RunSummary) {
          return;
        }
      }
    }
  }
}
