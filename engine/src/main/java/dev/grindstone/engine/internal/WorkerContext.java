package dev.grindstone.engine.internal;

import dev.grindstone.engine.InvalidContextException;
import dev.grindstone.engine.Statistics.StatisticsForTest;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.spi.PluginStatistic;
import dev.grindstone.engine.spi.TestStatistics;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One virtual user's test state: the tests in progress (a stack, for nested tests), the last
 * completed test and whether its report is held back. Used only by its own thread.
 *
 * <p>IMPLEMENTATION NOTES. A call of a test allocates nothing: frames and their statistics sets are
 * preallocated and reused, reports copy values into the recorder's striped accumulators and the
 * data-log ring. The Grinder's rules are kept exactly: a report held back by {@code
 * setDelayReports(true)} is sent when the next test starts (even a nested one), when an enclosing
 * test ends, when the iteration ends, on {@code report()}, or on {@code setDelayReports(false)}.
 */
public final class WorkerContext {

  private static final ThreadLocal<WorkerContext> CURRENT = new ThreadLocal<>();

  private final Recording recording;
  private final StatisticsSchema schema;
  private final SampleIndex timed;
  private final LongIndex errors;
  private final int userNumber;
  private final int scenario;
  private long runNumber;
  private int phaseIndex;

  private Frame[] frames = new Frame[1]; // grows for nested tests; most users never nest
  private int depth;

  private final StatisticsSet last;
  private final Frame lastView = new Frame(null); // view over `last`
  private TestRecorder lastRecorder;
  private Test lastTest;
  private long lastStartNanos;
  private long lastElapsedNanos;
  private boolean lastComposite;
  private String lastMethod; // the last call's request, for call listeners; null when it told none
  private String lastUrl;
  private int lastStatus;
  private long lastBytes;
  private boolean hasLast;
  private boolean pending;

  private boolean delayReports;
  private boolean staged;
  private long expectedIntervalMicros;
  private long intendedStartNanos;

  public WorkerContext(Recording recording, int userNumber) {
    this(recording, userNumber, 0);
  }

  /**
   * @param scenario the index of the user's scenario in the recording: its calls go to its table
   */
  public WorkerContext(Recording recording, int userNumber, int scenario) {
    this.recording = recording;
    this.scenario = scenario;
    this.schema = recording.schema();
    this.timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
    this.errors = schema.longIndex(StatisticsSchema.ERRORS);
    this.userNumber = userNumber;
    this.last = new StatisticsSet(schema);
    for (int i = 0; i < frames.length; i++) {
      frames[i] = new Frame(new StatisticsSet(schema));
    }
  }

  /** Binds this context to the calling thread (a virtual user's). */
  public void attach() {
    CURRENT.set(this);
  }

  public void detach() {
    CURRENT.remove();
  }

  /**
   * Binds this context to the calling thread for a stage of a staged iteration, which may run on a
   * thread that serves other users' stages too (an event loop).
   *
   * @return the context the thread had, for {@link #restore}; null when it had none
   */
  WorkerContext enterStage() {
    WorkerContext outer = CURRENT.get();
    if (outer != this) {
      CURRENT.set(this);
    }
    return outer;
  }

  /** Gives the calling thread back the context it had before {@link #enterStage}. */
  void restore(WorkerContext outer) {
    if (outer == null) {
      CURRENT.remove();
    } else if (outer != this) {
      CURRENT.set(outer);
    }
  }

  /** The calling thread's context, or null off a virtual user. */
  public static WorkerContext current() {
    return CURRENT.get();
  }

  /** The calling thread's context, or an explanation of why tests cannot run here. */
  public static WorkerContext require(Test test) {
    WorkerContext c = CURRENT.get();
    if (c == null) {
      throw new InvalidContextException(
          "Only virtual users can call tests, but "
              + test
              + " was called on "
              + Thread.currentThread()
              + ". Call wrapped code from a scenario's"
              + " iteration (a virtual user), not from set-up code or another thread.");
    }
    return c;
  }

  /**
   * The calling thread's context when it runs a staged iteration ({@link StagedIterations}), or an
   * explanation of why {@code test} cannot be recorded asynchronously here.
   */
  public static WorkerContext requireStaged(Test test) {
    WorkerContext c = require(test);
    if (!c.staged) {
      throw new InvalidContextException(
          test
              + ".recordAsync was called in an iteration that runs on the user's thread; it times"
              + " calls of an iteration that runs as stages (StagedScenario.startIteration). On the"
              + " user's thread, wait for the call inside record() instead.");
    }
    return c;
  }

  /**
   * Whether the user's iteration runs as stages (set by {@link StagedIterations} and {@link
   * ArrivalUser#startStaged}).
   */
  void setStaged(boolean staged) {
    this.staged = staged;
  }

