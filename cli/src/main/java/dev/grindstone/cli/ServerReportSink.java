package dev.grindstone.cli;

import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import dev.grindstone.engine.sink.TestSnapshot;
import dev.grindstone.server.client.RunReporter;
import dev.grindstone.server.client.RunSpec;
import dev.grindstone.server.client.SnapshotPost;
import dev.grindstone.stats.StatisticIndex;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streams a run to the metrics server ({@code --report-to}): the run's creation, one snapshot per
 * interval (each test's statistics and its interval histograms in HdrHistogram's compressed
 * form), and the finish. Delivery retries with backoff on its own thread and spools to disk while
 * the server is down, so a slow or absent server never holds up the run and nothing is lost.
 */
final class ServerReportSink implements Sink {

  private final URI server;
  private final String token;
  private final PrintStream messages;
  private final Set<Integer> described = new HashSet<>();
  private RunReporter reporter;
  private String agent;
  private long sequence;

  ServerReportSink(URI server, String token, PrintStream messages) {
    this.server = server;
    this.token = token;
    this.messages = messages;
  }

  @Override
  public void start(RunInfo run) {
    agent = agentName();
    List<RunSpec.Phase> phases = new ArrayList<>();
    for (Phase p : run.phases()) {
      phases.add(new RunSpec.Phase(p.name(), p.duration() == null ? 0 : p.duration().toMillis()));
    }
    String id = (run.name() + "-" + run.startEpochMillis()).replaceAll("[^A-Za-z0-9._-]", "-");
    if (id.length() > 64) {
      id = id.substring(id.length() - 64);
    }
    RunSpec spec = new RunSpec(id, run.name(), agent, phases, List.of(), run.startEpochMillis());
    Path spool = run.outputDirectory() != null ? run.outputDirectory().resolve("spool")
        : Path.of(System.getProperty("java.io.tmpdir"), "grindstone-spool");
    RunReporter.Builder b = RunReporter.builder(server, spec).spoolDir(spool);
    if (token != null) {
      b.token(token);
    }
    reporter = b.start();
    messages.println("Reporting to " + server + " as run " + id);
  }

  @Override
  public void interval(IntervalSnapshot s) {
    List<RunSpec.TestInfo> fresh = new ArrayList<>();
    List<dev.grindstone.server.client.TestSnapshot> tests = new ArrayList<>();
    for (TestSnapshot t : s.tests()) {
      if (described.add(t.test())) {
        fresh.add(new RunSpec.TestInfo(t.test(), t.description()));
      }
      Map<String, Object> statistics = statistics(t.statistics());
      if (t.cancelled() > 0) {
        statistics.put("cancelledTests", t.cancelled()); // calls cancelled at stop: counted, never timed
      }
      tests.add(new dev.grindstone.server.client.TestSnapshot(t.test(), statistics,
          Histograms.encode(t.successes()), Histograms.encode(t.failures())));
    }
    if (!fresh.isEmpty()) {
      reporter.describeTests(fresh);
    }
    reporter.post(new SnapshotPost(agent, sequence++, s.phase(), s.startEpochMillis(), s.endEpochMillis(), tests));
  }

  /** The wire form: basic statistics by name (zeros left out), timedTests as count, sum, variance (µs). */
  static Map<String, Object> statistics(StatisticsSet set) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (StatisticIndex i : set.schema().all()) {
      switch (i) {
        case LongIndex l -> {
          if (!l.isTransient() && set.getLong(l) != 0) {
            m.put(l.name(), set.getLong(l));
          }
        }
        case DoubleIndex d -> {
          if (set.getDouble(d) != 0 && !d.name().equals("peakTPS")) {
            m.put(d.name(), set.getDouble(d));
          }
        }
        case SampleIndex x -> m.put(x.name(),
            Map.of("count", set.getCount(x), "sum", set.getSum(x), "variance", set.getVariance(x)));
      }
    }
    m.putIfAbsent("errors", 0L);
    m.putIfAbsent("untimedTests", 0L);
    return m;
  }

  @Override
  public void finish(RunSummary summary) {
    boolean delivered = reporter.finish(summary.endEpochMillis(), Duration.ofSeconds(15));
    if (delivered) {
      messages.println("Reported to " + server + ": run " + reporter.runId() + " (" + reporter.stats().delivered()
          + " requests)");
    } else {
      messages.println("The metrics server " + server + " did not take everything; " + reporter.stats().pending()
          + " requests are kept in " + reporter.spoolFile() + " and are sent again when this run id reports next.");
    }
    reporter.close();
  }

  @Override
  public String name() {
    return "metrics server";
  }

  private static String agentName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "agent";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
