package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.RunSummary.CorrectedTest;
import dev.grindstone.engine.sink.RunSummary.Omission;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Finds coordinated omission in a run's closed-model phases and corrects for it (see {@link
 * Omission}). Runs once, at the end of the run. Stateless.
 */
final class OmissionCheck {

  /**
   * A test is reported when the correction at least doubles one of these percentiles (and moves it
   * by {@link #MIN_MOVE_MILLIS} or more): enough to change what the table says, not a few jittery
   * calls that a loaded load generator makes anyway. p99.9 is left out: one slow call moves it.
   */
  static final double[] WATCHED = {50, 90, 95, 99};

  static final double MOVE = 2.0;

  static final double MIN_MOVE_MILLIS = 1.0;

  private OmissionCheck() {}

  /**
   * @param phases the run's phases, as configured
   * @param results each phase's figures
   * @param tests the run's figures per test
   */
  static Omission check(
      List<Phase> phases,
      List<PhaseResult> results,
      List<TestFigures> tests,
      TestFigures totals,
      StatisticsSchema schema,
      long skippedPacedStarts) {
    Map<String, Phase> byName =
        phases.stream().collect(Collectors.toMap(Phase::name, Function.identity()));
    List<CorrectedTest> flagged = new ArrayList<>();
    List<TestFigures> counted = new ArrayList<>();
    for (TestFigures t : tests) {
      Histogram corrected = Histograms.newHistogram();
      List<String> cycles = new ArrayList<>();
      long stalls = 0;
      for (PhaseResult r : results) {
        TestFigures inPhase =
            r.tests().stream().filter(x -> x.test() == t.test()).findFirst().orElse(null);
        if (inPhase == null) {
          continue;
        }
        Histogram raw = inPhase.successes();
        Phase phase = byName.get(r.name());
        Cycle cycle = phase == null || raw.getTotalCount() == 0 ? null : cycle(phase, raw);
        if (cycle == null) {
          corrected.add(raw);
          continue;
        }
        corrected.add(correct(raw, cycle.micros));
        if (raw.getMaxValue() >= 2 * cycle.micros) {
          stalls += raw.getCountBetweenValues(2 * cycle.micros, raw.getMaxValue());
        }
        cycles.add((results.size() > 1 ? r.name() + ": " : "") + cycle.text);
      }
      TestFigures c =
          new TestFigures(
              t.test(),
              t.description(),
              t.composite(),
              t.spanMillis(),
              t.peakTps(),
              t.statistics(),
              corrected,
              t.failures(),
              t.cancelled());
      if (!t.composite()) {
        counted.add(c);
      }
      if (moves(t, c)) {
        flagged.add(
            new CorrectedTest(
                c,
                String.join("; ", cycles),
                stalls,
                corrected.getTotalCount() - t.successes().getTotalCount()));
      }
    }
    TestFigures correctedTotals =
        flagged.isEmpty()
            ? null
            : TestFigures.merge(
                TestFigures.TOTALS,
                "",
                false,
                totals.spanMillis(),
                totals.peakTps(),
                schema,
                counted);
    return new Omission(flagged, correctedTotals, skippedPacedStarts);
  }

  /** A phase's intended cycle for one test's calls, in µs, and how it was found. */
  private record Cycle(long micros, String text) {}

  /**
   * Null when the phase needs no correction: open model, waves, or already corrected; and a phase
   * of several scenarios, whose intended cycles differ scenario by scenario.
   */
  private static Cycle cycle(Phase phase, Histogram raw) {
    if (!phase.scenarios().isEmpty()
        || phase.shape().isOpen()
        || phase.shape() instanceof LoadShape.Steps s && s.runOnce()
        || phase.expectedInterval() != null) {
      return null;
    }
    if (phase.pace() != null) {
      long micros = Math.max(1, phase.pace().toNanos() / 1000);
      return new Cycle(micros, "pace " + millis(micros));
    }
    long median = Math.max(1, raw.getValueAtPercentile(50));
    long think = meanThinkTime(phase.thinkTime()).toNanos() / 1000;
    if (think > 0) {
      return new Cycle(
          think + median, "think time " + millis(think) + " + median call " + millis(median));
    }
    return new Cycle(median, "median call " + millis(median));
  }

  private static Duration meanThinkTime(ThinkTime t) {
    return switch (t) {
      case ThinkTime.Constant c -> c.pause();
      case ThinkTime.Uniform u -> u.min().plus(u.max()).dividedBy(2);
      case ThinkTime.Normal n -> n.mean();
      case ThinkTime.Pace p -> Duration.ZERO; // a paced phase's cycle is its pace (see cycle)
    };
  }

  private static String millis(long micros) {
    return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
  }

  /**
   * True when the correction moves a watched percentile enough to report (see {@link #WATCHED}).
   */
  static boolean moves(TestFigures raw, TestFigures corrected) {
    for (double p : WATCHED) {
      double r = raw.percentileMillis(p);
      double c = corrected.percentileMillis(p);
      if (!Double.isNaN(r) && c >= r * MOVE && c - r >= MIN_MOVE_MILLIS) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code raw} corrected with HdrHistogram's expected-interval correction: each recorded value v
   * also records v − e, v − 2e, ... down to e, as {@link
   * Histogram#copyCorrectedForCoordinatedOmission} does. The values a bucket receives are counted
   * in one step instead of one at a time, so the counts are the same, but the cost is bounded by
   * the buckets, not by v / e (a 60 s stall with a 50 µs median would be 1.2 million records).
   */
  static Histogram correct(Histogram raw, long e) {
    Histogram out = raw.copy();
    if (e <= 0) {
      return out;
    }
    for (HistogramIterationValue v : raw.recordedValues()) {
      long count = v.getCountAtValueIteratedTo();
      long x = v.getValueIteratedTo() - e;
      while (x >= e) {
        long low = Math.max(e, out.lowestEquivalentValue(x));
        long n = (x - low) / e + 1; // x, x − e, ... that fall in x's bucket
        out.recordValueWithCount(x, n * count);
        x -= n * e;
      }
    }
    return out;
  }
}
