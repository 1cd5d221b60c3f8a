package dev.grindstone.livecheck;

import dev.grindstone.livecheck.internal.UrlRequester;
import dev.grindstone.livecheck.time.TimeSource;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A LiveCheck test case: a test that runs inside a production service, triggered by real or fake
 * traffic, that waits for {@link Signal}s the service sends as a request moves through it.
 *
 * <p>Subclass it and override {@link #run(TestExecution)} (and {@link #makeFakeRequest()} when
 * {@code frequency} is set), or build one from lambdas with {@link #builder(String)}. Register it
 * with {@link LiveCheck#register(Case)}.
 *
 * <p>The case keeps its state (see {@link State}) and figures: failures, totals per state, and
 * histories bounded by {@code max_history}. After {@code max_consecutive_failures} failures in a
 * row the suite fails ({@link #onSuiteFail}); it recovers to PASS on a later pass, but only when
 * the last suite failure is older than {@code state_transition_delay}, and a new suite failure is
 * reported at most once per that delay. A pass always ends the run of consecutive failures.
 *
 * <p>Thread-safe: many tests of one case may run at once.
 */
public abstract class Case {
  private final String name;
  private final CaseSettings settings;
  private final Map<String, Signal<?>> signals = new ConcurrentHashMap<>();
  private final AtomicBoolean fakeRequestRunning = new AtomicBoolean();
  private volatile LiveCheck app;
  private volatile UrlRequester urls;

  // Figures, guarded by `this`.
  private State status = State.INIT;
  private int consecutiveFailures;
  private long totalFailures;
  private final EnumMap<State, Long> totalByState = new EnumMap<>(State.class);
  private Instant lastFail;
  private Instant lastTestReceived;
  private Long lastTestStartNanos;
  private boolean suiteFailed;
  private SuiteFailedException suiteFailure;
  private final ArrayDeque<Double> runtimeHistory = new ArrayDeque<>();
  private final ArrayDeque<Double> latencyHistory = new ArrayDeque<>();
  private final ArrayDeque<Double> frequencyHistory = new ArrayDeque<>();
  // The sampler's medians (seconds), null until the first sample that had values.
  private Double runtimeAvg;
  private Double latencyAvg;
  private Double frequencyAvg;

  /**
   * A case named after its class (as Faust names a case after its qualified class name), with
   * Faust's default settings.
   */
  protected Case() {
    this((String) null, CaseSettings.defaults());
  }

  /** A case named after its class, with {@code settings}. */
  protected Case(CaseSettings settings) {
    this((String) null, settings);
  }

  /** A case with Faust's default settings. */
  protected Case(String name) {
    this(name, CaseSettings.defaults());
  }

  /**
   * @param name the case name; {@code null} names it after its class: the canonical name ({@code
   *     com.acme.Checks.PlaceOrder}), or the binary name for a local or anonymous class
   */
  protected Case(String name, CaseSettings settings) {
    if (name == null) {
      String canonical = getClass().getCanonicalName();
      name = canonical != null ? canonical : getClass().getName();
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("case name must not be blank");
    }
    this.name = name;
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * The test. Throw an {@link AssertionError} for FAIL; a {@link Signal#await} that times out gives
   * TIMEOUT; any other exception gives ERROR. {@link LiveCheck#current()} is this test while it
   * runs.
   */
  protected abstract void run(TestExecution test) throws Exception;

  /**
   * Sends one fake request into the service (called every {@code frequency} on the leader only).
   * Typically {@code postUrl(...)} to the service's entry point, which then calls {@link
   * #maybeTrigger}. Does nothing by default.
   */
  public void makeFakeRequest() throws Exception {}

  // ---- hooks: override to observe; the case's own bookkeeping has already been done ----

  /** A test started. */
  protected void onTestStart(TestRunner runner) {}

  /** A test was skipped. */
  protected void onTestSkipped(TestRunner runner, String reason) {}

  /** A test failed an assertion. */
  protected void onTestFailed(TestRunner runner, AssertionError error) {}

  /** A test threw. */
  protected void onTestError(TestRunner runner, Throwable error) {}

  /** A test's signal wait timed out. */
  protected void onTestTimeout(TestRunner runner, TestTimeoutException error) {}

  /** A test passed. */
  protected void onTestPass(TestRunner runner) {}

  /**
   * The suite failed, and this failure is announced: the case was healthy, or its last suite
   * failure is older than {@code state_transition_delay}. The state, {@code lastFail} and the suite
   * report were already handled when this is called.
   *
   * <p>Where this differs from Faust's {@code on_suite_fail} on purpose:
   *
   * <ul>
   *   <li>In Faust the hook <em>is</em> the bookkeeping: overriding it replaces setting the state
   *       and posting the suite report. Here the bookkeeping always happens and this is only told,
   *       so an override cannot lose the report by forgetting to call {@code super}.
   *   <li>Faust calls it on every failure past {@code max_consecutive_failures} and debounces
   *       inside; here it is called only for the announced (not debounced) failures, once per
   *       {@code state_transition_delay}.
   *   <li>Faust measures {@code last_fail} on the monotonic clock and compares it with a test's
   *       wall-clock timestamp when deciding to recover; here both are the app clock's wall time.
   *   <li>Faust's stall watchdog, when tests arrive, recovers any failed state and every successful
   *       {@code url_request} does too; here the watchdog recovers only STALL and a successful
   *       request only a suite failure caused by {@link ServiceDownException}, because neither says
   *       the tests pass.
   * </ul>
   */
  protected void onSuiteFail(SuiteFailedException error, State newState) {}

  /**
   * The runner for one execution. Override to supply a runner of your own (a subclass of {@link
   * TestRunner}), as Faust's {@code Case.Runner}; the default is a plain {@code TestRunner}.
   */
  protected TestRunner newRunner(TestExecution test) {
    return new TestRunner(this, test);
  }

  // ---- API ----

  public final String name() {
    return name;
  }

  public final CaseSettings settings() {
    return settings;
  }

  /** Human-readable label: class and name. */
  public String label() {
    String kind = getClass().getSimpleName();
    return (kind.isEmpty() ? "Case" : kind) + ": " + name;
  }

  /**
   * Declares (or returns the already declared) signal {@code name} carrying {@code type}.
   *
   * @throws IllegalArgumentException when it was declared with another type
   */
  @SuppressWarnings("unchecked")
  public final <T> Signal<T> signal(String name, Class<T> type) {
    Signal<?> s = signals.computeIfAbsent(name, n -> new Signal<>(this, n, type));
    if (!s.type().equals(type)) {
      throw new IllegalArgumentException(
          "signal "
              + name
              + " of case "
              + this.name
              + " carries "
              + s.type().getName()
              + ", not "
              + type.getName());
    }
    return (Signal<T>) s;
  }

  /** The declared signals by name. */
  public final Map<String, Signal<?>> signals() {
    return Map.copyOf(signals);
  }

  /**
   * With the case's {@code probability}, triggers a test with id {@code id} and makes it current on
   * this thread until the returned scope is closed, so that signals sent and requests made by the
   * work inside reach the test; otherwise the scope is empty. Use it in try-with-resources, as
   * Faust's {@code async with case.maybe_trigger(id)}:
   *
   * <pre>{@code
   * try (Case.Trigger t = placeOrder.maybeTrigger(orderId, Map.of("item", "book"))) {
   *   shipOrder(orderId); // signals sent here reach the test, if there is one
   * }
   * }</pre>
   *
   * @param id the test id; {@code null} or empty makes a random UUID, as in Faust
   */
  public final Trigger maybeTrigger(String id, Map<String, ?> args) {
    if (app().random() < settings.probability()) {
      TestExecution ex = trigger(id, args);
      return new Trigger(ex, TestContext.enter(ex));
    }
    return Trigger.NONE;
  }

  /** {@link #maybeTrigger(String, Map)} with a random id and no arguments. */
  public final Trigger maybeTrigger() {
    return maybeTrigger(null, Map.of());
  }

  /**
   * Triggers a test now: publishes it to the transport; a runner picks it up. Unlike {@link
   * #maybeTrigger}, it does not make the test current (as in Faust).
   *
   * @param id the test id; {@code null} or empty makes a random UUID, as in Faust (which replaces
   *     any false id)
   */
  public final TestExecution trigger(String id, Map<String, ?> args) {
    LiveCheck a = app();
    // Microseconds: the precision the LiveCheck-Test-Timestamp header carries, so the test read
    // back from a header on another hop equals this one.
    Instant now = a.time().now().truncatedTo(ChronoUnit.MICROS);
    @SuppressWarnings("unchecked")
    Map<String, Object> copy = args == null ? Map.of() : Map.copyOf((Map<String, Object>) args);
    String testId = id == null || id.isEmpty() ? UUID.randomUUID().toString() : id;
    TestExecution ex = new TestExecution(testId, name, now, copy, now.plus(settings.testExpires()));
    a.publishExecution(ex);
    return ex;
  }

  /** {@link #trigger(String, Map)} with a random id and no arguments. */
  public final TestExecution trigger() {
    return trigger(null, Map.of());
  }

  /** The test current in the calling code, if any. */
  public final Optional<TestExecution> currentTest() {
    return TestContext.current();
  }

  /**
   * The runner executing the current test on this thread (Faust's {@code current_execution}): empty
   * outside a test's own code, for example in a service that only carries the test along.
   */
  public final Optional<TestRunner> currentExecution() {
    return TestContext.currentExecution();
  }

  /**
   * What {@link #maybeTrigger} returns: the test it triggered, if any, current on this thread until
   * {@link #close()}. Close it on the thread that opened it.
   */
  public static final class Trigger implements AutoCloseable {
    static final Trigger NONE = new Trigger(null, null);

    private final TestExecution test;
    private final TestContext.Scope scope;

    private Trigger(TestExecution test, TestContext.Scope scope) {
      this.test = test;
      this.scope = scope;
    }

    /** The triggered test, or empty when the probability draw said no. */
    public Optional<TestExecution> test() {
      return Optional.ofNullable(test);
    }

    /** Whether a test was triggered. */
    public boolean triggered() {
      return test != null;
    }

    /** Ends the test's scope on this thread (the test itself runs on). Idempotent. */
    @Override
    public void close() {
      if (scope != null) {
        scope.close();
      }
    }
  }

  /** The app this case is registered with. */
  public final LiveCheck app() {
    LiveCheck a = app;
    if (a == null) {
      throw new IllegalStateException("case " + name + " is not registered with a LiveCheck app");
    }
    return a;
  }

  // ---- HTTP helpers with Faust's retry policy ----

  /** GET {@code url}; see {@link #urlRequest}. */
  public final Optional<byte[]> getUrl(String url) {
    return urlRequest("GET", URI.create(url), Map.of(), null);
  }

  /** POST {@code body} to {@code url}; see {@link #urlRequest}. */
  public final Optional<byte[]> postUrl(String url, String body) {
    return urlRequest(
        "POST",
        URI.create(url),
        Map.of("Content-Type", "application/json"),
        body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Sends a request and returns the response body of the first 2xx/3xx answer. Connection errors,
   * timeouts and 4xx/5xx answers are retried {@code url_error_retries} times with delays of {@code
   * url_error_delay_min} × {@code url_error_delay_backoff}ⁿ capped at {@code url_error_delay_max};
   * each attempt may take {@code url_timeout_total}. When they run out the suite fails with a
   * {@link ServiceDownException} and the result is empty. A success ends a suite failure (after
   * {@code state_transition_delay}). The current test's context headers are added.
   */
  public final Optional<byte[]> urlRequest(
      String method, URI url, Map<String, String> headers, byte[] body) {
    UrlRequester u = urls;
    if (u == null) {
      synchronized (this) {
        if (urls == null) {
          urls = new UrlRequester(settings, app().time(), app().httpClientFor(settings));
        }
        u = urls;
      }
    }
    try {
      byte[] result = u.request(method, url, headers, body);
      recoverFromServiceDown();
      return Optional.of(result);
    } catch (ServiceDownException e) {
      app().logLine(name + ": " + e.getMessage());
      suiteFail(e, State.FAIL);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  // ---- figures ----

  public final synchronized State status() {
    return status;
  }

  public final synchronized int consecutiveFailures() {
    return consecutiveFailures;
  }

  public final synchronized long totalFailures() {
    return totalFailures;
  }

  public final synchronized Map<State, Long> totalByState() {
    return Map.copyOf(totalByState);
  }

  public final synchronized Optional<Instant> lastFail() {
    return Optional.ofNullable(lastFail);
  }

  public final synchronized Optional<Instant> lastTestReceived() {
    return Optional.ofNullable(lastTestReceived);
  }

  /** Seconds since the suite last failed, on the app's clock. */
  public final synchronized OptionalDouble secondsSinceLastFail() {
    return lastFail == null
        ? OptionalDouble.empty()
        : OptionalDouble.of(Durations.seconds(Duration.between(lastFail, app().time().now())));
  }

  public final synchronized boolean suiteFailed() {
    return suiteFailed;
  }

  public final synchronized List<Double> runtimeHistory() {
    return List.copyOf(runtimeHistory);
  }

  public final synchronized List<Double> latencyHistory() {
    return List.copyOf(latencyHistory);
  }

  public final synchronized List<Double> frequencyHistory() {
    return List.copyOf(frequencyHistory);
  }

  /**
   * The median of the runtime history (seconds) at the sampler's last run, as Faust's {@code
   * runtime_avg}: the sampler runs every {@code sampleEvery} (10 s by default); empty until a
   * sample found values, and never updated when the sampler is off.
   */
  public final synchronized OptionalDouble runtimeAvg() {
    return optional(runtimeAvg);
  }

  /**
   * The median of the latency history (seconds) at the sampler's last run; see {@link
   * #runtimeAvg()}.
   */
  public final synchronized OptionalDouble latencyAvg() {
    return optional(latencyAvg);
  }

  /**
   * The median of the frequency history (seconds) at the sampler's last run; see {@link
   * #runtimeAvg()}.
   */
  public final synchronized OptionalDouble frequencyAvg() {
    return optional(frequencyAvg);
  }

  private static OptionalDouble optional(Double d) {
    return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
  }

  /** All figures, read at one moment. */
  public final synchronized CaseSnapshot snapshot() {
    return new CaseSnapshot(
        name,
        status,
        consecutiveFailures,
        totalFailures,
        Map.copyOf(totalByState),
        lastFail,
        lastTestReceived,
        secondsSinceLastFail(),
        suiteFailed,
        List.copyOf(runtimeHistory),
        List.copyOf(latencyHistory),
        List.copyOf(frequencyHistory),
        optional(runtimeAvg),
        optional(latencyAvg),
        optional(frequencyAvg));
  }

  /**
   * The sampler's step (Faust's {@code _sample}): each average becomes the median of its history,
   * and keeps its last value while the history is empty.
   */
  final synchronized void sample() {
    if (!frequencyHistory.isEmpty()) {
      frequencyAvg = CaseSnapshot.median(List.copyOf(frequencyHistory)).getAsDouble();
    }
    if (!latencyHistory.isEmpty()) {
      latencyAvg = CaseSnapshot.median(List.copyOf(latencyHistory)).getAsDouble();
    }
    if (!runtimeHistory.isEmpty()) {
      runtimeAvg = CaseSnapshot.median(List.copyOf(runtimeHistory)).getAsDouble();
    }
  }

  @Override
  public String toString() {
    return label();
  }

  // ---- bookkeeping (package-private: runners and the app call it) ----

  final void attach(LiveCheck app) {
    synchronized (this) {
      if (this.app != null && this.app != app) {
        throw new IllegalStateException(
            "case " + name + " is already registered with app " + this.app.name());
      }
      this.app = app;
    }
  }

  final void testStarted(TestRunner runner) {
    TimeSource time = app().time();
    long nanos = time.nanoTime();
    synchronized (this) {
      lastTestReceived = time.now();
      if (lastTestStartNanos != null) {
        double since = (nanos - lastTestStartNanos) / 1e9;
        if (settings.frequency() != null) {
          push(latencyHistory, since - Durations.seconds(settings.frequency()));
        }
        push(frequencyHistory, since);
      }
      lastTestStartNanos = nanos;
    }
  }

  final TestReport testSkipped(TestRunner runner, String reason) {
    List<Runnable> events = new ArrayList<>();
    TestReport report;
    synchronized (this) {
      lastTestReceived = app().time().now();
      totalByState.merge(State.SKIP, 1L, Long::sum);
      if (!settings.active()) {
        setStatus(State.SKIP, "case inactive", events);
      }
      report = report(State.SKIP, runner.test(), null, Map.of(), reason, null);
    }
    events.forEach(Runnable::run);
    return report;
  }

  final TestReport testFinished(TestRunner runner, State state, Throwable error) {
    List<Runnable> events = new ArrayList<>();
    TestReport report;
    SuiteFailedException suite = null;
    synchronized (this) {
      totalByState.merge(state, 1L, Long::sum);
      if (state == State.PASS) {
        push(runtimeHistory, Durations.seconds(runner.runtime()));
        consecutiveFailures = 0;
        if (lastFail == null || runner.test().timestamp().isAfter(lastFail)) {
          recover("test passed", events);
        }
      } else {
        consecutiveFailures++;
        totalFailures++;
        setStatus(state, describe(error), events);
        if (consecutiveFailures >= settings.maxConsecutiveFailures()) {
          suite =
              new SuiteFailedException(
                  "failed "
                      + consecutiveFailures
                      + " times in a row (max_consecutive_failures="
                      + settings.maxConsecutiveFailures()
                      + ")");
        }
      }
      report =
          report(
              state,
              runner.test(),
              runner.runtime(),
              runner.signalLatency(),
              error == null ? null : describe(error),
              error == null ? null : TestRunner.stackTrace(error));
    }
    events.forEach(Runnable::run);
    // Reported after the test's own report, by the runner.
    runner.pendingSuiteFailure = suite;
    return report;
  }

  /**
   * The suite failed: sets {@code newState}; reports it (a suite report without a test) and calls
   * {@link #onSuiteFail} only when the case was healthy or its last suite failure is older than
   * {@code state_transition_delay}, so a failing suite reports once per delay, not once per test.
   */
  final void suiteFail(SuiteFailedException error, State newState) {
    List<Runnable> events = new ArrayList<>();
    boolean announce;
    TestReport report = null;
    synchronized (this) {
      announce = status.isOk() || failedLongerThan(settings.stateTransitionDelay());
      setStatus(newState, error.getMessage(), events);
      lastFail = app().time().now();
      suiteFailed = true;
      suiteFailure = error;
      if (announce) {
        report =
            report(
                newState, null, null, Map.of(), error.getMessage(), TestRunner.stackTrace(error));
      }
    }
    events.forEach(Runnable::run);
    if (announce) {
      app().logLine(name + ": suite failed: " + error.getMessage());
      app().dispatch(report);
      try {
        onSuiteFail(error, newState);
      } catch (RuntimeException e) {
        app().logLine(name + ": onSuiteFail hook failed: " + e);
      }
    }
  }

  /** Returns to PASS when the last suite failure is older than the transition delay. */
  final void maybeRecover(String reason) {
    List<Runnable> events = new ArrayList<>();
    synchronized (this) {
      recover(reason, events);
    }
    events.forEach(Runnable::run);
  }

  /**
   * A service answered: ends a suite failure that was caused by that service being down (after the
   * transition delay). Unlike Faust, it leaves test failures alone: an answering service says
   * nothing about whether the tests pass.
   */
  final void recoverFromServiceDown() {
    List<Runnable> events = new ArrayList<>();
    synchronized (this) {
      if (suiteFailed && suiteFailure instanceof ServiceDownException) {
        recover("service answered again", events);
      }
    }
    events.forEach(Runnable::run);
  }

  /** Stall check; returns when the next check is due. */
  final Instant checkStalled(Instant since) {
    Instant now = app().time().now();
    Instant last;
    State current;
    synchronized (this) {
      last = lastTestReceived != null && lastTestReceived.isAfter(since) ? lastTestReceived : since;
      current = status;
    }
    Duration quiet = Duration.between(last, now);
    if (quiet.compareTo(settings.warnStalledAfter()) >= 0) {
      suiteFail(
          new SuiteStalledException(
              "no test received for "
                  + Durations.format(quiet)
                  + " (warn_stalled_after="
                  + Durations.format(settings.warnStalledAfter())
                  + ")"),
          State.STALL);
      return now.plus(settings.warnStalledAfter());
    }
    if (current == State.STALL) {
      maybeRecover("tests arrive again");
    }
    return last.plus(settings.warnStalledAfter());
  }

  final void runFakeRequest() {
    if (!fakeRequestRunning.compareAndSet(false, true)) {
      return; // the previous one is still running; do not pile up
    }
    try {
      makeFakeRequest();
    } catch (SuiteFailedException e) {
      suiteFail(e, State.FAIL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      app().logLine(name + ": makeFakeRequest failed: " + describe(e));
    } finally {
      fakeRequestRunning.set(false);
    }
  }

  private void recover(String reason, List<Runnable> events) {
    if (status != State.PASS && failedLongerThan(settings.stateTransitionDelay())) {
      setStatus(State.PASS, reason, events);
      suiteFailed = false;
      suiteFailure = null;
      consecutiveFailures = 0;
    }
  }

  private boolean failedLongerThan(Duration d) {
    return lastFail == null || Duration.between(lastFail, app().time().now()).compareTo(d) > 0;
  }

  private void setStatus(State to, String reason, List<Runnable> events) {
    State from = status;
    status = to;
    if (from != to) {
      LiveCheck a = app();
      events.add(() -> a.stateChanged(this, from, to, reason));
    }
  }

  private TestReport report(
      State state,
      TestExecution test,
      Duration runtime,
      Map<String, Duration> latency,
      String error,
      String traceback) {
    return new TestReport(
        app().name(),
        name,
        state,
        test,
        app().time().now(),
        runtime,
        latency,
        error,
        traceback,
        consecutiveFailures,
        totalFailures,
        suiteFailed);
  }

  private void push(ArrayDeque<Double> history, double value) {
    history.addLast(value);
    while (history.size() > settings.maxHistory()) {
      history.removeFirst();
    }
  }

  static String describe(Throwable e) {
    if (e == null) {
      return null;
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + m;
  }

  // ---- lambda-built cases ----

  /** The body of a lambda-built case. */
  @FunctionalInterface
  public interface Body {
    void run(TestExecution test, Case self) throws Exception;
  }

  /** The fake-request action of a lambda-built case. */
  @FunctionalInterface
  public interface FakeRequest {
    void send(Case self) throws Exception;
  }

  /** Builds a case from lambdas. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builder of a lambda-built case. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private CaseSettings settings = CaseSettings.defaults();
    private Body body;
    private FakeRequest fakeRequest;
    private final Map<String, Class<?>> signals = new java.util.LinkedHashMap<>();

    private Builder(String name) {
      this.name = name;
    }

    public Builder settings(CaseSettings settings) {
      this.settings = settings;
      return this;
    }

    /** Declares a signal; the body gets it with {@code self.signal(name, type)}. */
    public Builder signal(String signalName, Class<?> type) {
      signals.put(signalName, type);
      return this;
    }

    public Builder run(Body body) {
      this.body = body;
      return this;
    }

    public Builder fakeRequest(FakeRequest fakeRequest) {
      this.fakeRequest = fakeRequest;
      return this;
    }

    public Case build() {
      if (body == null) {
        throw new IllegalArgumentException("case " + name + ": run(body) is required");
      }
      Body b = body;
      FakeRequest f = fakeRequest;
      Case c =
          new Case(name, settings) {
            @Override
            protected void run(TestExecution test) throws Exception {
              b.run(test, this);
            }

            @Override
            public void makeFakeRequest() throws Exception {
              if (f != null) {
                f.send(this);
              }
            }
          };
      signals.forEach(c::signal);
      return c;
    }
  }
}
