package dev.grindstone.junit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.grindstone.junit.MonitorListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The monitor's cost per test. Runs 2,000 trivial tests on an in-process JUnit Platform, in
 * alternating rounds with and without the monitor, and reports (1) the time the monitor's own
 * callbacks take on the test thread per test, median and p99, and (2) the difference in total run
 * time per test, which also counts its writer and sampler threads competing for the CPU. A third
 * run per round times a listener that does nothing, as a control for what a busy machine adds
 * (descheduling, GC pauses). Usage: {@code OverheadBench [rounds]} (default 7; the first pair of
 * rounds is warm-up).
 */
public final class OverheadBench {
  private static final int TESTS = 2000;

  /** Times each callback of the wrapped listener; per test, start plus finish. */
  static final class Timed implements TestExecutionListener {
    final TestExecutionListener delegate;
    final Map<String, Long> perTest = new ConcurrentHashMap<>();
    final Map<String, Long> starts = new ConcurrentHashMap<>();

    Timed(TestExecutionListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
      delegate.testPlanExecutionStarted(testPlan);
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
      delegate.testPlanExecutionFinished(testPlan);
    }

    @Override
    public void executionStarted(TestIdentifier id) {
      long t0 = System.nanoTime();
      delegate.executionStarted(id);
      long t = System.nanoTime() - t0;
      if (id.isTest()) {
        perTest.merge(id.getUniqueId(), t, Long::sum);
        starts.put(id.getUniqueId(), t);
      }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
      long t0 = System.nanoTime();
      delegate.executionFinished(id, result);
      if (id.isTest()) perTest.merge(id.getUniqueId(), System.nanoTime() - t0, Long::sum);
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    Path dir = Files.createTempDirectory("grindstone-overhead");
    Path file = dir.resolve("bench.jmon");
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(TrivialSamples.class))
            .configurationParameter("grindstone.monitor.file", file.toString())
            .build();
    List<Long> withRuns = new ArrayList<>();
    List<Long> withoutRuns = new ArrayList<>();
    List<Long> callbackNanos = new ArrayList<>();
    List<Long> noopNanos = new ArrayList<>();
    List<Long> startNanos = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      long without = run(request, null);
      Timed timed =
          new Timed(new MonitorListener(Clock.systemDefaultZone(), Map.of(), System.err::println));
      long with = run(request, timed);
      // Control: the same timing around a listener that does nothing shows what the machine adds.
      Timed noop = new Timed(new TestExecutionListener() {});
      run(request, noop);
      if (timed.perTest.size() != TESTS)
        throw new IllegalStateException(
            "expected " + TESTS + " tests, saw " + timed.perTest.size());
      if (round == 0) continue; // warm-up: class loading, JIT, the SQLite native library
      withoutRuns.add(without);
      withRuns.add(with);
      callbackNanos.addAll(timed.perTest.values());
      noopNanos.addAll(noop.perTest.values());
      startNanos.addAll(timed.starts.values());
    }
    long[] cb = callbackNanos.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] st = startNanos.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] nb = noopNanos.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] deltas = new long[withRuns.size()];
    for (int i = 0; i < deltas.length; i++) deltas[i] = withRuns.get(i) - withoutRuns.get(i);
    Arrays.sort(deltas);
    System.out.printf(
        "tests per round: %d, measured rounds: %d (after 1 warm-up)%n", TESTS, rounds - 1);
    System.out.printf(
        "monitor callbacks on the test thread, per test: median %.1f us, p99 %.1f us, max %.1f"
            + " us%n",
        cb[cb.length / 2] / 1e3,
        cb[(int) Math.ceil(cb.length * 0.99) - 1] / 1e3,
        cb[cb.length - 1] / 1e3);
    System.out.printf(
        "  of which executionStarted: median %.1f us, p99 %.1f us%n",
        st[st.length / 2] / 1e3, st[(int) Math.ceil(st.length * 0.99) - 1] / 1e3);
    System.out.printf(
        "control, a listener doing nothing, per test: median %.1f us, p99 %.1f us, max %.1f us%n",
        nb[nb.length / 2] / 1e3,
        nb[(int) Math.ceil(nb.length * 0.99) - 1] / 1e3,
        nb[nb.length - 1] / 1e3);
    System.out.printf(
        "run time per test without monitor: median %.1f us%n", median(withoutRuns) / TESTS / 1e3);
    System.out.printf(
        "run time per test with monitor:    median %.1f us%n", median(withRuns) / TESTS / 1e3);
    System.out.printf(
        "difference per test (paired rounds): median %.1f us%n",
        deltas[deltas.length / 2] / (double) TESTS / 1e3);
    System.out.printf("rows in the file: %s%n", rows(file));
  }

  private static double median(List<Long> v) {
    long[] a = v.stream().mapToLong(Long::longValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2.0;
  }

  private static long run(LauncherDiscoveryRequest request, TestExecutionListener listener) {
    LauncherConfig.Builder config =
        LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false);
    if (listener != null) config.addTestExecutionListeners(listener);
    Launcher launcher = LauncherFactory.create(config.build());
    long t0 = System.nanoTime();
    launcher.execute(request);
    return System.nanoTime() - t0;
  }

  private static String rows(Path file) throws Exception {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM TEST_METRICS")) {
      rs.next();
      return Long.toString(rs.getLong(1));
    }
  }
}
