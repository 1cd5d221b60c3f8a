package dev.grindstone.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Runs made up for tests: figures chosen so that every answer is known. */
final class Runs {
  private Runs() {}

  /** An interval's figures with one latency for every percentile and the mean. */
  static Figures figures(long count, long errors, double tps, double latency) {
    return new Figures(
        count, errors, tps, latency, latency, latency * 1.2, latency * 1.5, latency * 2);
  }

  /** {@code n} intervals whose figures {@code each} gives by index. */
  static List<Figures> intervals(int n, IntFunction<Figures> each) {
    List<Figures> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(each.apply(i));
    }
    return list;
  }

  static RunResults run(String id, String name, List<TestResults> tests, TestResults totals) {
    return new RunResults(
        "results/" + id,
        name,
        id,
        1_700_000_000_000L,
        1_700_000_030_000L,
        tests,
        totals,
        List.of());
  }
}
