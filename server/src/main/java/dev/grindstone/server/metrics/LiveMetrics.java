package dev.grindstone.server.metrics;

import dev.grindstone.stats.latency.LatencyBuckets;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The live figures of load-test runs and LiveCheck cases as Prometheus metrics, fed as snapshots
 * and reports are stored, read when {@code /metrics} is scraped.
 *
 * <p>Runs: per test {@code grindstone_calls_total} (outcome success, error, cancelled) and {@code
 * grindstone_call_duration_seconds} (classic buckets of {@link LatencyBuckets}); per run {@code
 * grindstone_active_users} and {@code grindstone_late_starts_total}; labels {@code run}, {@code
 * run_id}, {@code test}, {@code description}. The counters add up what this server stored since it
 * started (a restart is a counter reset to Prometheus; several servers sharing a store each export
 * what they stored, so sum over instances). Cardinality is bounded: a run leaves once it has been
 * finished for the grace period (so at least one scrape sees its final figures), or after {@link
 * #IDLE} without a snapshot, and at most {@link #MAX_RUNS} runs are kept (the least recently
 * updated leave first).
 *
 * <p>LiveCheck, per app and case: {@code grindstone_livecheck_case_state} (1 for the current {@code
 * state}, 0 for the six others), {@code grindstone_livecheck_consecutive_failures}, {@code
 * grindstone_livecheck_failures_total} (both as the latest report gives them), {@code
 * grindstone_livecheck_tests_total} by state, and {@code grindstone_livecheck_runtime_seconds} and
 * {@code grindstone_livecheck_signal_latency_seconds} ({@code signal} label) histograms. At most
 * {@link #MAX_CASES} cases are kept.
 *
 * <p>Thread-safe: writers and scrapes take one lock, briefly.
 */
public final class LiveMetrics implements MultiCollector {

  /** Runs kept at most. */
  public static final int MAX_RUNS = 100;

  /** A run that neither finished nor sent a snapshot for this long leaves. */
  public static final Duration IDLE = Duration.ofMinutes(30);

  /** LiveCheck cases (app and case) kept at most. */
  public static final int MAX_CASES = 1000;

  private static final String[] STATES = {
    "INIT", "PASS", "FAIL", "ERROR", "TIMEOUT", "STALL", "SKIP"
  };

  /**
   * One test's figures in one stored snapshot.
   *
   * @param sumMicros the exact sum of the successful calls' times
   * @param buckets the successful calls per {@link LatencyBuckets} bucket (not cumulative)
   */
  public record TestFigures(
      int number, long successes, long errors, long cancelled, double sumMicros, long[] buckets) {}

  /**
   * One scenario's figures in one stored snapshot of a run of several scenarios.
   *
   * @param activeUsers its virtual users running at the end of the interval, or null
   */
  public record ScenarioFigures(String name, Integer activeUsers, List<TestFigures> tests) {}

  /**
   * A run as the store knows it.
   *
   * @param descriptions test descriptions by number (an empty one is left out of the labels)
   */
  public record RunView(String name, boolean finished, Map<Integer, String> descriptions) {}

  /**
   * One stored LiveCheck report.
   *
   * @param runtimeSeconds null when the report has none
   * @param testReport false for a suite report (no test id)
   */
  public record CaseReport(
      String app,
      String caseName,
      String state,
      Double runtimeSeconds,
      Map<String, Double> signalLatencySeconds,
      long consecutiveFailures,
      long totalFailures,
      boolean testReport) {}

  private final Clock clock;
  private final Duration grace;
  private final Function<String, Optional<RunView>> store;
  private final Object lock = new Object();
  private final LinkedHashMap<String, RunState> runs = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<List<String>, CaseState> cases =
      new TreeMap<>(
          (a, b) ->
              a.get(0).equals(b.get(0))
                  ? a.get(1).compareTo(b.get(1))
                  : a.get(0).compareTo(b.get(0)));

  /**
   * @param grace how long a finished run stays
   * @param store reads a run's name, status and test descriptions (empty when it is gone)
   */
  public LiveMetrics(Clock clock, Duration grace, Function<String, Optional<RunView>> store) {
    this.clock = clock;
    this.grace = grace;
    this.store = store;
  }

  private static final class TestState {
    long successes;
    long errors;
    long cancelled;
    double sumMicros;
    final long[] buckets = new long[LatencyBuckets.count()];
  }

  private static final class RunState {
    final Map<Integer, TestState> tests = new TreeMap<>();
    final Map<String, Integer> activeUsers = new TreeMap<>();

    /** A run of several scenarios: each one's tests, and its users by agent. */
    final Map<String, Map<Integer, TestState>> scenarioTests = new TreeMap<>();

    final Map<String, Map<String, Integer>> scenarioUsers = new TreeMap<>();

    long lateStarts;
    boolean lateStartsReported;
    long lastSnapshotMillis;
    long finishedSeenMillis = -1;
    RunView view;
  }

  private static final class CaseState {
    String state;
    long consecutive;
    long total;
    final Map<String, Long> tests = new TreeMap<>();
    final Distribution runtime = new Distribution();
    final Map<String, Distribution> signals = new TreeMap<>();
  }

  /** Seconds in {@link LatencyBuckets}, with their exact sum. */
  private static final class Distribution {
    final long[] buckets = new long[LatencyBuckets.count()];
    double sum;

    void add(double seconds) {
      // Whole microseconds, as the runs' histograms count them.
      buckets[LatencyBuckets.bucketOf((long) Math.ceil(seconds * 1e6))]++;
      sum += seconds;
    }
  }

  /** A snapshot that was stored (not a re-post): adds its figures to its run. */
  public void snapshotStored(
      String runId, String agent, List<TestFigures> tests, Integer activeUsers, Long lateStarts) {
    snapshotStored(runId, agent, tests, activeUsers, lateStarts, List.of());
  }

  /**
   * A snapshot that was stored (not a re-post): adds its figures to its run, and, for a run of
   * several scenarios, each scenario's to the scenario's.
   */
  public void snapshotStored(
      String runId,
      String agent,
      List<TestFigures> tests,
      Integer activeUsers,
      Long lateStarts,
      List<ScenarioFigures> scenarios) {
    synchronized (lock) {
      RunState run = runs.computeIfAbsent(runId, k -> new RunState());
      run.lastSnapshotMillis = clock.millis();
      add(run.tests, tests);
      for (ScenarioFigures sc : scenarios) {
        add(run.scenarioTests.computeIfAbsent(sc.name(), k -> new TreeMap<>()), sc.tests());
        if (sc.activeUsers() != null) {
          run.scenarioUsers
              .computeIfAbsent(sc.name(), k -> new TreeMap<>())
              .put(agent, sc.activeUsers());
        }
      }
      if (activeUsers != null) {
        run.activeUsers.put(agent, activeUsers);
      }
      if (lateStarts != null) {
        run.lateStarts += lateStarts;
        run.lateStartsReported = true;
      }
      Iterator<RunState> eldest = runs.values().iterator();
      while (runs.size() > MAX_RUNS) {
        eldest.next();
        eldest.remove();
      }
    }
  }

  private static void add(Map<Integer, TestState> into, List<TestFigures> tests) {
    for (TestFigures f : tests) {
      TestState t = into.computeIfAbsent(f.number(), k -> new TestState());
      t.successes += f.successes();
      t.errors += f.errors();
      t.cancelled += f.cancelled();
      t.sumMicros += f.sumMicros();
      for (int i = 0; i < t.buckets.length; i++) {
        t.buckets[i] += f.buckets()[i];
      }
    }
  }

  /** A LiveCheck report that was stored. */
  public void caseReported(CaseReport r) {
    synchronized (lock) {
      List<String> key = List.of(r.app(), r.caseName());
      CaseState c = cases.get(key);
      if (c == null) {
        if (cases.size() >= MAX_CASES) {
          return;
        }
        c = new CaseState();
        cases.put(key, c);
      }
      c.state = r.state();
      c.consecutive = r.consecutiveFailures();
      c.total = r.totalFailures();
      if (r.testReport()) {
        c.tests.merge(r.state(), 1L, Long::sum);
        if (r.runtimeSeconds() != null) {
          c.runtime.add(r.runtimeSeconds());
        }
        if (r.signalLatencySeconds() != null) {
          for (Map.Entry<String, Double> e : r.signalLatencySeconds().entrySet()) {
            if (e.getValue() != null) {
              c.signals.computeIfAbsent(e.getKey(), k -> new Distribution()).add(e.getValue());
            }
          }
        }
      }
    }
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, RunState> live = liveRuns();
    CounterSnapshot.Builder calls =
        CounterSnapshot.builder()
            .name("grindstone_calls")
            .help(
                "Completed calls per test: outcome success (The Grinder's Tests), error, or"
                    + " cancelled at stop.");
    HistogramSnapshot.Builder durations =
        HistogramSnapshot.builder()
            .name("grindstone_call_duration_seconds")
            .help("Latency of successful calls per test.")
            .unit(Unit.SECONDS);
    GaugeSnapshot.Builder users =
        GaugeSnapshot.builder()
            .name("grindstone_active_users")
            .help("Virtual users running at the end of the latest period, over the run's agents.");
    CounterSnapshot.Builder late =
        CounterSnapshot.builder()
            .name("grindstone_late_starts")
            .help("Iterations that started more than 10 ms after they were planned.");
    List<MetricSnapshot> out = new ArrayList<>();
    synchronized (lock) {
      for (Map.Entry<String, RunState> e : live.entrySet()) {
        RunState run = e.getValue();
        Labels runLabels = Labels.of("run", run.view.name(), "run_id", e.getKey());
        if (run.scenarioTests.isEmpty()) {
          addTests(calls, durations, run, runLabels, run.tests);
        } else {
          // A run of several scenarios: series per scenario, as remote write sends them; sum by
          // (test) gives a test's figures over the scenarios.
          for (Map.Entry<String, Map<Integer, TestState>> se : run.scenarioTests.entrySet()) {
            addTests(calls, durations, run, runLabels.add("scenario", se.getKey()), se.getValue());
          }
        }
        if (!run.scenarioUsers.isEmpty()) {
          for (Map.Entry<String, Map<String, Integer>> se : run.scenarioUsers.entrySet()) {
            users.dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(runLabels.add("scenario", se.getKey()))
                    .value(sum(se.getValue()))
                    .build());
          }
        } else if (!run.activeUsers.isEmpty()) {
          users.dataPoint(
              GaugeSnapshot.GaugeDataPointSnapshot.builder()
                  .labels(runLabels)
                  .value(sum(run.activeUsers))
                  .build());
        }
        if (run.lateStartsReported) {
          late.dataPoint(counter(runLabels, run.lateStarts));
        }
      }
      out.add(calls.build());
      out.add(durations.build());
      out.add(users.build());
      out.add(late.build());
      addCases(out);
    }
    return new MetricSnapshots(out.stream().filter(m -> !m.getDataPoints().isEmpty()).toList());
  }

  private static long sum(Map<String, Integer> byAgent) {
    long sum = 0;
    for (int n : byAgent.values()) {
      sum += n;
    }
    return sum;
  }

  private static void addTests(
      CounterSnapshot.Builder calls,
      HistogramSnapshot.Builder durations,
      RunState run,
      Labels base,
      Map<Integer, TestState> tests) {
    for (Map.Entry<Integer, TestState> te : tests.entrySet()) {
      TestState t = te.getValue();
      String description = run.view.descriptions().getOrDefault(te.getKey(), "");
      Labels labels =
          description.isEmpty()
              ? base.add("test", Integer.toString(te.getKey()))
              : base.add("test", Integer.toString(te.getKey())).add("description", description);
      calls.dataPoint(counter(labels.add("outcome", "success"), t.successes));
      calls.dataPoint(counter(labels.add("outcome", "error"), t.errors));
      if (t.cancelled > 0) {
        calls.dataPoint(counter(labels.add("outcome", "cancelled"), t.cancelled));
      }
      durations.dataPoint(histogram(labels, t.buckets, t.sumMicros / 1e6));
    }
  }

  /** The runs to export, their store view refreshed; those past their time leave. */
  private Map<String, RunState> liveRuns() {
    List<Map.Entry<String, RunState>> known;
    synchronized (lock) {
      known = new ArrayList<>(runs.entrySet());
    }
    long now = clock.millis();
    Map<String, RunState> live = new TreeMap<>();
    List<String> gone = new ArrayList<>();
    for (Map.Entry<String, RunState> e : known) {
      RunState run = e.getValue();
      RunView view = run.view;
      if (view == null || !view.finished()) {
        // Outside the lock: the store may take a moment.
        view = store.apply(e.getKey()).orElse(null);
      }
      synchronized (lock) {
        run.view = view;
        if (view != null && view.finished() && run.finishedSeenMillis < 0) {
          run.finishedSeenMillis = now;
        }
        boolean over =
            view == null
                || (run.finishedSeenMillis >= 0 && now - run.finishedSeenMillis > grace.toMillis())
                || (run.finishedSeenMillis < 0 && now - run.lastSnapshotMillis > IDLE.toMillis());
        if (over) {
          gone.add(e.getKey());
        } else {
          live.put(e.getKey(), run);
        }
      }
    }
    synchronized (lock) {
      gone.forEach(runs::remove);
    }
    return live;
  }

  private void addCases(List<MetricSnapshot> out) {
    GaugeSnapshot.Builder state =
        GaugeSnapshot.builder()
            .name("grindstone_livecheck_case_state")
            .help(
                "1 for the state each LiveCheck case is in (its latest report's), 0 for the"
                    + " others.");
    GaugeSnapshot.Builder consecutive =
        GaugeSnapshot.builder()
            .name("grindstone_livecheck_consecutive_failures")
            .help("Failures in a row, as the case's latest report gives them.");
    CounterSnapshot.Builder failures =
        CounterSnapshot.builder()
            .name("grindstone_livecheck_failures")
            .help("Failures since the case's app started, as its latest report gives them.");
    CounterSnapshot.Builder tests =
        CounterSnapshot.builder()
            .name("grindstone_livecheck_tests")
            .help("Test reports this server stored, by state.");
    HistogramSnapshot.Builder runtime =
        HistogramSnapshot.builder()
            .name("grindstone_livecheck_runtime_seconds")
            .help("How long each test ran.")
            .unit(Unit.SECONDS);
    HistogramSnapshot.Builder signals =
        HistogramSnapshot.builder()
            .name("grindstone_livecheck_signal_latency_seconds")
            .help("How long each test waited for each signal.")
            .unit(Unit.SECONDS);
    for (Map.Entry<List<String>, CaseState> e : cases.entrySet()) {
      Labels labels = Labels.of("app", e.getKey().get(0), "case", e.getKey().get(1));
      CaseState c = e.getValue();
      for (String name : STATES) {
        state.dataPoint(
            GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(labels.add("state", name))
                .value(name.equals(c.state) ? 1 : 0)
                .build());
      }
      consecutive.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .labels(labels)
              .value(c.consecutive)
              .build());
      failures.dataPoint(counter(labels, c.total));
      c.tests.forEach((st, n) -> tests.dataPoint(counter(labels.add("state", st), n)));
      if (!c.tests.isEmpty()) {
        runtime.dataPoint(histogram(labels, c.runtime.buckets, c.runtime.sum));
      }
      c.signals.forEach(
          (name, d) -> signals.dataPoint(histogram(labels.add("signal", name), d.buckets, d.sum)));
    }
    out.add(state.build());
    out.add(consecutive.build());
    out.add(failures.build());
    out.add(tests.build());
    out.add(runtime.build());
    out.add(signals.build());
  }

  private static CounterSnapshot.CounterDataPointSnapshot counter(Labels labels, double value) {
    return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static HistogramSnapshot.HistogramDataPointSnapshot histogram(
      Labels labels, long[] buckets, double sum) {
    double[] bounds = new double[buckets.length];
    long[] counts = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      bounds[i] = LatencyBuckets.upperBoundSeconds(i);
      counts[i] = buckets[i];
    }
    return HistogramSnapshot.HistogramDataPointSnapshot.builder()
        .labels(labels)
        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
        .sum(sum)
        .build();
  }

  /** For the tests: how many runs are kept. */
  int runsKept() {
    synchronized (lock) {
      return runs.size();
    }
  }
}
