package dev.grindstone.engine.sink;

import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.results.TestFigures;
import dev.grindstone.stats.table.PercentileTable;
import dev.grindstone.stats.table.SummaryTable;
import dev.grindstone.stats.table.TwoDecimals;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The end-of-run text: The Grinder's summary table, the percentile table, in a run of several
 * scenarios the same two tables for each scenario, then phases and problems.
 */
public final class SummaryText {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private SummaryText() {}

  public static String render(RunSummary s) {
    StringBuilder b = new StringBuilder();
    RunInfo info = s.info();
    double seconds = (s.endEpochMillis() - info.startEpochMillis()) / 1000.0;
    b.append("Run ")
        .append(info.name())
        .append(": ")
        .append(TIME.format(Instant.ofEpochMilli(info.startEpochMillis())))
        .append(" to ")
        .append(TIME.format(Instant.ofEpochMilli(s.endEpochMillis())))
        .append(String.format(Locale.ROOT, " (%.1f s)", seconds))
        .append(s.interrupted() ? ", stopped early" : "")
        .append(
            s.abort() != null ? ", stopped by the threshold '" + s.abort().threshold() + "'" : "")
        .append("\n\n");
    b.append(table(info.summaryView(), s.tests(), s.totals())).append('\n');
    b.append(percentiles(s.tests(), s.totals())).append('\n');
    if (!s.omission().tests().isEmpty()) {
      b.append(
          s.scenarios().isEmpty()
              ? "Percentiles corrected for coordinated omission (closed model; see the notes)\n"
              : "Percentiles corrected for coordinated omission, all scenarios (each corrected with"
                  + " its own cycle, then added; closed model; see the notes)\n");
      b.append(percentiles(corrected(s.omission().tests()), s.omission().totals())).append('\n');
    }
    for (ScenarioResult r : s.scenarios()) {
      b.append("Scenario ")
          .append(r.name())
          .append(" (at most ")
          .append(r.users())
          .append(r.users() == 1 ? " user" : " users")
          .append(")\n");
      b.append(table(info.summaryView(), r.tests(), r.totals())).append('\n');
      b.append(percentiles(r.tests(), r.totals())).append('\n');
      for (RunSummary.ScenarioOmission o : s.omission().scenarios()) {
        if (o.name().equals(r.name())) {
          b.append("Scenario ")
              .append(r.name())
              .append(": percentiles corrected for coordinated omission (closed model; see the")
              .append(" notes)\n");
          b.append(percentiles(corrected(o.tests()), o.totals())).append('\n');
        }
      }
    }
    if (s.phases().size() > 1) {
      b.append("Phases\n");
      for (PhaseResult p : s.phases()) {
        TestFigures t = p.totals();
        Histogram late = p.lateness();
        b.append(
            String.format(
                Locale.ROOT,
                "  %-16s %7.1f s  tests %-9d errors %-7d TPS %-9s mean %s ms  p99 %s ms  start"
                    + " lateness p99 %s ms%n",
                p.name(),
                (p.endEpochMillis() - p.startEpochMillis()) / 1000.0,
                t.tests(),
                t.errors(),
                fmt(t.tps()),
                fmt(t.meanMillis()),
                fmt(t.percentileMillis(99)),
                fmt(
                    late.getTotalCount() == 0
                        ? Double.NaN
                        : late.getValueAtPercentile(99) / 1000.0)));
      }
      b.append('\n');
    }
    List<String> notes = notes(s);
    if (!notes.isEmpty()) {
      b.append("Notes\n");
      notes.forEach(n -> b.append("  ").append(n).append('\n'));
      b.append('\n');
    }
    if (!s.thresholds().isEmpty()) {
      b.append("Thresholds\n");
      for (ThresholdResult t : s.thresholds()) {
        b.append(
            String.format(
                Locale.ROOT,
                "  %s  %-22s %-8s actual %s",
                t.passed() ? "PASS" : "FAIL",
                t.threshold(),
                t.scope(),
                fmt(t.actual())));
        b.append(t.detail().isEmpty() ? "" : "  (" + t.detail() + ")").append('\n');
      }
      b.append(s.thresholdsPassed() ? "  All thresholds passed.\n" : "  Some thresholds failed.\n");
    }
    return b.toString();
  }

  /**
   * The Grinder's summary table over these tests and totals, with a parenthesized Totals line over
   * the composite tests when there are any.
   */
  public static String table(StatisticsView view, List<TestFigures> tests, TestFigures totals) {
    List<TestFigures> composite = tests.stream().filter(TestFigures::composite).toList();
    TestFigures compositeTotals =
        composite.isEmpty()
            ? null
            : TestFigures.merge(
                TestFigures.TOTALS, "", true, totals.spanMillis(), -1, totals.schema(), composite);
    return SummaryTable.render(view, tests, totals, compositeTotals);
  }

  public static String percentiles(List<TestFigures> tests, TestFigures totals) {
    return PercentileTable.render(tests, totals);
  }

