package dev.grindstone.engine.internal;

import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.latency.LatencyRecorder;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Rolls the recorders up every period: takes each test's interval, builds the interval snapshot
 * (TPS over the <em>actual</em> interval length, not the nominal one), and folds it into the
 * phase's and the run's cumulative figures (peak TPS = the highest interval TPS), and does the
 * same for how late iterations started. Sampling is driven by {@link #sample}, called by the
 * collector thread every period and by the run at each phase boundary, so every interval belongs
 * to exactly one phase.
 */
final class Collector {

  private final Recording recording;
  private final StatisticsSchema schema;
  private final Consumer<IntervalSnapshot> out;
  private final IntSupplier activeUsers;
  private final LatencyRecorder lateness;
  private final LongSupplier lateStarts;
  private final long minPeakMillis;

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
  Collector(Recording recording, Consumer<IntervalSnapshot> out, IntSupplier activeUsers, LatencyRecorder lateness,
      LongSupplier lateStarts, long periodMillis) {
    this.recording = recording;
    this.minPeakMillis = Math.max(1, periodMillis / 2);
    this.schema = recording.schema();
    this.out = out;
    this.activeUsers = activeUsers;
    this.lateness = lateness;
    this.lateStarts = lateStarts;
    this.lastSampleNanos = recording.startNanos();
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
    for (TestRecorder r : recording.recorders()) {
      StatisticsSet s = new StatisticsSet(schema);
      Histogram ok = Histograms.newHistogram();
      Histogram failed = Histograms.newHistogram();
      r.drainInterval(s, ok, failed);
      long cancelled = r.drainCancelled();
      TestFigures interval = TestFigures.of(r.number(), r.description(), r.isComposite(), lengthMillis, s, ok,
          failed, cancelled);
      tests.add(interval);
      run.computeIfAbsent(r.number(), n -> new Cumulative(r)).add(interval, s, ok, failed, full);
      if (phase != null) {
        phase.tests.computeIfAbsent(r.number(), n -> new Cumulative(r)).add(interval, s, ok, failed, full);
        phase.endEpochMillis = recording.epochMillis(nowNanos);
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
    IntervalSnapshot snapshot = new IntervalSnapshot(sequence++, phase == null ? "" : phase.name,
        phase == null ? -1 : phase.index, startEpoch, recording.epochMillis(nowNanos),
        Math.round((nowNanos - recording.startNanos()) / 1e6), activeUsers.getAsInt(), tests,
        totals(tests, lengthMillis, -1), late, lateInInterval);
    double tps = full ? snapshot.totals().tps() : 0;
    runTotalsPeak = Math.max(runTotalsPeak, tps);
    if (phase != null) {
      phase.totalsPeak = Math.max(phase.totalsPeak, tps);
    }
    out.accept(snapshot);
    return snapshot;
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
      list.add(new PhaseResult(p.name, p.startEpochMillis, p.endEpochMillis, tests,
          totals(tests, length, p.totalsPeak), p.lateness.copy()));
    }
    return list;
  }

  /** The totals over the non-composite tests, with {@code peak} as their peak TPS (-1: their own TPS). */
  TestFigures totals(List<TestFigures> tests, long lengthMillis, double peak) {
    return totals(schema, tests, lengthMillis, peak);
  }

  /** The totals over the non-composite {@code tests}, with {@code peak} as their peak TPS (-1: their own TPS). */
  static TestFigures totals(StatisticsSchema schema, List<TestFigures> tests, long lengthMillis, double peak) {
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

  /** One test's cumulative figures. */
  private final class Cumulative {
    final TestRecorder recorder;
    final StatisticsSet statistics = new StatisticsSet(schema);
    final Histogram successes = Histograms.newHistogram();
    final Histogram failures = Histograms.newHistogram();
    double peak;
    long cancelled;

    Cumulative(TestRecorder recorder) {
      this.recorder = recorder;
    }

    /** Adds an interval: its figures, and the statistics and histograms they were made from. */
    void add(TestFigures interval, StatisticsSet s, Histogram ok, Histogram failed, boolean countsForPeak) {
      if (countsForPeak) {
        peak = Math.max(peak, interval.tps());
      }
      statistics.add(s);
      successes.add(ok);
      failures.add(failed);
      cancelled += interval.cancelled();
    }

    TestFigures figures(long lengthMillis) {
      return new TestFigures(recorder.number(), recorder.description(), recorder.isComposite(), lengthMillis, peak,
          statistics, successes, failures, cancelled);
    }
  }

  private final class PhaseCumulative {
    final String name;
    final int index;
    final long startEpochMillis;
    long endEpochMillis;
    double totalsPeak;
    final Map<Integer, Cumulative> tests = new LinkedHashMap<>();
    final Histogram lateness = Histograms.newHistogram();

    PhaseCumulative(String name, int index, long startEpochMillis) {
      this.name = name;
      this.index = index;
      this.startEpochMillis = startEpochMillis;
      this.endEpochMillis = startEpochMillis;
    }
  }
}
