package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.Threshold;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.RunSummary.ThresholdAbort;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checks the live thresholds once a period, as each interval snapshot is taken: rules over a
 * rolling window on each window of intervals (their statistics and histograms merged exactly, never
 * their percentiles averaged), and rules with {@code abort_on_fail} on the figures so far. A rule
 * with {@code abort_on_fail} that fails, once its {@code delay_abort_eval} has passed, stops the
 * run through {@code abort}. Confined to the collector: every method is called under the
 * collector's lock.
 */
final class ThresholdWatch {

  /** What the figures so far are: the run's, or a phase's. */
  interface Figures {
    /** Each test's cumulative figures so far, and the totals last. */
    List<TestFigures> run();

    /** The phase's figures so far, or null when it has not started. */
    PhaseResult phase(String name);
  }

  /** A windowed rule's worst window for one scope, and whether any window failed. */
  static final class Worst {
    double actual = Double.NaN;
    long endMillis;
    long firstFailedMillis = -1;

    String detail(Threshold rule) {
      String s =
          String.format(
              Locale.ROOT, "worst %s window ended at %.1f s", window(rule), endMillis / 1000.0);
      return firstFailedMillis < 0
          ? s
          : s
              + String.format(
                  Locale.ROOT,
                  "; first failed in the window ended at %.1f s",
                  firstFailedMillis / 1000.0);
    }
  }

  private record Key(int rule, String scope) {}

  private final List<Threshold> rules;
  private final long periodMillis;
  private final StatisticsSchema schema;
  private final Figures figures;
  private final Consumer<ThresholdAbort> abort;
  private final long longestWindowMillis;
  private final ArrayDeque<IntervalSnapshot> recent = new ArrayDeque<>();
  private final Map<String, Long> phaseStarts = new HashMap<>();
  private final Map<Key, Worst> windows = new HashMap<>();
  private final Map<Integer, Boolean> fullWindowSeen = new HashMap<>();
  private final Map<Key, LiveFailure> liveFailures = new HashMap<>();
  private boolean aborted;

  /** A rule over the figures so far that failed live (and stopped the run). */
  record LiveFailure(double actual, long atMillis) {}

  ThresholdWatch(
      List<Threshold> rules,
      long periodMillis,
      StatisticsSchema schema,
      Figures figures,
      Consumer<ThresholdAbort> abort) {
    this.rules = List.copyOf(rules);
    this.periodMillis = periodMillis;
    this.schema = schema;
    this.figures = figures;
    this.abort = abort;
    long longest = 0;
    for (Threshold t : rules) {
      if (t.window() != null) {
        longest = Math.max(longest, t.window().toMillis());
      }
    }
    this.longestWindowMillis = longest;
  }

  /** True when some rule must be checked live. */
  static boolean needed(List<Threshold> rules) {
    return rules.stream().anyMatch(Threshold::isLive);
  }

  /** Checks the live rules against the figures up to the end of {@code s}. */
  void interval(IntervalSnapshot s) {
    long end = s.elapsedMillis();
    phaseStarts.putIfAbsent(s.phase(), end - s.lengthMillis());
    recent.addLast(s);
    while (recent.size() > 1 && recent.peekFirst().elapsedMillis() <= end - longestWindowMillis) {
      recent.removeFirst();
    }
    for (int i = 0; i < rules.size(); i++) {
      Threshold rule = rules.get(i);
      if (!rule.isLive() || rule.phase() != null && !rule.phase().equals(s.phase())) {
        continue;
      }
      long origin = rule.phase() == null ? 0 : phaseStarts.get(rule.phase());
      boolean mayAbort =
          rule.abortOnFail() && !aborted && end - origin >= rule.delayAbortEval().toMillis();
      if (rule.window() != null) {
        checkWindow(i, rule, s, origin, mayAbort);
      } else if (mayAbort) {
        checkSoFar(i, rule, s);
      }
    }
  }