  static List<String> notes(RunSummary s) {
    List<String> notes = new ArrayList<>();
    if (s.abort() != null) {
      RunSummary.ThresholdAbort a = s.abort();
      notes.add(
          String.format(
              Locale.ROOT,
              "The run was stopped at %.1f s: the threshold '%s' failed for %s (actual %s)"
                  + " and has abort_on_fail.",
              a.atMillis() / 1000.0,
              a.threshold(),
              a.scope(),
              fmt(a.actual())));
    }
    long failedCalls = s.totals().failedCalls();
    if (failedCalls > 0) {
      notes.add(
          String.format(
              Locale.ROOT,
              "%d calls failed (%s%% of all calls); their times are in the data log"
                  + " and the error latency histogram.",
              failedCalls,
              fmt(s.totals().errorPercent())));
    }
    if (s.tests().stream().anyMatch(t -> t.cancelled() > 0)) {
      List<String> which = new ArrayList<>();
      for (TestFigures t : s.tests()) {
        if (t.cancelled() > 0) {
          which.add(
              (t.composite() ? "(test " : "test ")
                  + t.test()
                  + (t.description().isEmpty() ? "" : " \"" + t.description() + "\"")
                  + (t.composite() ? ")" : "")
                  + ": "
                  + t.cancelled());
        }
      }
      notes.add(
          "Calls cancelled at stop (still in progress when the graceful stop ran out; not timed,"
              + " and counted neither as tests nor as errors): "
              + String.join(", ", which)
              + ". A longer graceful_stop lets such calls finish.");
    }
    for (Map.Entry<String, Long> e : s.iterationFailures().entrySet()) {
      notes.add(e.getValue() + " iterations ended by " + e.getKey());
    }
    if (s.droppedStarts() > 0) {
      notes.add(
          s.droppedStarts()
              + " scheduled iterations were dropped: every allowed user was busy"
              + " (raise max_users).");
    }
    if (s.lateStarts() > 0) {
      long p99 = s.lateness().getValueAtPercentile(99);
      String note =
          String.format(
              Locale.ROOT,
              "%d iterations started more than 10 ms late (lateness p99 %s ms, max %s ms).",
              s.lateStarts(),
              fmt(p99 / 1000.0),
              fmt(s.lateness().getMaxValue() / 1000.0));
      if (p99 > RunSummary.LATE_START_MICROS) {
        // More than 1% late: the load was lower than planned, and the user should know what to do.
        note +=
            " More than 1% of iterations started late, so this machine applied less load than"
                + " planned: give it more CPU or fewer users, and if the phase lines show the late"
                + " starts in a phase that starts many users at once, start them with a ramp"
                + " instead.";
      }
      notes.add(note);
    }
    if (s.scenarios().isEmpty()) {
      for (RunSummary.CorrectedTest c : s.omission().tests()) {
        notes.add(omissionNote("", c, rawP99(s.tests(), c.corrected().test())));
      }
    } else {
      // Each scenario's own: its cycle is its own, and so is the stall's share of its calls.
      for (RunSummary.ScenarioOmission o : s.omission().scenarios()) {
        List<TestFigures> raw =
            s.scenarios().stream()
                .filter(r -> r.name().equals(o.name()))
                .findFirst()
                .map(ScenarioResult::tests)
                .orElse(List.of());
        for (RunSummary.CorrectedTest c : o.tests()) {
          notes.add(
              omissionNote("scenario " + o.name() + ", ", c, rawP99(raw, c.corrected().test())));
        }
      }
    }
    if (s.omission().skippedPacedStarts() > 0) {
      notes.add(
          s.omission().skippedPacedStarts()
              + " paced starts were skipped because iterations took longer"
              + " than the pace (the schedule keeps its rate and does not make up missed starts).");
    }
    if (s.droppedDataLogRows() > 0) {
      notes.add(
          s.droppedDataLogRows()
              + " call records were dropped because the data-log queue was full (the data log and"
              + " the call listeners miss them; the summary still counts every call).");
    }
    notes.addAll(s.sinkProblems());
    return notes;
  }

  private static String omissionNote(String where, RunSummary.CorrectedTest c, double rawP99) {
    TestFigures t = c.corrected();
    return String.format(
        Locale.ROOT,
        "Coordinated omission in %stest %d%s: the longest call took %s ms against an intended"
            + " cycle of %s, and %d %s took more than twice the cycle. A closed-model user"
            + " sends nothing while it waits: counting the %d calls it never sent"
            + " (HdrHistogram's expected interval) moves p99 from %s ms to %s ms; see the"
            + " corrected table.",
        where,
        t.test(),
        t.description().isEmpty() ? "" : " \"" + t.description() + "\"",
        fmt(t.maxMillis()),
        c.cycle(),
        c.stalls(),
        c.stalls() == 1 ? "call" : "calls",
        c.omittedCalls(),
        fmt(rawP99),
        fmt(t.percentileMillis(99)));
  }

  private static List<TestFigures> corrected(List<RunSummary.CorrectedTest> tests) {
    return tests.stream().map(RunSummary.CorrectedTest::corrected).toList();
  }

  private static double rawP99(List<TestFigures> tests, int test) {
    return tests.stream()
        .filter(t -> t.test() == test)
        .findFirst()
        .map(t -> t.percentileMillis(99))
        .orElse(Double.NaN);
  }

  /** A figure as every text output writes it (see {@link TwoDecimals}). */
  static String fmt(double v) {
    return TwoDecimals.format(v);
  }
}
