package dev.grindstone.cli;

import dev.grindstone.compare.Comparison;
import dev.grindstone.compare.ComparisonReport;
import dev.grindstone.compare.JUnitXml;
import dev.grindstone.compare.RunResults;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code grindstone compare A B}: how run B differs from run A, test by test, and whether it
 * regressed.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compare run B with the baseline run A: per test and in total, the change in count, TPS,"
          + " mean, p50, p90, p99, max and error rate, and whether each change is larger than the"
          + " runs' own interval-to-interval spread (Mann-Whitney U test on the per-interval"
          + " figures).",
      "A and B are results folders, or run ids on the metrics server given with --server.",
      "",
      "Exit code: 0 when no tolerance was broken, 1 when one was (a regression), 2 for bad input.",
    })
final class CompareCommand implements Callable<Integer> {

  /** Exit code when a change broke a tolerance. */
  static final int EXIT_REGRESSED = 1;

  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "A",
      description = "The baseline: a results folder or a run id")
  String a;

  @Parameters(
      index = "1",
      paramLabel = "B",
      description = "The run to judge: a results folder or a run id")
  String b;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "Metrics server to read run ids from")
  URI server;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text, json or markdown (for a pull-request comment). Default: ${DEFAULT-VALUE}")
  String format;

  @Option(
      names = "--junit-xml",
      paramLabel = "FILE",
      description = "Also write each tolerance checked as a JUnit XML test case to FILE")
  Path junitXml;

  @Mixin ToleranceOptions tolerances;

  @Override
  public Integer call() {
    ComparisonReport.Format f =
        switch (format.toLowerCase(Locale.ROOT)) {
          case "text" -> ComparisonReport.Format.TEXT;
          case "json" -> ComparisonReport.Format.JSON;
          case "markdown", "md" -> ComparisonReport.Format.MARKDOWN;
          default ->
              throw new IllegalArgumentException(
                  "--format takes text, json or markdown, got '" + format + "'");
        };
    Comparison.Options options = tolerances.options();
    RunResults baseline = RunReference.read(a, server, "A");
    RunResults current = RunReference.read(b, server, "B");
    Comparison c = Comparison.of(baseline, current, options);
    if (junitXml != null) {
      JUnitXml.write(
          junitXml,
          List.of(
              new JUnitXml.Suite(
                  suiteName(current.name()) + ".baseline",
                  current.startMs(),
                  current.durationSeconds(),
                  c.tolerances())));
    }
    spec.commandLine().getOut().print(ComparisonReport.render(c, f));
    spec.commandLine().getOut().flush();
    return c.regressed() ? EXIT_REGRESSED : 0;
  }

  /** {@code grindstone.<run name>}: the suite and class name of the run's rules in JUnit XML. */
  static String suiteName(String runName) {
    return "grindstone." + (runName.isBlank() ? "run" : runName);
  }
}
