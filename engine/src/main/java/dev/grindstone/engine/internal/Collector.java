package dev.grindstone.engine.internal;

import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.TestSnapshot;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.latency.LatencyRecorder;
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
  private final LongIndex period;
  private final DoubleIndex peakTps;
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
    this.period = schema.longIndex(StatisticsSchema.PERIOD);
    this.peakTps = schema.doubleIndex(StatisticsSchema.PEAK_TPS);
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
    List<TestSnapshot> tests = new ArrayList<>();
    for (TestRecorder r : recording.recorders()) {
      StatisticsSet s = new StatisticsSet(schema);
      Histogram ok = Histograms.newHistogram();
      Histogram failed = Histograms.newHistogram();
      r.drainInterval(s, ok, failed);
      long cancelled = r.drainCancelled();
      s.setLong(period, lengthMillis);
      TestSnapshot interval = new TestSnapshot(r.number(), r.description(), r.isComposite(), s, ok, failed,
          cancelled);
      s.setDouble(peakTps, interval.tps());
      tests.add(interval);
      boolean full = lengthMillis >= minPeakMillis;
      run.computeIfAbsent(r.number(), n -> new Cumulative(r)).add(interval, full);
      if (phase != null) {
        phase.tests.computeIfAbsent(r.number(), n -> new Cumulative(r)).add(interval, full);
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
    double tps = lengthMillis >= minPeakMillis ? snapshot.totals().tps() : 0;
    runTotalsPeak = Math.max(runTotalsPeak, tps);
    if (phase != null) {
      phase.totalsPeak = Math.max(phase.totalsPeak, tps);
    }
    out.accept(snapshot);
    return snapshot;
  }

  /** The run's cumulative figures per test, with {@code period} the run's length so far. */
  synchronized List<TestSnapshot> runTests(long nowNanos) {
    long length = Math.max(1, Math.round((nowNanos - recording.startNanos()) / 1e6));
    List<TestSnapshot> list = new ArrayList<>();
    for (Cumulative c : run.values()) {
      list.add(c.snapshot(length));
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
      List<TestSnapshot> tests = new ArrayList<>();
      for (Cumulative c : p.tests.values()) {
        tests.add(c.snapshot(length));
      }
      tests.sort((a, b) -> Integer.compare(a.test(), b.test()));
      list.add(new PhaseResult(p.name, p.startEpochMillis, p.endEpochMillis, tests,
          totals(tests, length, p.totalsPeak), p.lateness.copy()));
    }
    return list;
  }

  /** The totals over the non-composite tests, with {@code peak} as their peak TPS (-1: their own TPS). */
  TestSnapshot totals(List<TestSnapshot> tests, long lengthMillis, double peak) {
    StatisticsSet s = new StatisticsSet(schema);
    Histogram ok = Histograms.newHistogram();
    Histogram failed = Histograms.newHistogram();
    long cancelled = 0;
    for (TestSnapshot t : tests) {
      if (t.composite()) {
        continue;
      }
      s.add(t.statistics());
      ok.add(t.successes());
      failed.add(t.failures());
      cancelled += t.cancelled();
    }
    s.setLong(period, lengthMillis);
    TestSnapshot totals = new TestSnapshot(-1, "Totals", false, s, ok, failed, cancelled);
    s.setDouble(peakTps, peak < 0 ? totals.tps() : peak);
    return totals;
  }

  private double runTotalsPeak;

  synchronized TestSnapshot runTotals(List<TestSnapshot> tests, long nowNanos) {
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

    void add(TestSnapshot interval, boolean countsForPeak) {
      if (countsForPeak) {
        peak = Math.max(peak, interval.tps());
      }
      statistics.add(interval.statistics());
      successes.add(interval.successes());
      failures.add(interval.failures());
      cancelled += interval.cancelled();
    }

    TestSnapshot snapshot(long lengthMillis) {
      StatisticsSet s = statistics.snapshot();
      s.setLong(period, lengthMillis);
      s.setDouble(peakTps, peak);
      s.setComposite(recorder.isComposite());
      return new TestSnapshot(recorder.number(), recorder.description(), recorder.isComposite(), s,
          successes.copy(), failures.copy(), cancelled);
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
