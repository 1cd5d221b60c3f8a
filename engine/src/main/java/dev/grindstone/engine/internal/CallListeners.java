package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.SinkRetry;
import dev.grindstone.engine.sink.OutputHealth;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.spi.CallListener;
import dev.grindstone.engine.spi.CallRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns data-log rows into {@link CallRecord}s and gives each to the listeners its call routes it
 * to. Used by the data-log ring's one consumer thread only. A listener that throws gets the next
 * records; after the policy's failures in a row it is stopped, and what it missed is counted.
 */
final class CallListeners {

  /** The shortest time between two {@link CallListener#flush} calls while the ring is empty. */
  private static final long FLUSH_NANOS = 100_000_000;

  private final List<State> listeners = new ArrayList<>();
  private final Recording recording;
  private final List<String> phases;
  private final SinkRetry policy;
  private final Map<Integer, String> testNames = new HashMap<>();
  private final RunInfo info;
  private final String run;
  private int live; // one bit per listener not stopped
  private long lastFlush = System.nanoTime();
  private boolean unflushed;

  private static final class State {
    final CallListener listener;
    long delivered;
    long failures;
    long lost;
    int inARow;
    boolean stopped;
    boolean notStarted;
    String lastFailure;

    State(CallListener listener) {
      this.listener = listener;
    }
  }

  /**
   * @param listeners by index, as the recording's {@link Recording#listenerNames()}
   * @param phases the phases' names, by index
   */
  CallListeners(
      List<CallListener> listeners,
      RunInfo info,
      Recording recording,
      List<String> phases,
      SinkRetry policy) {
    this.info = info;
    this.run = info.id();
    for (CallListener l : listeners) {
      this.listeners.add(new State(l));
    }
    this.recording = recording;
    this.phases = List.copyOf(phases);
    this.policy = policy;
    this.live = (int) ((1L << listeners.size()) - 1);
  }

  /** Starts every listener, on the thread that then gives them the records. */
  void start() {
    for (int i = 0; i < listeners.size(); i++) {
      State s = listeners.get(i);
      try {
        s.listener.start(info);
      } catch (Exception | Error e) {
        // A listener that cannot start takes nothing: every record of the run would fail in it.
        s.failures++;
        s.stopped = true;
        s.notStarted = true;
        s.lastFailure = e.toString();
        live &= ~(1 << i);
      }
    }
  }

  void accept(DataLogRing.Row row) {
    int to = row.listeners;
    if (to == 0) {
      return;
    }
    CallRecord record = null;
    for (int i = 0, n = listeners.size(); i < n; i++) {
      if ((to & 1 << i) == 0) {
        continue;
      }
      State s = listeners.get(i);
      if ((live & 1 << i) == 0) {
        s.lost++;
        continue;
      }
      if (record == null) {
        record = record(row);
      }
      try {
        s.listener.accept(record);
        s.delivered++;
        s.inARow = 0;
      } catch (Exception | Error e) {
        s.lost++; // never given again
        failed(i, s, e);
      }
    }
    unflushed = true;
  }

  /** Counts a failure; the policy's failures in a row stop the listener. */
  private void failed(int i, State s, Throwable e) {
    s.failures++;
    s.inARow++;
    s.lastFailure = e.toString();
    if (s.inARow >= policy.maxConsecutiveFailures()) {
      s.stopped = true;
      live &= ~(1 << i);
    }
  }

  /** The ring is empty for now: listeners flush, at most every 100 ms. */
  void idle() {
    long now = System.nanoTime();
    if (unflushed && now - lastFlush >= FLUSH_NANOS) {
      flush();
      lastFlush = now;
    }
  }

  private void flush() {
    unflushed = false;
    eachLive(CallListener::flush);
  }

  /** After the last record: flushes and finishes every listener not stopped. */
  void finish() {
    flush();
    eachLive(CallListener::finish);
  }

  private interface Step {
    void on(CallListener listener) throws Exception;
  }

  /** Runs {@code step} on every listener not stopped; a failure counts as any other. */
  private void eachLive(Step step) {
    for (int i = 0; i < listeners.size(); i++) {
      State s = listeners.get(i);
      if ((live & 1 << i) == 0) {
        continue;
      }
      try {
        step.on(s.listener);
        s.inARow = 0;
      } catch (Exception | Error e) {
        failed(i, s, e);
      }
    }
  }

  private CallRecord record(DataLogRing.Row row) {
    long start =
        recording.startEpochMillis() * 1_000_000L + (row.startNanos - recording.startNanos());
    CallRecord.Outcome outcome =
        row.cancelled
            ? CallRecord.Outcome.CANCELLED
            : row.failed ? CallRecord.Outcome.ERROR : CallRecord.Outcome.SUCCESS;
    long elapsed = row.cancelled ? 0 : row.elapsedNanos;
    CallRecord.Request request =
        row.method == null
            ? null
            : new CallRecord.Request(row.method, withoutQuery(row.url), row.status, row.bytes);
    String testName = testNames.get(row.test);
    if (testName == null) {
      testName = recording.testDescription(row.test);
      testNames.put(row.test, testName);
    }
    List<String> scenarios = recording.scenarioNames();
    return new CallRecord(
        run,
        row.phase >= 0 && row.phase < phases.size() ? phases.get(row.phase) : "",
        row.scenario >= 0 && row.scenario < scenarios.size() ? scenarios.get(row.scenario) : "",
        row.thread,
        row.run,
        row.test,
        testName,
        start,
        row.cancelled ? 0 : start + elapsed,
        elapsed,
        outcome,
        request);
  }

  /** The URL up to its query or fragment: what a record shows, so that no query value is stored. */
  static String withoutQuery(String url) {
    int q = url.indexOf('?');
    int f = url.indexOf('#');
    int end = q < 0 ? f : f < 0 ? q : Math.min(q, f);
    return end < 0 ? url : url.substring(0, end);
  }

  /** How each listener fared, in index order. */
  List<OutputHealth> health() {
    List<OutputHealth> out = new ArrayList<>();
    for (State s : listeners) {
      out.add(
          new OutputHealth(
              OutputHealth.Kind.CALL_LISTENER,
              s.listener.name(),
              s.delivered,
              s.failures,
              s.lost,
              s.stopped,
              s.lastFailure));
    }
    return out;
  }

  /** A note for each listener that failed: whether it recovered or was stopped. */
  List<String> notes() {
    List<String> notes = new ArrayList<>();
    for (State s : listeners) {
      if (s.failures == 0) {
        continue;
      }
      String name = "The call listener " + s.listener.name();
      if (s.notStarted) {
        notes.add(
            name
                + " could not start ("
                + s.lastFailure
                + "), so it took none of the "
                + s.lost
                + " records meant for it.");
      } else if (s.stopped) {
        notes.add(
            name
                + " was stopped after "
                + policy.maxConsecutiveFailures()
                + " failures in a row ("
                + s.failures
                + " in all; last: "
                + s.lastFailure
                + "); it took "
                + s.delivered
                + " records and missed "
                + s.lost
                + ".");
      } else {
        notes.add(
            name
                + " failed "
                + times(s.failures)
                + " and went on (last: "
                + s.lastFailure
                + "); it took "
                + s.delivered
                + " records and missed "
                + s.lost
                + ".");
      }
    }
    return notes;
  }

  static String times(long n) {
    return n == 1 ? "once" : n + " times";
  }
}