  boolean isStaged() {
    return staged;
  }

  static WorkerContext requireForStatistics() {
    WorkerContext c = CURRENT.get();
    if (c == null) {
      throw new InvalidContextException(
          "Statistics can be read and changed only by a virtual user,"
              + " but this call came from "
              + Thread.currentThread()
              + ". Call it from a scenario's"
              + " iteration.");
    }
    return c;
  }

  public Recording recording() {
    return recording;
  }

  public int userNumber() {
    return userNumber;
  }

  public long runNumber() {
    return runNumber;
  }

  /** The phase (its index in the run) whose iterations the user runs from now on. */
  public void setPhase(int index) {
    this.phaseIndex = index;
  }

  /** Starts the next iteration (The Grinder's "run"). */
  public void beginIteration(long run, long intendedStartNanos) {
    this.runNumber = run;
    this.intendedStartNanos = intendedStartNanos;
  }

  /** Ends the iteration: unwinds any frames left open and sends a held-back report. */
  public void endIteration() {
    depth = 0;
    flushPending();
    intendedStartNanos = 0;
  }

  /**
   * Closed-model coordinated-omission correction: each recorded time above this interval also
   * records the calls that would have been issued meanwhile. 0 turns it off.
   */
  public void setExpectedIntervalMicros(long micros) {
    this.expectedIntervalMicros = micros;
  }

  // ---- calls --------------------------------------------------------------------------------

  public void run(Test test, Runnable target) {
    TestRecorder rec = recording.recorder(scenario, test);
    if (isInProgress(rec)) {
      target.run();
      return;
    }
    Frame f = enter(test, rec);
    boolean threw = true;
    try {
      target.run();
      threw = false;
    } finally {
      exit(f, threw);
    }
  }

  public <T> T call(Test test, Callable<T> target) throws Exception {
    TestRecorder rec = recording.recorder(scenario, test);
    if (isInProgress(rec)) {
      return target.call();
    }
    Frame f = enter(test, rec);
    boolean threw = true;
    try {
      T result = target.call();
      threw = false;
      return result;
    } finally {
      exit(f, threw);
    }
  }

  /**
   * One call of {@code test} that ends when the stage {@code start} returns completes: {@code
   * finish} then runs inside the call, with this context attached to the thread that completed the
   * stage, and the call is timed from before {@code start} to after {@code finish}. A stage that
   * completes exceptionally, or a {@code start} or {@code finish} that throws, makes the call an
   * error. What the returned future's dependents do runs with this context attached when they run
   * as it completes. Only for a user whose thread waits while its iteration runs as stages ({@link
   * StagedIterations}): then the stages are this context's only user.
   */
  public <R, T> CompletableFuture<T> callAsync(
      Test test,
      Supplier<? extends CompletionStage<R>> start,
      Function<? super R, ? extends T> finish) {
    TestRecorder rec = recording.recorder(scenario, test);
    Frame f = isInProgress(rec) ? null : enter(test, rec);
    CompletionStage<R> stage;
    try {
      stage = Objects.requireNonNull(start.get(), "the stage a test call started");
    } catch (RuntimeException | Error e) {
      if (f != null) {
        exit(f, true);
      }
      throw e;
    }
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete(
        (r, failure) -> {
          WorkerContext outer = enterStage();
          try {
            finishAsync(f, r, failure, finish, out);
          } finally {
            restore(outer);
          }
        });
    return out;
  }

  private <R, T> void finishAsync(
      Frame f,
      R result,
      Throwable failure,
      Function<? super R, ? extends T> finish,
      CompletableFuture<T> out) {
    T value = null;
    if (failure == null) {
      try {
        value = finish.apply(result);
      } catch (RuntimeException | Error e) {
        failure = e;
      }
    }
    if (f != null) {
      exit(f, failure != null);
    }
    if (failure != null) {
      out.completeExceptionally(
          failure instanceof CompletionException c && c.getCause() != null
              ? c.getCause()
              : failure);
    } else {
      out.complete(value);
    }
  }

  private boolean isInProgress(TestRecorder rec) {
    for (int i = 0; i < depth; i++) {
      if (frames[i].recorder == rec) {
        return true;
      }
    }
    return false;
  }

  private Frame enter(Test test, TestRecorder rec) {
    flushPending(); // the next test starts
    if (depth > 0) {
      frames[depth - 1].composite = true;
    }
    if (depth == frames.length) {
      grow();
    }
    Frame f = frames[depth++];
    f.test = test;
    f.recorder = rec;
    f.statistics.reset();
    f.composite = false;
    f.method = null;
    long now = System.nanoTime();
    if (depth == 1 && intendedStartNanos != 0) {
      // Open model: the first call of an iteration is timed from when it should have started.
      f.startNanos = Math.min(now, intendedStartNanos);
      intendedStartNanos = 0;
    } else {
      f.startNanos = now;
    }
    return f;
  }

