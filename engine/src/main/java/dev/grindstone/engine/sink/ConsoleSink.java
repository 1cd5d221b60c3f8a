package dev.grindstone.engine.sink;

import dev.grindstone.stats.results.TestFigures;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The live console: one line per period (elapsed time, phase with a progress bar, active users
 * (and, in a run of several scenarios, each one's), TPS, mean, p95, p99, errors), then the summary
 * and percentile tables at the end.
 */
public final class ConsoleSink implements Sink {

  private final PrintStream out;
  private RunInfo info;
  private int phaseIndex = -1;
  private long phaseStartMillis;

  public ConsoleSink(PrintStream out) {
    this.out = out;
  }

  @Override
  public void start(RunInfo run) {
    this.info = run;
    out.printf(
        Locale.ROOT,
        "Run %s: %d phase%s%s%n",
        run.name(),
        run.phases().size(),
        run.phases().size() == 1 ? "" : "s",
        run.outputDirectory() == null ? "" : ", results in " + run.outputDirectory());
  }

  @Override
  public void interval(IntervalSnapshot s) {
    if (s.phaseIndex() != phaseIndex) {
      phaseIndex = s.phaseIndex();
      phaseStartMillis = s.startEpochMillis();
    }
    if (s.lengthMillis() < info.period().toMillis() / 2) {
      return; // a sliver cut by a phase boundary: counted in the totals, too short to show a rate
    }
    TestFigures t = s.totals();
    String line =
        String.format(
            Locale.ROOT,
            "%6s  %-12s %s  users %-6d %sTPS %-9.1f mean %-7s p95 %-7s p99 %-7s errors %d",
            clock(s.elapsedMillis()),
            clip(s.phase(), 12),
            bar(s),
            s.activeUsers(),
            usersPerScenario(s),
            t.tps(),
            SummaryText.fmt(t.meanMillis()),
            SummaryText.fmt(t.percentileMillis(95)),
            SummaryText.fmt(t.percentileMillis(99)),
            t.errors());
    if (s.lateStarts() > 0) {
      // The load generator fell behind its schedule in this interval: say so while it happens.
      line +=
          String.format(
              Locale.ROOT,
              "  late starts %d (max %s ms)",
              s.lateStarts(),
              SummaryText.fmt(s.lateness().getMaxValue() / 1000.0));
    }
    out.println(line);
  }

  /** "(browse 30, checkout 10) " in a run of several scenarios; nothing otherwise. */
  private static String usersPerScenario(IntervalSnapshot s) {
    if (s.scenarios().isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("(");
    for (ScenarioResult r : s.scenarios()) {
      if (b.length() > 1) {
        b.append(", ");
      }
      b.append(r.name()).append(' ').append(r.users());
    }
    return b.append(") ").toString();
  }

  private String bar(IntervalSnapshot s) {
    if (phaseIndex < 0 || phaseIndex >= info.phases().size()) {
      return "[          ]";
    }
    RunInfo.PlannedPhase p = info.phases().get(phaseIndex);
    if (p.duration() == null) {
      return "[    ..    ]";
    }
    double f =
        Math.min(
            1,
            Math.max(
                0, (s.endEpochMillis() - phaseStartMillis) / (double) p.duration().toMillis()));
    int filled = (int) Math.round(f * 10);
    return "[" + "#".repeat(filled) + "-".repeat(10 - filled) + "]";
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n);
  }

  static String clock(long millis) {
    long s = millis / 1000;
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }

  @Override
  public void finish(RunSummary summary) {
    out.println();
    out.print(SummaryText.render(summary));
    if (summary.info().outputDirectory() != null) {
      out.println("Results: " + summary.info().outputDirectory());
    }
    out.flush();
  }

  @Override
  public String name() {
    return "console";
  }
}
