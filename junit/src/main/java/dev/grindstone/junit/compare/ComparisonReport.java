package dev.grindstone.junit.compare;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of a comparison. Immutable.
 *
 * @param session the session checked
 * @param baseline earlier sessions that gave at least one test a baseline value, newest first
 * @param tests tests measured in the session checked
 * @param compared tests that had at least one earlier value
 * @param regressions figures that grew beyond the limit, in the session's test order
 * @param options what was asked
 */
public record ComparisonReport(
    SessionRecord session,
    List<SessionRecord> baseline,
    int tests,
    int compared,
    List<Comparison.Regression> regressions,
    Comparison.Options options) {

  /** True when any figure grew beyond the limit. */
  public boolean hasRegressions() {
    return !regressions.isEmpty();
  }

  /** A plain-text table of the regressions and a one-line summary. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "Session %s (%s) against the median of each test's last %d earlier sessions"
                + " (%d sessions read), factor %s%n",
            session.sessionH(),
            session.runDate(),
            options.last(),
            baseline.size(),
            fmt(options.factor())));
    if (baseline.isEmpty()) {
      return sb.append("No earlier session holds any of its ")
          .append(tests)
          .append(" tests: nothing to compare.")
          .append(System.lineSeparator())
          .toString();
    }
    if (!regressions.isEmpty()) {
      int width = "test".length();
      for (Comparison.Regression r : regressions)
        width = Math.max(width, r.test().display().length());
      String row = "%-" + width + "s  %-6s  %12s  %12s  %7s%n";
      sb.append(String.format(Locale.ROOT, row, "test", "metric", "median", "now", "ratio"));
      for (Comparison.Regression r : regressions) {
        String unit = r.metric().unit();
        sb.append(
            String.format(
                Locale.ROOT,
                row,
                r.test().display(),
                r.metric().label(),
                String.format(Locale.ROOT, "%.3f %s", r.median(), unit),
                String.format(Locale.ROOT, "%.3f %s", r.current(), unit),
                Double.isInfinite(r.ratio())
                    ? "-"
                    : String.format(Locale.ROOT, "%.2fx", r.ratio())));
      }
    }
    long distinct = regressions.stream().map(Comparison.Regression::test).distinct().count();
    sb.append(
        String.format(
            Locale.ROOT,
            "%d of %d compared tests grew beyond %s x their median (%d tests had no"
                + " earlier value).%n",
            distinct,
            compared,
            fmt(options.factor()),
            tests - compared));
    return sb.toString();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.format(Locale.ROOT, "%.1f", d) : Double.toString(d);
  }
}
