package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.RunSummary.CorrectedTest;
import dev.grindstone.engine.sink.RunSummary.Omission;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.RunSummary.ScenarioOmission;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Finds coordinated omission in a run's closed-model phases and corrects for it (see {@link
 * Omission}), scenario by scenario. Runs once, at the end of the run. Stateless.
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
   * Coordinated omission in a run of one unnamed scenario.
   *
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
    return check(phases, results, List.of(), tests, totals, List.of(), schema, skippedPacedStarts);
  }

  /**
   * @param phases the run's phases, as configured
   * @param results each phase's figures
   * @param phaseScenarios in a run of several scenarios, each phase's figures per scenario and test
   *     (in the order of {@code results}); empty otherwise
   * @param tests the run's figures per test
   * @param scenarios in a run of several scenarios, each one's figures over the run; empty
   *     otherwise
   */
  static Omission check(
      List<Phase> phases,
      List<PhaseResult> results,
      List<Map<String, List<TestFigures>>> phaseScenarios,
      List<TestFigures> tests,
      TestFigures totals,
      List<ScenarioResult> scenarios,
      StatisticsSchema schema,
      long skippedPacedStarts) {
    boolean several = !scenarios.isEmpty();
    // Each scenario's corrections per test ("" for the run's one scenario), corrected with the
    // scenario's own cycle in each phase: scenarios of one phase pause and pace differently.
    Map<String, Map<Integer, Correction>> byScenario = new LinkedHashMap<>();
    if (several) {
      for (ScenarioResult r : scenarios) {
        byScenario.put(r.name(), corrections(r.tests()));
      }
    } else {
      byScenario.put("", corrections(tests));
    }
    Map<String, Phase> byName =
        phases.stream().collect(Collectors.toMap(Phase::name, Function.identity()));
    for (int i = 0; i < results.size(); i++) {
      PhaseResult r = results.get(i);
      Phase phase = byName.get(r.name());
      if (phase == null) {
        continue;
      }
      String where = results.size() > 1 ? r.name() + ": " : "";
      for (Phase.Load load : phase.loads()) {
        Map<Integer, Correction> scenario = byScenario.get(several ? load.scenario() : "");
        List<TestFigures> inPhase =
            !several
                ? r.tests()
                : i < phaseScenarios.size()
                    ? phaseScenarios.get(i).getOrDefault(load.scenario(), List.of())
                    : List.of();
        if (scenario == null) {
          continue;
        }
        for (TestFigures t : inPhase) {
          Correction c = scenario.get(t.test());
          Histogram raw = t.successes();
          Cycle cycle = c == null || raw.getTotalCount() == 0 ? null : cycle(load, raw);
          if (cycle != null) {
            c.add(raw, cycle, where);
          }
        }
      }
    }

    List<ScenarioOmission> scenarioOmissions = new ArrayList<>();
    Map<Integer, List<Corrected>> byTest = new LinkedHashMap<>();
    for (Map.Entry<String, Map<Integer, Correction>> e : byScenario.entrySet()) {
      List<CorrectedTest> flagged = new ArrayList<>();
      List<TestFigures> counted = new ArrayList<>();
      for (Correction c : e.getValue().values()) {
        CorrectedTest ct = c.result();
        boolean moves = moves(c.raw, ct.corrected());
        if (moves) {
          flagged.add(ct);
        }
        if (!c.raw.composite()) {
          counted.add(ct.corrected());
        }
        byTest
            .computeIfAbsent(c.raw.test(), n -> new ArrayList<>())
            .add(new Corrected(e.getKey(), ct, moves));
      }
      if (several && !flagged.isEmpty()) {
        TestFigures own =
            scenarios.stream()
                .filter(r -> r.name().equals(e.getKey()))
                .findFirst()
                .orElseThrow()
                .totals();
        scenarioOmissions.add(
            new ScenarioOmission(e.getKey(), flagged, correctedTotals(own, schema, counted)));
      }
    }

    List<CorrectedTest> flagged = new ArrayList<>();
    List<TestFigures> counted = new ArrayList<>();
    for (TestFigures t : tests) {
      List<Corrected> parts = byTest.getOrDefault(t.test(), List.of());
      CorrectedTest merged = several ? merge(t, parts) : parts.getFirst().test();
      if (!t.composite()) {
        counted.add(merged.corrected());
      }
      if (moves(t, merged.corrected()) || parts.stream().anyMatch(Corrected::moves)) {
        flagged.add(merged);
      }
    }
    return new Omission(
        flagged,
        flagged.isEmpty() ? null : correctedTotals(totals, schema, counted),
        skippedPacedStarts,
        scenarioOmissions);
  }

  private static Map<Integer, Correction> corrections(List<TestFigures> tests) {
    Map<Integer, Correction> map = new LinkedHashMap<>();
    for (TestFigures t : tests) {
      map.put(t.test(), new Correction(t));
    }
    return map;
  }

  /**
   * A test's figures over several scenarios: the sum of the scenarios' corrected histograms (never
   * an average of their percentiles), each scenario's cycles named after it.
   */
  private static CorrectedTest merge(TestFigures raw, List<Corrected> parts) {
    Histogram sum = Histograms.newHistogram();
    List<String> cycles = new ArrayList<>();
    long stalls = 0;
    for (Corrected p : parts) {
      sum.add(p.test().corrected().successes());
      if (!p.test().cycle().isEmpty()) {
        cycles.add(p.scenario() + ": " + p.test().cycle());
      }
      stalls += p.test().stalls();
    }
    if (parts.isEmpty()) {
      sum.add(raw.successes());
    }
    return new CorrectedTest(
        withSuccesses(raw, sum),
        String.join("; ", cycles),
        stalls,
        sum.getTotalCount() - raw.successes().getTotalCount());
  }

  private static TestFigures correctedTotals(
      TestFigures raw, StatisticsSchema schema, List<TestFigures> counted) {
    return TestFigures.merge(
        TestFigures.TOTALS, "", false, raw.spanMillis(), raw.peakTps(), schema, counted);
  }

  private static TestFigures withSuccesses(TestFigures t, Histogram successes) {
    return new TestFigures(
        t.test(),
        t.description(),
        t.composite(),
        t.spanMillis(),
        t.peakTps(),
        t.statistics(),
        successes,
        t.failures(),
        t.cancelled());
  }

  /**
   * One test's correction in one scenario (or the run's one): its raw successful calls over the
   * run, and the calls its stalls held back, added phase by phase.
   */
  private static final class Correction {
    final TestFigures raw;
    final Histogram corrected;
    final List<String> cycles = new ArrayList<>();
    long stalls;

    Correction(TestFigures raw) {
      this.raw = raw;
      this.corrected = raw.successes().copy();
    }

    /** Adds the calls held back in one phase, whose raw successful calls are {@code inPhase}. */
    void add(Histogram inPhase, Cycle cycle, String where) {
      addHeldBack(corrected, inPhase, cycle.micros);
      if (inPhase.getMaxValue() >= 2 * cycle.micros) {
        stalls += inPhase.getCountBetweenValues(2 * cycle.micros, inPhase.getMaxValue());
      }
      cycles.add(where + cycle.text);
    }

    CorrectedTest result() {
      return new CorrectedTest(
          withSuccesses(raw, corrected),
          String.join("; ", cycles),
          stalls,
          corrected.getTotalCount() - raw.successes().getTotalCount());
    }
  }

  /** A scenario's corrected figures for one test, and whether the correction moved them. */
  private record Corrected(String scenario, CorrectedTest test, boolean moves) {}

  /** A scenario's intended cycle in a phase for one test's calls, in µs, and how it was found. */
  private record Cycle(long micros, String text) {}

  /**
   * Null when the load needs no correction: open model, waves, or already corrected at recording
   * time.
   */
  private static Cycle cycle(Phase.Load load, Histogram raw) {
    if (load.shape().isOpen()
        || load.shape() instanceof LoadShape.Steps s && s.runOnce()
        || load.expectedInterval() != null) {
      return null;
    }
    if (load.thinkTime() instanceof ThinkTime.Pace pace) {
      long micros = Math.max(1, pace.interval().toNanos() / 1000);
      return new Cycle(micros, "pace " + millis(micros));
    }
    long median = Math.max(1, raw.getValueAtPercentile(50));
    long think = meanThinkTime(load.thinkTime()).toNanos() / 1000;
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
    addHeldBack(out, raw, e);
    return out;
  }

  /** Records into {@code out} only the values {@link #correct} adds to {@code raw}. */
  private static void addHeldBack(Histogram out, Histogram raw, long e) {
    if (e <= 0) {
      return;
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
  }
}
