package dev.grindstone.livecheck;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs one {@link TestExecution} of a case and turns its outcome into a {@link TestReport}: PASS
 * when {@code run} returns, FAIL on an {@link AssertionError}, TIMEOUT when a signal wait timed
 * out, ERROR on any other exception, SKIP when the case is inactive, the test expired or it threw
 * {@link TestSkippedException}. One runner per execution; the hooks receive it, and {@link
 * LiveCheck#currentExecution()} returns it inside the test.
 *
 * <p>A case may supply a runner of its own ({@link Case#newRunner}, as Faust's {@code
 * Case.Runner}): subclass this and override {@link #invoke(TestExecution)}, which calls the case's
 * {@code run}, to wrap every test (a tracing span, a logging context, a retry of the test body).
 *
 * <p>With {@code realtime_logs} off, the lines given to {@link #log(String)} are kept and written
 * only when the test did not pass, after its report. Faust does the opposite: it writes a passing
 * test's kept lines (as one multi-line record) and drops a failing test's, logging only the
 * failure. The steps of a failing test are the ones worth reading, so they are the ones written
 * here.
 *
 * <p>{@link #log(String)} is thread-safe; the rest is read by hooks on the test's thread.
 */
public class TestRunner {
  private final Case kase;
  private final TestExecution test;
  private final LiveCheck app;
  private final Map<String, Duration> signalLatency = new ConcurrentHashMap<>();
  private final List<String> logLines = new ArrayList<>();
  private long startedNanos;
  SuiteFailedException pendingSuiteFailure;
  private Duration runtime;
  private CompletableFuture<Void> delivery;

  /** A runner of {@code test} for {@code kase}, which must be registered with an app. */
  protected TestRunner(Case kase, TestExecution test) {
    this.kase = kase;
    this.test = test;
    this.app = kase.app();
  }

  /**
   * Runs the test body: calls the case's {@code run}. Override to wrap it; the outcome is what this
   * throws (or that it returns).
   */
  protected void invoke(TestExecution test) throws Exception {
    kase.run(test);
  }

  /** The test being run. */
  public TestExecution test() {
    return test;
  }

  /** The case. */
  public Case testCase() {
    return kase;
  }

  /** How long {@code run} took; {@code null} until it ended or when it did not run. */
  public Duration runtime() {
    return runtime;
  }

  /** Per signal, how long the test's last wait for it took (as Faust reports it), so far. */
  public Map<String, Duration> signalLatency() {
    return Map.copyOf(signalLatency);
  }

  /**
   * A line about this test. With {@code realtime_logs} it is written at once; otherwise it is kept
   * and written after the report line only if the test did not pass.
   */
  public void log(String line) {
    if (kase.settings().realtimeLogs()) {
      app.logLine(prefix(line));
    } else {
      synchronized (logLines) {
        logLines.add(line); // prefixed only if it is ever written
      }
    }
  }

  private String prefix(String line) {
    return kase.name() + " [" + test.id() + "] " + line;
  }

  void signalReceived(String name, Duration waited) {
    signalLatency.put(name, waited);
    log("signal " + name + " received after " + Durations.format(waited));
  }

  @SuppressWarnings("try") // the scope is used for its effect on the thread's context
  TestReport execute() {
    Instant now = app.time().now();
    if (!kase.settings().active()) {
      return skip("case inactive");
    }
    if (test.isExpired(now)) {
      return skip("test expired at " + test.expires());
    }
    startedNanos = app.time().nanoTime();
    kase.testStarted(this);
    safeHook(() -> kase.onTestStart(this));
    log("started");
    try (TestContext.Scope s = TestContext.enter(test, this)) {
      invoke(test);
    } catch (TestSkippedException e) {
      return skip(e.getMessage());
    } catch (TestTimeoutException e) {
      stop();
      TestReport r = kase.testFinished(this, State.TIMEOUT, e);
      safeHook(() -> kase.onTestTimeout(this, e));
      return finish(r);
    } catch (AssertionError e) {
      stop();
      TestReport r = kase.testFinished(this, State.FAIL, e);
      safeHook(() -> kase.onTestFailed(this, e));
      return finish(r);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (app.isClosed() && interrupted(e)) {
        // The app is shutting down under the test: not a verdict on the service.
        return skip("cancelled: app closed while the test ran");
      }
      stop();
      TestReport r = kase.testFinished(this, State.ERROR, e);
      safeHook(() -> kase.onTestError(this, e));
      return finish(r);
    }
    stop();
    TestReport r = kase.testFinished(this, State.PASS, null);
    safeHook(() -> kase.onTestPass(this));
    return finish(r);
  }

  private void stop() {
    runtime = Duration.ofNanos(app.time().nanoTime() - startedNanos);
  }

  private TestReport skip(String reason) {
    log("skipped: " + reason);
    TestReport r = kase.testSkipped(this, reason);
    safeHook(() -> kase.onTestSkipped(this, reason));
    return finish(r);
  }

  /** Completes when the report was delivered to every sink; {@code null} before the test ended. */
  CompletableFuture<Void> delivery() {
    return delivery;
  }

  private TestReport finish(TestReport report) {
    delivery = app.dispatch(report);
    if (pendingSuiteFailure != null) {
      kase.suiteFail(pendingSuiteFailure, State.FAIL);
    }
    if (report.state() != State.PASS && !kase.settings().realtimeLogs()) {
      List<String> lines;
      synchronized (logLines) {
        lines = List.copyOf(logLines);
      }
      lines.forEach(l -> app.logLine(prefix(l)));
    }
    return report;
  }

  private void safeHook(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      app.logLine(kase.name() + " [" + test.id() + "] hook failed: " + e);
    }
  }

  private static boolean interrupted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException) {
        return true;
      }
    }
    return Thread.currentThread().isInterrupted();
  }

  static String stackTrace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
