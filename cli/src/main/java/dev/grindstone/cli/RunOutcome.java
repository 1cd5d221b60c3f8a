package dev.grindstone.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.compare.Comparison;
import dev.grindstone.compare.ComparisonReport;
import dev.grindstone.compare.JUnitXml;
import dev.grindstone.compare.ResultsFolder;
import dev.grindstone.compare.RuleResult;
import dev.grindstone.compare.RunResults;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.run.Threshold;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code grindstone run} does once a run has ended: compares it with its baseline (the result
 * goes to the console, summary.txt and results.json), writes the JUnit XML report of its thresholds
 * and tolerances, and decides the exit code.
 */
final class RunOutcome {

  /** Exit code when every threshold passed but a tolerance against the baseline was broken. */
  static final int EXIT_REGRESSED = 98;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunOutcome() {}

  /**
   * Finishes a run.
   *
   * @param baseline the run to compare with, or null
   * @param junitXml where to write the JUnit XML report, or null
   * @return 0, {@link Run#EXIT_THRESHOLDS_FAILED} when a threshold failed (whatever the baseline
   *     says), or {@link #EXIT_REGRESSED}
   */
  static int finish(
      RunSummary summary,
      RunResults baseline,
      Comparison.Options options,
      Path junitXml,
      PrintStream out) {
    Path folder = summary.info().outputDirectory();
    Comparison comparison = null;
    if (baseline != null) {
      if (folder == null) {
        throw new BadInputException(
            "--baseline needs the run's results folder; this run wrote none");
      }
      comparison = Comparison.of(baseline, ResultsFolder.read(folder), options);
      String text = ComparisonReport.text(comparison);
      out.println();
      out.print(text);
      record(folder, comparison, text);
    }
    if (junitXml != null) {
      String suite = CompareCommand.suiteName(summary.info().name());
      long start = summary.info().startEpochMillis();
      double seconds = (summary.endEpochMillis() - start) / 1000.0;
      List<JUnitXml.Suite> suites = new ArrayList<>();
      suites.add(new JUnitXml.Suite(suite + ".thresholds", start, seconds, thresholds(summary)));
      if (comparison != null) {
        suites.add(
            new JUnitXml.Suite(suite + ".baseline", start, seconds, comparison.tolerances()));
      }
      JUnitXml.write(junitXml, suites);
    }
    int code = Run.exitCode(summary);
    if (code == 0 && comparison != null && comparison.regressed()) {
      return EXIT_REGRESSED;
    }
    return code;
  }

  /** Adds the comparison to summary.txt (as printed) and to results.json (under "baseline"). */
  private static void record(Path folder, Comparison comparison, String text) {
    try {
      Files.writeString(
          folder.resolve("summary.txt"),
          "\n" + text,
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      Path json = folder.resolve("results.json");
      ObjectNode doc = (ObjectNode) MAPPER.readTree(json.toFile());
      doc.set("baseline", MAPPER.valueToTree(ComparisonReport.tree(comparison)));
      Path tmp = folder.resolve("results.json.tmp");
      MAPPER.writeValue(tmp.toFile(), doc);
      Files.move(
          tmp,
          json,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot add the baseline comparison to " + folder + ": " + e.getMessage(), e);
    }
  }

  /** Each threshold checked against each test and the totals, as rules. */
  static List<RuleResult> thresholds(RunSummary summary) {
    List<RuleResult> rules = new ArrayList<>();
    for (ThresholdResult t : summary.thresholds()) {
      Threshold rule = Threshold.parse(t.threshold());
      String unit =
          rule.percent()
              ? "%"
              : rule.metric().equals("errors") || rule.metric().equals("tps") ? "" : " ms";
      String actual =
          Double.isNaN(t.actual()) ? "no figure (no successful call)" : number(t.actual()) + unit;
      String expected = rule.operator() + " " + number(rule.limit()) + unit;
      String message =
          t.scope()
              + ": "
              + rule.metric()
              + (rule.percent() ? " (% of calls)" : "")
              + " was "
              + actual
              + ", expected "
              + expected
              + (t.detail().isEmpty() ? "" : " (" + t.detail() + ")");
      rules.add(new RuleResult(t.threshold(), t.scope(), t.passed(), actual, expected, message));
    }
    return rules;
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }
}
