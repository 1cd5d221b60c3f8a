package dev.grindstone.livecheck;

import dev.grindstone.livecheck.internal.SignalWaiters;
import dev.grindstone.livecheck.sink.LogReportSink;
import dev.grindstone.livecheck.time.TimeSource;
import dev.grindstone.livecheck.transport.InMemoryTransport;
import dev.grindstone.livecheck.transport.Transport;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * A LiveCheck app: the {@link Case}s of one service, the runner that executes their tests, the
 * signal waiters, the report sinks and the time source, joined to the other instances of the app
 * through a {@link Transport}.
 *
 * <pre>{@code
 * LiveCheck livecheck = LiveCheck.builder("orders-service").build();
 * livecheck.register(new PlaceOrderCase());
 * livecheck.start();
 * }</pre>
 *
 * <p>Tests run on virtual threads, at most {@code concurrency} (default 100) at once. The leader
 * instance calls each case's {@link Case#makeFakeRequest()} every {@code frequency}; every instance
 * watches its cases for stalls. Thread-safe.
 */
public final class LiveCheck implements AutoCloseable {
  private final String name;
  private final TimeSource time;
  private final Transport transport;
  private final Executor executor;
  private final ExecutorService ownedExecutor;
  private final DoubleSupplier random;
  private final List<ReportSink> sinks;
  private final Consumer<String> log;
  private final List<CaseStateListener> listeners = new CopyOnWriteArrayList<>();
  private final SignalWaiters waiters;
  private final Semaphore concurrency;
  private final Map<String, Case> cases = new ConcurrentHashMap<>();
  private final List<Case> order = new CopyOnWriteArrayList<>();
  private final Map<Case, TimeSource.Cancellable> fakeLoops = new ConcurrentHashMap<>();
  private final Map<Case, TimeSource.Cancellable> watchdogs = new ConcurrentHashMap<>();
  private final Duration sampleEvery;
  private volatile TimeSource.Cancellable sampler;
  private volatile Transport.Membership membership;
  private volatile boolean leader;
  private volatile boolean closed;
  private volatile boolean warnedNotStarted;

