package dev.grindstone.cli;

import dev.grindstone.junit.compare.CompareException;
import dev.grindstone.junit.compare.Comparison;
import dev.grindstone.junit.compare.ComparisonReport;
import dev.grindstone.junit.compare.MetricSource;
import dev.grindstone.stats.BadInputException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code grindstone monitor ...}: what the JUnit monitor recorded. */
@Command(
    name = "monitor",
    mixinStandardHelpOptions = true,
    description = "Work with the time, CPU and memory the JUnit monitor recorded for each test.",
    subcommands = {MonitorCommand.Compare.class, CommandLine.HelpCommand.class})
final class MonitorCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Exit code when some test grew beyond the limit. */
  static final int EXIT_REGRESSION = 1;

  @Command(
      name = "compare",
      mixinStandardHelpOptions = true,
      description = {
        "Lists tests whose wall time, CPU time or memory grew beyond FACTOR x the median of their"
            + " last K earlier sessions.",
        "Exit code: 0 none grew, 1 some grew, 2 bad input."
      })
  static final class Compare implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--db",
        paramLabel = "FILE",
        description = "Monitor file (.jmon or .pymon). Default: .jmon")
    Path db;

    @Option(
        names = "--server",
        paramLabel = "URL",
        description = "Metrics server instead of a file, e.g. http://127.0.0.1:8080")
    String server;

    @Option(
        names = "--session",
        paramLabel = "H",
        description = "Session hash or unique prefix. Default: the latest")
    String session;

    @Option(
        names = "--last",
        paramLabel = "K",
        defaultValue = "5",
        description = "Earlier sessions per test to take the median of. Default: ${DEFAULT-VALUE}")
    int last;

    @Option(
        names = "--factor",
        defaultValue = "1.5",
        description = "Allowed growth over the median. Default: ${DEFAULT-VALUE}")
    double factor;

    @Option(
        names = "--min-seconds",
        defaultValue = "0.01",
        description =
            "Time and CPU must also grow by at least this many seconds. Default: ${DEFAULT-VALUE}")
    double minSeconds;

    @Option(
        names = "--min-mib",
        defaultValue = "1.0",
        description = "Memory must also grow by at least this many MiB. Default: ${DEFAULT-VALUE}")
    double minMib;

    @Override
    public Integer call() {
      if (db != null && server != null) {
        throw new BadInputException("give --db FILE or --server URL, not both");
      }
      try {
        MetricSource source;
        if (server != null) {
          URI uri;
          try {
            uri = URI.create(server);
          } catch (IllegalArgumentException e) {
            uri = null;
          }
          if (uri == null
              || !"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
              || uri.getHost() == null) {
            throw new BadInputException(
                "--server='"
                    + server
                    + "' must be an http:// or https:// URL with a host,"
                    + " e.g. http://127.0.0.1:8080");
          }
          source = MetricSource.server(uri, Duration.ofSeconds(10));
        } else {
          source = MetricSource.sqlite(db == null ? Path.of(".jmon") : db);
        }
        Comparison.Options options =
            new Comparison.Options(Optional.ofNullable(session), last, factor, minSeconds, minMib);
        ComparisonReport report = Comparison.run(source, options);
        spec.commandLine().getOut().print(report.toTable());
        spec.commandLine().getOut().flush();
        return report.hasRegressions() ? EXIT_REGRESSION : 0;
      } catch (CompareException e) {
        throw new BadInputException(e.getMessage(), e);
      }
    }
  }
}