  private void exit(Frame f, boolean threw) {
    long end = System.nanoTime();
    flushPending(); // an enclosing test ends: a held-back inner report goes first
    depth--;
    if (recording.cancels(end)) {
      // Still in progress when the run cancelled its calls: whatever it returned or threw, it did
      // not complete as it would have, so it is counted apart and never timed.
      if (f.composite) {
        f.recorder.markComposite();
      }
      f.recorder.recordCancelled();
      DataLogRing ring = recording.dataLog();
      if (ring != null) {
        offerCancelled(ring, f);
      }
      return;
    }
    last.copyFrom(f.statistics);
    if (threw) {
      last.setLong(errors, 1);
    }
    lastTest = f.test;
    lastRecorder = f.recorder;
    lastStartNanos = f.startNanos;
    lastElapsedNanos = Math.max(end - f.startNanos, 0);
    lastComposite = f.composite;
    lastMethod = f.method;
    if (f.method != null) { // most calls tell no request: then the rest is never read
      lastUrl = f.url;
      lastStatus = f.status;
      lastBytes = f.bytes;
    }
    hasLast = true;
    pending = true;
    if (!delayReports) {
      flushPending();
    }
  }

  private void grow() {
    Frame[] bigger = new Frame[frames.length * 2];
    System.arraycopy(frames, 0, bigger, 0, frames.length);
    for (int i = frames.length; i < bigger.length; i++) {
      bigger[i] = new Frame(new StatisticsSet(schema));
    }
    frames = bigger;
  }

  /**
   * The calling thread's innermost test in progress, for plug-ins to update its statistics; null
   * off a virtual user or between tests.
   */
  public static TestStatistics currentTestStatisticsOrNull() {
    WorkerContext c = CURRENT.get();
    return c == null || c.depth == 0 ? null : c.frames[c.depth - 1];
  }

  private void flushPending() {
    if (!pending) {
      return;
    }
    pending = false;
    long micros = lastElapsedNanos / 1_000;
    boolean failed = last.getLong(errors) > 0;
    if (lastComposite) {
      lastRecorder.markComposite();
    }
    DataLogRing ring = recording.dataLog();
    if (ring != null) {
      offerLast(ring, failed);
    }
    if (failed) {
      lastRecorder.recordFailure(micros);
    } else if (!recording.reportsTimes()) {
      lastRecorder.recordUntimed(
          last.isTouched() ? last : null); // the data log above keeps the time
    } else {
      // Most calls set no statistic of their own: then only the time is recorded.
      lastRecorder.recordSuccess(last.isTouched() ? last : null, micros, expectedIntervalMicros);
    }
  }

  // The data-log rows are written apart from exit and flushPending, which stay small enough for
  // the compiler to inline into every call.

  private void offerLast(DataLogRing ring, boolean failed) {
    ring.offer(
        userNumber,
        runNumber,
        lastRecorder.number(),
        lastStartNanos,
        lastElapsedNanos,
        last,
        failed,
        route(lastTest),
        lastMethod,
        lastUrl,
        lastStatus,
        lastBytes);
  }

  private void offerCancelled(DataLogRing ring, Frame f) {
    ring.offerCancelled(userNumber, runNumber, f.recorder.number(), f.startNanos, route(f.test));
  }

  private long route(Test test) {
    return DataLogRing.route(phaseIndex, scenario, recording.listenerMask(test));
  }

  // ---- the Statistics API ---------------------------------------------------------------------

  boolean isTestInProgress() {
    return depth > 0;
  }

  StatisticsForTest forCurrentTest() {
    if (depth == 0) {
      throw new InvalidContextException(
          "No test is in progress, so there are no statistics for the"
              + " current test. Call getForCurrentTest() from code that a Test wraps, or use"
              + " getForLastTest() after the call.");
    }
    return frames[depth - 1];
  }

  StatisticsForTest forLastTest() {
    if (!hasLast) {
      throw new InvalidContextException(
          "No test has completed on this virtual user yet, so there are no statistics for the last"
              + " test. Call getForLastTest() after a test's call returns.");
    }
    return lastView;
  }

  void setDelayReports(boolean delay) {
    delayReports = delay;
    if (!delay) {
      flushPending();
    }
  }

  void report() {
    flushPending();
  }

  private final class Frame implements StatisticsForTest, TestStatistics {
    final StatisticsSet statistics;
    Test test;
    TestRecorder recorder;
    long startNanos;
    boolean composite;
    String method; // the call's last request, or null
    String url;
    int status;
    long bytes;