  private LiveCheck(Builder b) {
    this.name = b.name;
    this.time = b.time;
    this.transport = b.transport != null ? b.transport : new InMemoryTransport();
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      this.ownedExecutor =
          Executors.newThreadPerTaskExecutor(
              Thread.ofVirtual().name("livecheck-test-", 0).factory());
      this.executor = ownedExecutor;
    }
    this.random = b.random;
    this.log = b.log;
    List<ReportSink> s = new ArrayList<>();
    if (b.logReports) {
      s.add(new LogReportSink(b.log));
    }
    s.addAll(b.sinks);
    this.sinks = List.copyOf(s);
    this.listeners.addAll(b.listeners);
    Duration retention =
        b.signalRetention != null
            ? b.signalRetention
            : this.transport.signalRetention().orElse(Duration.ofHours(3));
    this.waiters = new SignalWaiters(time, b.maxPendingSignals, retention);
    this.concurrency = new Semaphore(b.concurrency);
    this.sampleEvery = b.sampleEvery;
  }

  /** A builder for the app {@code name} (the {@code app} field of every report). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The test the calling code works for, if any (see {@link TestContext}). */
  public static Optional<TestExecution> current() {
    return TestContext.current();
  }

  /**
   * The runner of the test whose own code is running on this thread, if any (Faust's {@code
   * current_execution}).
   */
  public static Optional<TestRunner> currentExecution() {
    return TestContext.currentExecution();
  }

  public String name() {
    return name;
  }

  /** The app's one clock and scheduler. */
  public TimeSource time() {
    return time;
  }

  /** Registers {@code kase}; returns it. A case belongs to one app. */
  public <C extends Case> C register(C kase) {
    if (cases.putIfAbsent(kase.name(), kase) != null) {
      throw new IllegalArgumentException(
          "app " + name + " already has a case named " + kase.name());
    }
    kase.attach(this);
    order.add(kase);
    if (membership != null) {
      startWatchdog(kase);
      if (leader) {
        startFakeLoop(kase);
      }
    }
    return kase;
  }

  /** The registered cases, in registration order. */
  public List<Case> cases() {
    return List.copyOf(order);
  }

  /** The case named {@code name}, if registered. */
  public Optional<Case> caseNamed(String name) {
    return Optional.ofNullable(cases.get(name));
  }

  /** Adds a listener of state changes. */
  public void addListener(CaseStateListener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /** Joins the transport (maybe becoming leader) and starts the stall watchdogs. */
  public synchronized LiveCheck start() {
    if (closed) {
      throw new IllegalStateException("app " + name + " is closed");
    }
    if (membership == null) {
      Instant startedAt = time.now();
      for (Case c : order) {
        startWatchdog(c, startedAt);
      }
      membership = transport.join(name, new Member());
      if (sampleEvery != null) {
        sampler = time.scheduleAtFixedRate(sampleEvery, sampleEvery, this::sample);
      }
    }
    return this;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Whether this instance leads now (runs the fake-request loops), as the transport tells. */
  public boolean isLeader() {
    Transport.Membership m = membership;
    return leader && m != null && m.isLeader();
  }

  /**
   * Runs {@code execution} on the calling thread and returns its report (the report also goes to
   * the sinks). Normally the transport hands executions to the runner; this is for callers that run
   * tests themselves.
   */
  public TestReport execute(TestExecution execution) {
    Case c = cases.get(execution.caseName());
    if (c == null) {
      throw new IllegalArgumentException(
          "app "
              + name
              + " has no case named "
              + execution.caseName()
              + "; cases: "
              + cases.keySet());
    }
    return c.newRunner(execution).execute();
  }

  /** Signal slots held now (tests waiting plus early events); bounded, see {@link Signal}. */
  public int pendingSignalSlots() {
    return waiters.size();
  }

  /** Signal events dropped because too many were waiting for a test to claim them. */
  public long droppedSignals() {
    return waiters.dropped();
  }

  /** Leaves the transport group, stops loops and watchdogs, closes sinks. Idempotent. */
  @Override
  public void close() {
    Transport.Membership m;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      m = membership;
    }
    if (m != null) {
      m.close();
    }
    stopFakeLoops();
    TimeSource.Cancellable sample = sampler;
    if (sample != null) {
      sample.cancel();
    }
    watchdogs.values().forEach(TimeSource.Cancellable::cancel);
    watchdogs.clear();
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
      try {
        // Interrupted tests report SKIP ("cancelled"); let those reports reach the sinks first.
        ownedExecutor.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (ReportSink s : sinks) {
      try {
        s.close();
      } catch (RuntimeException e) {
        logLine("report sink " + s + " failed to close: " + e);
      }
    }
  }

  // ---- package-private plumbing ----

  double random() {
    return random.getAsDouble();
  }

  SignalWaiters signalWaiters() {
    return waiters;
  }

  HttpClient httpClientFor(CaseSettings settings) {
    HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL);
    if (settings.urlTimeoutConnect() != null) {
      b.connectTimeout(settings.urlTimeoutConnect());
    }
    return b.build();
  }

  void publishExecution(TestExecution execution) {
    if (membership == null && !warnedNotStarted) {
      warnedNotStarted = true;
      logLine(
          "livecheck " + name + ": tests are triggered but the app was not started; call start()");
    }
    transport.publishExecution(name, execution);
  }

  void publishSignal(SignalEvent event) {
    transport.publishSignal(name, event);
  }

  /**
   * Hands {@code report} to every sink; completes when each holds it (or failed, which is logged).
   */
  CompletableFuture<Void> dispatch(TestReport report) {
    CompletableFuture<?>[] held = new CompletableFuture<?>[sinks.size()];
    for (int i = 0; i < held.length; i++) {
      ReportSink s = sinks.get(i);
      CompletableFuture<Void> f;
      try {
        f = s.deliver(report).toCompletableFuture();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      held[i] =
          f.exceptionally(
              e -> {
                logLine("report sink " + s + " failed: " + e);
                return null;
              });
    }
    return CompletableFuture.allOf(held);
  }

  void logLine(String line) {
    try {
      log.accept(line);
    } catch (RuntimeException e) {
      // logging must never break a test
    }
  }

  void stateChanged(Case kase, State from, State to, String reason) {
    for (CaseStateListener l : listeners) {
      try {
        l.stateChanged(kase, from, to, reason);
      } catch (RuntimeException e) {
        logLine("state listener failed: " + e);
      }
    }
  }

  private void runQueued(TestExecution execution, Runnable done) {
    try {
      executor.execute(
          () -> {
            boolean acquired = false;
            CompletableFuture<Void> delivered = null;
            try {
              concurrency.acquire();
              acquired = true;
              Case c = cases.get(execution.caseName());
              if (c == null) {
                logLine(
                    "test "
                        + execution.id()
                        + " of unknown case "
                        + execution.caseName()
                        + " ignored; app "
                        + name
                        + " has cases "
                        + cases.keySet());
              } else {
                TestRunner runner = c.newRunner(execution);
                runner.execute();
                delivered = runner.delivery();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
              logLine(
                  "test "
                      + execution.id()
                      + " of "
                      + execution.caseName()
                      + " could not run: "
                      + e);
            } finally {
              if (acquired) {
                concurrency.release();
              }
              if (delivered == null) {
                done.run();
              } else {
                delivered.whenComplete((v, e) -> done.run());
              }
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      logLine("test " + execution.id() + " dropped: app " + name + " is closed");
      // Not acknowledged: a transport that redelivers hands it to an instance still running.
    }
  }

  private void sample() {
    for (Case c : order) {
      c.sample();
      CaseSnapshot snap = c.snapshot();
      if (!snap.runtimeHistory().isEmpty() || !snap.frequencyHistory().isEmpty()) {
        logLine(snap.statsLine());
      }
    }
  }

  private void startWatchdog(Case c) {
    startWatchdog(c, time.now());
  }

  private void startWatchdog(Case c, Instant since) {
    scheduleWatchdog(c, since, since.plus(c.settings().warnStalledAfter()));
  }

  private void scheduleWatchdog(Case c, Instant since, Instant at) {
    if (closed) {
      return;
    }
    Duration delay = Duration.between(time.now(), at);
    watchdogs.put(
        c,
        time.schedule(
            delay.isNegative() ? Duration.ZERO : delay,
            () -> {
              Instant next = c.checkStalled(since);
              scheduleWatchdog(c, since, next);
            }));
  }

  private void startFakeLoop(Case c) {
    Duration f = c.settings().frequency();
    if (f == null || closed) {
      return;
    }
    fakeLoops.computeIfAbsent(
        c,
        k ->
            time.scheduleAtFixedRate(
                Duration.ZERO,
                f,
                () -> {
                  // Asked at each tick: leadership may have moved since the loop started, and a
                  // transport may learn that before it tells us.
                  Transport.Membership m = membership;
                  if (m == null || !m.isLeader()) {
                    return;
                  }
                  try {
                    executor.execute(k::runFakeRequest);
                  } catch (java.util.concurrent.RejectedExecutionException e) {
                    // closing
                  }
                }));
  }

  private void stopFakeLoops() {
    fakeLoops.values().forEach(TimeSource.Cancellable::cancel);
    fakeLoops.clear();
  }

  private final class Member implements Transport.Member {
    @Override
    public void onExecution(TestExecution execution, Runnable done) {
      if (!closed) {
        runQueued(execution, done);
      }
    }

    @Override
    public void onSignal(SignalEvent event) {
      // Only cases registered here can have waiters here; anything else would sit until expiry.
      if (cases.containsKey(event.caseName())) {
        waiters.resolve(
            new SignalWaiters.Key(event.caseName(), event.signalName(), event.key()), event);
      }
    }

    @Override
    public void onLeadership(boolean isLeader) {
      leader = isLeader;
      if (isLeader) {
        logLine("livecheck " + name + ": this instance is the leader; fake-request loops start");
        for (Case c : order) {
          startFakeLoop(c);
        }
      } else {
        stopFakeLoops();
      }
    }
  }

  /** Configures a {@link LiveCheck}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private TimeSource time = TimeSource.system();
    private Transport transport;
    private Executor executor;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private final List<ReportSink> sinks = new ArrayList<>();
    private final List<CaseStateListener> listeners = new ArrayList<>();
    private Consumer<String> log = defaultLog();
    private boolean logReports = true;
    private int maxPendingSignals = 10_000;
    private Duration signalRetention;
    private int concurrency = 100;
    private Duration sampleEvery = Duration.ofSeconds(10);

    private Builder(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("app name must not be blank");
      }
      this.name = name;
    }

    /** The clock and scheduler (default: the system's). */
    public Builder time(TimeSource time) {
      this.time = Objects.requireNonNull(time);
      return this;
    }

    /** How instances talk (default: a private {@link InMemoryTransport}). */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport);
      return this;
    }

    /**
     * Where tests and fake requests run (default: one virtual thread each). Tests pass {@code
     * Runnable::run} to run everything on the publishing thread.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor);
      return this;
    }

    /** Source of uniform numbers in [0, 1) for {@code probability} (default: random). */
    public Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /** Adds a report sink. */
    public Builder sink(ReportSink sink) {
      sinks.add(Objects.requireNonNull(sink));
      return this;
    }

    /** Adds a state-change listener. */
    public Builder listener(CaseStateListener listener) {
      listeners.add(Objects.requireNonNull(listener));
      return this;
    }

    /** Where log lines go (default: {@code System.Logger} "dev.grindstone.livecheck", INFO). */
    public Builder log(Consumer<String> log) {
      this.log = Objects.requireNonNull(log);
      return this;
    }

    /** Whether every report is also logged, one line each (default true). */
    public Builder logReports(boolean on) {
      this.logReports = on;
      return this;
    }

    /**
     * Cap of signal events kept for tests that have not started waiting yet (default 10,000); when
     * full, the oldest kept event is dropped.
     */
    public Builder maxPendingSignals(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxPendingSignals = " + n + ": must be >= 1");
      }
      this.maxPendingSignals = n;
      return this;
    }

    /**
     * How long a signal event that no test waits for yet is kept, at most (it is also dropped when
     * its test expires). Default: what the transport asks for (the Kafka transport, which
     * broadcasts signals, asks for 2 minutes), else 3 h.
     */
    public Builder signalRetention(Duration retention) {
      if (retention == null || retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("signalRetention = " + retention + ": must be > 0");
      }
      this.signalRetention = retention;
      return this;
    }

    /** Tests running at once at most (default 100, like Faust's livecheck agent). */
    public Builder concurrency(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("concurrency = " + n + ": must be >= 1");
      }
      this.concurrency = n;
      return this;
    }

    /**
     * How often each case's median frequency, latency and runtime are logged (default 10 s, as
     * Faust's sampler); {@code null} turns the sampler off.
     */
    public Builder sampleEvery(Duration every) {
      if (every != null && (every.isNegative() || every.isZero())) {
        throw new IllegalArgumentException(
            "sampleEvery = " + every + ": must be > 0, or null for off");
      }
      this.sampleEvery = every;
      return this;
    }

    public LiveCheck build() {
      return new LiveCheck(this);
    }

    private static Consumer<String> defaultLog() {
      System.Logger logger = System.getLogger("dev.grindstone.livecheck");
      return line -> logger.log(System.Logger.Level.INFO, line);
    }
  }
}
