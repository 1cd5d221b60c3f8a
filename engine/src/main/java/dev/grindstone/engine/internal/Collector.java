package dev.grindstone.engine.internal;

import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.latency.LatencyRecorder;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Rolls the recorders up every period: takes each test's interval, builds the interval snapshot
 * (TPS over the <em>actual</em> interval length, not the nominal one), and folds it into the
 * phase's and the run's cumulative figures (peak TPS = the highest interval TPS), and does the same
 * for how late iterations started. Sampling is driven by {@link #sample}, called by the collector
 * thread every period and by the run at each phase boundary, so every interval belongs to exactly
 * one phase. In a run of several scenarios it keeps each scenario's figures too, and a test's
 * figures are the exact merge of the scenarios that called it.
 */
final class Collector {

  private final Recording recording;
  private final StatisticsSchema schema;
  private final Consumer<IntervalSnapshot> out;
  private final IntSupplier activeUsers;
  private final LatencyRecorder lateness;
  private final LongSupplier lateStarts;
  private final long minPeakMillis;
  private final List<String> scenarioNames;
  private final IntUnaryOperator scenarioUsers;

  /** Per scenario (several only): each test's cumulative figures and the totals' peak TPS. */
  private final List<Map<Integer, Cumulative>> scenarioRuns = new ArrayList<>();

  private final double[] scenarioTotalsPeak;

  private final Map<Integer, Cumulative> run = new LinkedHashMap<>();
  private final List<PhaseCumulative> phases = new ArrayList<>();
  private final Histogram runLateness = Histograms.newHistogram();
  private long sequence;
  private long lastSampleNanos;
  private long lateStartsSoFar;

  /**
   * @param periodMillis the nominal period; an interval shorter than half of it (cut short by a
   *     phase boundary or the end) counts in every total but not for peak TPS, where its few calls
   *     over a few milliseconds would read as a burst that never happened
   * @param lateness where users record how late each iteration started (µs)
   * @param lateStarts how many iterations have started late so far
   */
  Collector(
      Recording recording,
      Consumer<IntervalSnapshot> out,
      IntSupplier activeUsers,
      LatencyRecorder lateness,
      LongSupplier lateStarts,
      long periodMillis) {
    this(recording, out, activeUsers, lateness, lateStarts, periodMillis, List.of(), i -> 0);
  }

  /**
   * @param scenarioNames the names of the run's scenarios, one per table of the recording; empty
   *     for a run of one unnamed scenario
   * @param scenarioUsers the users a scenario (by index) has active now
   */
  Collector(
      Recording recording,
      Consumer<IntervalSnapshot> out,
      IntSupplier activeUsers,
      LatencyRecorder lateness,
      LongSupplier lateStarts,
      long periodMillis,
      List<String> scenarioNames,
      IntUnaryOperator scenarioUsers) {
    this.recording = recording;
    this.scenarioNames = List.copyOf(scenarioNames);
    this.scenarioUsers = scenarioUsers;
    for (int i = 0; i < scenarioNames.size(); i++) {
      scenarioRuns.add(new LinkedHashMap<>());
    }
    this.scenarioTotalsPeak = new double[scenarioNames.size()];

    this.minPeakMillis = Math.max(1, periodMillis / 2);
    this.schema = recording.schema();
    this.out = out;
    this.activeUsers = activeUsers;
    this.lateness = lateness;
    this.lateStarts = lateStarts;
    this.lastSampleNanos = recording.startNanos();
  }

  /**
   * Makes the next interval start at {@code nowNanos} with number {@code sequence}: a process that
   * joins a run late reports from when it joined, numbered as the others number that interval.
   */
  synchronized void skipTo(long nowNanos, long sequence) {
    this.lastSampleNanos = nowNanos;
    this.sequence = sequence;
  }

  /** Starts a phase's cumulative figures; later samples count towards it. */
  synchronized void beginPhase(String name, int index, long nowNanos) {
    phases.add(new PhaseCumulative(name, index, recording.epochMillis(nowNanos)));
  }

  /** Takes the interval since the previous sample and hands its snapshot on. */
  synchronized IntervalSnapshot sample(long nowNanos) {
    long lengthMillis = Math.max(1, Math.round((nowNanos - lastSampleNanos) / 1e6));
    long startEpoch = recording.epochMillis(lastSampleNanos);
    lastSampleNanos = nowNanos;
    PhaseCumulative phase = phases.isEmpty() ? null : phases.getLast();
    boolean full = lengthMillis >= minPeakMillis;
    List<TestFigures> tests = new ArrayList<>();
    List<ScenarioResult> scenarios = new ArrayList<>();
    if (scenarioNames.isEmpty()) {
      for (TestRecorder r : recording.recorders()) {
        StatisticsSet s = new StatisticsSet(schema);
        Histogram ok = Histograms.newHistogram();
        Histogram failed = Histograms.newHistogram();
        TestFigures interval = drain(r, lengthMillis, s, ok, failed);
        tests.add(interval);
        run.computeIfAbsent(r.number(), n -> new Cumulative(List.of(r)))
            .add(interval, s, ok, failed, full);
        if (phase != null) {
          phase
              .tests
              .computeIfAbsent(r.number(), n -> new Cumulative(List.of(r)))
              .add(interval, s, ok, failed, full);
          phase.endEpochMillis = recording.epochMillis(nowNanos);
        }
      }
    } else {
      Map<Integer, List<TestFigures>> byTest = new TreeMap<>();
      Map<Integer, List<TestRecorder>> recordersByTest = new TreeMap<>();
      for (int k = 0; k < scenarioNames.size(); k++) {
        List<TestFigures> mine = new ArrayList<>();
        for (TestRecorder r : recording.recorders(k)) {
          StatisticsSet s = new StatisticsSet(schema);
          Histogram ok = Histograms.newHistogram();
          Histogram failed = Histograms.newHistogram();
          TestFigures interval = drain(r, lengthMillis, s, ok, failed);
          mine.add(interval);
          scenarioRuns
              .get(k)
              .computeIfAbsent(r.number(), n -> new Cumulative(List.of(r)))
              .add(interval, s, ok, failed, full);
          if (phase != null) {
            phase
                .scenarios
                .get(k)
                .computeIfAbsent(r.number(), n -> new Cumulative(List.of(r)))
                .add(interval, s, ok, failed, full);
          }
          byTest.computeIfAbsent(r.number(), n -> new ArrayList<>()).add(interval);
          recordersByTest.computeIfAbsent(r.number(), n -> new ArrayList<>()).add(r);
        }
        TestFigures totals = totals(mine, lengthMillis, -1);
        int users = scenarioUsers.applyAsInt(k);
        scenarioTotalsPeak[k] = Math.max(scenarioTotalsPeak[k], full ? totals.tps() : 0);
        scenarios.add(new ScenarioResult(scenarioNames.get(k), users, mine, totals));
      }
      for (Map.Entry<Integer, List<TestFigures>> e : byTest.entrySet()) {
        List<TestFigures> parts = e.getValue();
        List<TestRecorder> recorders = recordersByTest.get(e.getKey());
        boolean composite = recorders.stream().anyMatch(TestRecorder::isComposite);
        TestFigures interval =
            parts.size() == 1
                ? parts.getFirst()
                : TestFigures.merge(
                    e.getKey(),
                    parts.getFirst().description(),
                    composite,
                    lengthMillis,
                    -1,
                    schema,
                    parts);
        tests.add(interval);
        StatisticsSet s = interval.statistics();
        Histogram ok = interval.successes();
        Histogram failed = interval.failures();
        Cumulative c = run.computeIfAbsent(e.getKey(), n -> new Cumulative(new ArrayList<>()));
        c.join(recorders);
        c.add(interval, s, ok, failed, full);
        if (phase != null) {
          Cumulative pc =
              phase.tests.computeIfAbsent(e.getKey(), n -> new Cumulative(new ArrayList<>()));
          pc.join(recorders);
          pc.add(interval, s, ok, failed, full);
          phase.endEpochMillis = recording.epochMillis(nowNanos);
        }
      }
    }
    Histogram late = lateness.sampleInterval().success().copy();
    long lateSoFar = lateStarts.getAsLong();
    long lateInInterval = lateSoFar - lateStartsSoFar;
    lateStartsSoFar = lateSoFar;
    runLateness.add(late);
    if (phase != null) {
      phase.lateness.add(late);
    }
    IntervalSnapshot snapshot =
        new IntervalSnapshot(
            sequence++,
            phase == null ? "" : phase.name,
            phase == null ? -1 : phase.index,
            startEpoch,
            recording.epochMillis(nowNanos),
            Math.round((nowNanos - recording.startNanos()) / 1e6),
            activeUsers.getAsInt(),
            tests,
            totals(tests, lengthMillis, -1),
            late,
            lateInInterval,
            scenarios);
    double tps = full ? snapshot.totals().tps() : 0;
    runTotalsPeak = Math.max(runTotalsPeak, tps);
    if (phase != null) {
      phase.totalsPeak = Math.max(phase.totalsPeak, tps);
    }
    out.accept(snapshot);
    return snapshot;
  }

  /**
   * Takes a recorder's interval into {@code s}, {@code ok} and {@code failed}, and returns its
   * figures.
   */
  private static TestFigures drain(
      TestRecorder r, long lengthMillis, StatisticsSet s, Histogram ok, Histogram failed) {
    r.drainInterval(s, ok, failed);
    long cancelled = r.drainCancelled();
    return TestFigures.of(
        r.number(), r.description(), r.isComposite(), lengthMillis, s, ok, failed, cancelled);
  }

  /** The run's cumulative figures per test, over the run's length so far. */
  synchronized List<TestFigures> runTests(long nowNanos) {
    long length = Math.max(1, Math.round((nowNanos - recording.startNanos()) / 1e6));
    List<TestFigures> list = new ArrayList<>();
    for (Cumulative c : run.values()) {
      list.add(c.figures(length));
    }
    list.sort((a, b) -> Integer.compare(a.test(), b.test()));
    return list;
  }

  /**
   * Each scenario's cumulative figures over the run's length so far, with the most users it had
   * ({@code peakUsers} by index); empty for one unnamed scenario.
   */
  synchronized List<ScenarioResult> runScenarios(long nowNanos, IntUnaryOperator peakUsers) {
    long length = Math.max(1, Math.round((nowNanos - recording.startNanos()) / 1e6));
    List<ScenarioResult> list = new ArrayList<>();
    for (int k = 0; k < scenarioNames.size(); k++) {
      List<TestFigures> tests = new ArrayList<>();
      for (Cumulative c : scenarioRuns.get(k).values()) {
        tests.add(c.figures(length));
      }
      tests.sort((a, b) -> Integer.compare(a.test(), b.test()));
      list.add(
          new ScenarioResult(
              scenarioNames.get(k),
              peakUsers.applyAsInt(k),
              tests,
              totals(tests, length, scenarioTotalsPeak[k])));
    }
    return list;
  }

  /** How late the run's iterations started (µs), up to the last sample. */
  synchronized Histogram runLateness() {
    return runLateness.copy();
  }

  /** Each phase's figures. */
  synchronized List<PhaseResult> phaseResults() {
    List<PhaseResult> list = new ArrayList<>();
    for (PhaseCumulative p : phases) {
      long length = Math.max(1, p.endEpochMillis - p.startEpochMillis);
      List<TestFigures> tests = new ArrayList<>();
      for (Cumulative c : p.tests.values()) {
        tests.add(c.figures(length));
      }
      tests.sort((a, b) -> Integer.compare(a.test(), b.test()));
      list.add(
          new PhaseResult(
              p.name,
              p.startEpochMillis,
              p.endEpochMillis,
              tests,
              totals(tests, length, p.totalsPeak),
              p.lateness.copy()));
    }
    return list;
  }

  /**
   * Each phase's figures per scenario and test, by scenario name, in the order of {@link
   * #phaseResults}; empty maps in a run of one unnamed scenario. A scenario that made no call in a
   * phase is left out of that phase's map.
   */
  synchronized List<Map<String, List<TestFigures>>> phaseScenarioTests() {
    List<Map<String, List<TestFigures>>> list = new ArrayList<>();
    for (PhaseCumulative p : phases) {
      long length = Math.max(1, p.endEpochMillis - p.startEpochMillis);
      Map<String, List<TestFigures>> byScenario = new LinkedHashMap<>();
      for (int k = 0; k < p.scenarios.size(); k++) {
        List<TestFigures> tests = new ArrayList<>();
        for (Cumulative c : p.scenarios.get(k).values()) {
          tests.add(c.figures(length));
        }
        if (!tests.isEmpty()) {
          tests.sort((a, b) -> Integer.compare(a.test(), b.test()));
          byScenario.put(scenarioNames.get(k), tests);
        }
      }
      list.add(byScenario);
    }
    return list;
  }

  /**
   * The totals over the non-composite tests, with {@code peak} as their peak TPS (-1: their own
   * TPS).
   */
  TestFigures totals(List<TestFigures> tests, long lengthMillis, double peak) {
    return totals(schema, tests, lengthMillis, peak);
  }

  /**
   * The totals over the non-composite {@code tests}, with {@code peak} as their peak TPS (-1: their
   * own TPS).
   */
  static TestFigures totals(
      StatisticsSchema schema, List<TestFigures> tests, long lengthMillis, double peak) {
    List<TestFigures> counted = new ArrayList<>(tests.size());
    for (TestFigures t : tests) {
      if (!t.composite()) {
        counted.add(t);
      }
    }
    return TestFigures.merge(TestFigures.TOTALS, "", false, lengthMillis, peak, schema, counted);
  }

  private double runTotalsPeak;

  synchronized TestFigures runTotals(List<TestFigures> tests, long nowNanos) {
    long length = Math.max(1, Math.round((nowNanos - recording.startNanos()) / 1e6));
    return totals(tests, length, runTotalsPeak);
  }

  /**
   * One test's cumulative figures: of one scenario's recorder, or merged over several scenarios'.
   */
  private final class Cumulative {
    final List<TestRecorder> recorders;
    final StatisticsSet statistics = new StatisticsSet(schema);
    final Histogram successes = Histograms.newHistogram();
    final Histogram failures = Histograms.newHistogram();
    double peak;
    long cancelled;

    Cumulative(List<TestRecorder> recorders) {
      this.recorders = recorders;
    }

    /** Adds the recorders of scenarios that called the test for the first time. */
    void join(List<TestRecorder> more) {
      for (TestRecorder r : more) {
        if (!recorders.contains(r)) {
          recorders.add(r);
        }
      }
    }

    /** True once the test contained another test in any scenario. */
    boolean composite() {
      for (TestRecorder r : recorders) {
        if (r.isComposite()) {
          return true;
        }
      }
      return false;
    }

    /** Adds an interval: its figures, and the statistics and histograms they were made from. */
    void add(
        TestFigures interval,
        StatisticsSet s,
        Histogram ok,
        Histogram failed,
        boolean countsForPeak) {
      if (countsForPeak) {
        peak = Math.max(peak, interval.tps());
      }
      statistics.add(s);
      successes.add(ok);
      failures.add(failed);
      cancelled += interval.cancelled();
    }

    TestFigures figures(long lengthMillis) {
      TestRecorder first = recorders.getFirst();
      return new TestFigures(
          first.number(),
          first.description(),
          composite(),
          lengthMillis,
          peak,
          statistics,
          successes,
          failures,
          cancelled);
    }
  }

  private final class PhaseCumulative {
    final String name;
    final int index;
    final long startEpochMillis;
    long endEpochMillis;
    double totalsPeak;
    final Map<Integer, Cumulative> tests = new LinkedHashMap<>();

    /** Per scenario (several only): each test's figures in this phase. */
    final List<Map<Integer, Cumulative>> scenarios = new ArrayList<>();

    final Histogram lateness = Histograms.newHistogram();

    PhaseCumulative(String name, int index, long startEpochMillis) {
      this.name = name;
      this.index = index;
      this.startEpochMillis = startEpochMillis;
      this.endEpochMillis = startEpochMillis;
      for (int k = 0; k < scenarioNames.size(); k++) {
        scenarios.add(new LinkedHashMap<>());
      }
    }
  }
}