    /** A frame of the stack, or, with {@code null}, the view over the last test. */
    Frame(StatisticsSet statistics) {
      this.statistics = statistics;
    }

    private boolean isLast() {
      return statistics == null;
    }

    private StatisticsSet readable() {
      return isLast() ? last : statistics;
    }

    private StatisticsSet writable(String statistic) {
      if (isLast()) {
        if (!pending) {
          throw new InvalidContextException(
              "The statistics of "
                  + lastTest
                  + " were already reported,"
                  + " so '"
                  + statistic
                  + "' can no longer be changed. Perhaps you should have called"
                  + " setDelayReports(true) before the call?");
        }
        return last;
      }
      return statistics;
    }

    @Override
    public Test getTest() {
      return isLast() ? lastTest : test;
    }

    @Override
    public long getLong(String name) {
      LongIndex i = schema.longIndex(name);
      long v = readable().getLong(i);
      return i.isScaled() ? (long) (v * i.scale()) : v;
    }

    @Override
    public double getDouble(String name) {
      return readable().getDouble(schema.doubleIndex(name));
    }

    @Override
    public void setLong(String name, long value) {
      LongIndex i = schema.longIndex(name);
      writable(name).setLong(i, stored(i, value));
    }

    @Override
    public void addLong(String name, long value) {
      LongIndex i = schema.longIndex(name);
      writable(name).addLong(i, stored(i, value));
    }

    @Override
    public void setDouble(String name, double value) {
      DoubleIndex i = schema.doubleIndex(name);
      writable(name).setDouble(i, value);
    }

    @Override
    public void addDouble(String name, double value) {
      DoubleIndex i = schema.doubleIndex(name);
      writable(name).addDouble(i, value);
    }

    private static long stored(LongIndex i, long shown) {
      return i.isScaled() ? Math.round(shown / i.scale()) : shown;
    }

    // ---- TestStatistics: plug-ins update the test in progress (only frames of the stack are given
    // out)

    /** The slot of a plug-in's long statistic in this run, or null (then noted as unknown). */
    private LongIndex longSlot(PluginStatistic statistic) {
      LongIndex i = recording.plugins().longIndex(statistic);
      if (i == null) {
        recording.unknownStatistic(statistic);
      }
      return i;
    }

    /** The slot of a plug-in's double statistic in this run, or null (then noted as unknown). */
    private DoubleIndex doubleSlot(PluginStatistic statistic) {
      DoubleIndex i = recording.plugins().doubleIndex(statistic);
      if (i == null) {
        recording.unknownStatistic(statistic);
      }
      return i;
    }

    @Override
    public long getLong(PluginStatistic statistic) {
      LongIndex i = recording.plugins().longIndex(statistic);
      return i == null ? 0 : statistics.getLong(i);
    }

    @Override
    public void setLong(PluginStatistic statistic, long value) {
      LongIndex i = longSlot(statistic);
      if (i != null) {
        statistics.setLong(i, value);
      }
    }

    @Override
    public void addLong(PluginStatistic statistic, long value) {
      LongIndex i = longSlot(statistic);
      if (i != null) {
        statistics.addLong(i, value);
      }
    }

    @Override
    public double getDouble(PluginStatistic statistic) {
      DoubleIndex i = recording.plugins().doubleIndex(statistic);
      return i == null ? 0 : statistics.getDouble(i);
    }

    @Override
    public void setDouble(PluginStatistic statistic, double value) {
      DoubleIndex i = doubleSlot(statistic);
      if (i != null) {
        statistics.setDouble(i, value);
      }
    }

    @Override
    public void addDouble(PluginStatistic statistic, double value) {
      DoubleIndex i = doubleSlot(statistic);
      if (i != null) {
        statistics.addDouble(i, value);
      }
    }

    @Override
    public void request(String method, String url, int status, long bytes) {
      java.util.Objects.requireNonNull(method, "method");
      java.util.Objects.requireNonNull(url, "url");
      if (this.method == null) {
        this.bytes = 0;
      }
      this.method = method;
      this.url = url;
      this.status = status;
      this.bytes += bytes;
    }

    @Override
    public boolean getSuccess() {
      return readable().getLong(errors) == 0;
    }

    @Override
    public void setSuccess(boolean success) {
      writable(StatisticsSchema.ERRORS).setLong(errors, success ? 0 : 1);
    }

    @Override
    public long getTime() {
      if (isLast()) {
        return lastElapsedNanos / 1_000_000;
      }
      return Math.max(System.nanoTime() - startNanos, 0) / 1_000_000;
    }

    @Override
    public String toString() {
      return "statistics for " + getTest() + ": " + readable();
    }
  }
}