  private void checkWindow(
      int index, Threshold rule, IntervalSnapshot s, long origin, boolean mayAbort) {
    long end = s.elapsedMillis();
    long window = rule.window().toMillis();
    // A window holds whole periods: full once the run (or phase) has lasted it, give or take half a
    // period.
    if (end - origin < window - periodMillis / 2) {
      return;
    }
    fullWindowSeen.put(index, true);
    List<IntervalSnapshot> in = new ArrayList<>();
    for (IntervalSnapshot x : recent) {
      if (x.elapsedMillis() > end - window
          && (rule.phase() == null || rule.phase().equals(x.phase()))) {
        in.add(x);
      }
    }
    for (Map.Entry<String, TestFigures> e : merged(in).entrySet()) {
      if (!applies(rule, e.getKey())) {
        continue;
      }
      double actual = rule.actual(e.getValue());
      if (Double.isNaN(actual)) {
        continue; // no calls in this window: no time to judge
      }
      Worst w = windows.computeIfAbsent(new Key(index, e.getKey()), k -> new Worst());
      if (Double.isNaN(w.actual) || worse(rule, actual, w.actual)) {
        w.actual = actual;
        w.endMillis = end;
      }
      if (!rule.passes(actual)) {
        if (w.firstFailedMillis < 0) {
          w.firstFailedMillis = end;
        }
        if (mayAbort) {
          stop(rule, e.getKey(), actual, end);
        }
      }
    }
  }

  private void checkSoFar(int index, Threshold rule, IntervalSnapshot s) {
    List<TestFigures> so;
    if (rule.phase() == null) {
      so = figures.run();
    } else {
      PhaseResult p = figures.phase(rule.phase());
      if (p == null) {
        return;
      }
      so = new ArrayList<>(p.tests());
      so.add(p.totals());
    }
    for (TestFigures f : so) {
      String scope = scope(f);
      if (f.composite() || !applies(rule, scope)) {
        continue;
      }
      double actual = rule.actual(f);
      if (!Double.isNaN(actual) && !rule.passes(actual)) {
        liveFailures.putIfAbsent(new Key(index, scope), new LiveFailure(actual, s.elapsedMillis()));
        stop(rule, scope, actual, s.elapsedMillis());
      }
    }
  }

  private void stop(Threshold rule, String scope, double actual, long atMillis) {
    if (!aborted) {
      aborted = true;
      abort.accept(new ThresholdAbort(rule.text(), scope, actual, atMillis));
    }
  }

  /**
   * Each test's figures over {@code in}, merged exactly, by scope ("Test n"), and the totals last.
   */
  private Map<String, TestFigures> merged(List<IntervalSnapshot> in) {
    long span = 0;
    Map<Integer, List<TestFigures>> byTest = new LinkedHashMap<>();
    List<TestFigures> totals = new ArrayList<>();
    for (IntervalSnapshot x : in) {
      span += x.lengthMillis();
      for (TestFigures t : x.tests()) {
        byTest.computeIfAbsent(t.test(), n -> new ArrayList<>()).add(t);
      }
      totals.add(x.totals());
    }
    Map<String, TestFigures> out = new LinkedHashMap<>();
    long length = Math.max(1, span);
    byTest.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              TestFigures last = e.getValue().getLast();
              if (!last.composite()) {
                out.put(
                    "Test " + e.getKey(),
                    TestFigures.merge(
                        e.getKey(), last.description(), false, length, -1, schema, e.getValue()));
              }
            });
    out.put("Totals", TestFigures.merge(TestFigures.TOTALS, "", false, length, -1, schema, totals));
    return out;
  }

  private static boolean applies(Threshold rule, String scope) {
    return rule.test() < 0 || scope.equals("Test " + rule.test());
  }

  static String scope(TestFigures f) {
    return f.isTotals() ? "Totals" : "Test " + f.test();
  }

  /** True when {@code a} is further on the failing side of the rule's limit than {@code b}. */
  private static boolean worse(Threshold rule, double a, double b) {
    return switch (rule.operator()) {
      case "<", "<=" -> a > b;
      case ">", ">=" -> a < b;
      default -> Math.abs(a - rule.limit()) > Math.abs(b - rule.limit());
    };
  }

  static String window(Threshold rule) {
    long ms = rule.window().toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** The worst window of a windowed rule for one scope, or null when no full window had calls. */
  Worst worst(Threshold rule, String scope) {
    return windows.get(new Key(rules.indexOf(rule), scope));
  }

  /** True when a full window of the rule was checked at all. */
  boolean hadFullWindow(Threshold rule) {
    return fullWindowSeen.getOrDefault(rules.indexOf(rule), false);
  }

  /** The live failure of a rule over the figures so far for one scope, or null. */
  LiveFailure liveFailure(Threshold rule, String scope) {
    return liveFailures.get(new Key(rules.indexOf(rule), scope));
  }
}
