package dev.grindstone.cli;

import dev.grindstone.engine.analyze.AnalysisReport;
import dev.grindstone.engine.analyze.DataLogAnalysis;
import dev.grindstone.engine.analyze.DataLogAnalyzer;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.http.load.HttpPlugin;
import dev.grindstone.http.load.WebSocketPlugin;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.expr.Expressions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code grindstone analyze FILE...}: the summary and percentile tables of Grinder data logs. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Reads Grinder data logs (header 'Thread, Run, Test, Start time (ms since Epoch), Test time,"
          + " Errors', optionally the HTTP plug-in's columns) and prints what a Grinder worker"
          + " would have totalled: the summary table, then min, percentiles and max of each test.",
      "Several files add up as several workers. A failed call (Errors >= 1) counts only in Errors.",
    })
final class AnalyzeCommand implements Callable<Integer> {

  enum Format {
    text,
    json,
    csv
  }

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Data log files (*-data.log).")
  List<Path> files;

  @Option(
      names = "--period-ms",
      paramLabel = "N",
      description =
          "Milliseconds to compute TPS over (default: the latest start + test time minus"
              + " the earliest start).")
  Long periodMs;

  @Option(
      names = "--summary-expression",
      paramLabel = "NAME=(EXPR)",
      description =
          "An extra column, in The Grinder's prefix language, for example"
              + " 'Error rate=(/ errors (+ (count timedTests) errors))'. Repeatable.")
  List<String> summaryExpressions = new ArrayList<>();

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default), json or csv.")
  Format format;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    // Check every option before streaming what may be millions of lines.
    if (periodMs != null && periodMs <= 0) {
      throw new BadInputException(
          "--period-ms must be a positive number of milliseconds, got " + periodMs);
    }
    DataLogAnalyzer analyzer = DataLogAnalyzer.create(PLUGINS);
    List<ExpressionView> registered = new ArrayList<>();
    for (String s : summaryExpressions) {
      registered.add(parseSummaryExpression(s, analyzer.schema()));
    }
    for (Path f : files) {
      analyzer.add(f);
    }
    DataLogAnalysis analysis =
        analyzer.analyze(periodMs == null ? OptionalLong.empty() : OptionalLong.of(periodMs));
    AnalysisReport report = AnalysisReport.of(analysis, registered);
    PrintWriter out = spec.commandLine().getOut();
    out.print(
        switch (format) {
          case text -> report.text();
          case json -> report.json();
          case csv -> report.csv();
        });
    out.flush();
    return 0;
  }

  /** The plug-ins whose data-log columns analyze reads and adds up. */
  static final List<Plugin> PLUGINS = List.of(HttpPlugin.INSTANCE, WebSocketPlugin.INSTANCE);

  static ExpressionView parseSummaryExpression(String option, StatisticsSchema schema) {
    int eq = option.indexOf('=');
    if (eq < 0 || option.substring(0, eq).isBlank() || option.substring(eq + 1).isBlank()) {
      throw new BadInputException(
          "--summary-expression '"
              + option
              + "': expected NAME=(EXPRESSION), for example 'Error rate=(/ errors (+ (count"
              + " timedTests) errors))'");
    }
    String name = option.substring(0, eq).strip();
    String text = option.substring(eq + 1).strip();
    try {
      return new ExpressionView(name, Expressions.parse(text, schema), false);
    } catch (BadInputException e) {
      throw new BadInputException("--summary-expression '" + name + "': " + e.getMessage(), e);
    }
  }
}
