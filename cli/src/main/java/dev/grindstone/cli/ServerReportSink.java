package dev.grindstone.cli;

import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import dev.grindstone.engine.sink.TestSnapshot;
import dev.grindstone.server.client.RunReporter;
import dev.grindstone.server.client.RunRequest;
import dev.grindstone.server.client.RunSpec;
import dev.grindstone.server.client.RunUpload;
import dev.grindstone.server.client.SnapshotPost;
import dev.grindstone.server.client.Spool;
import dev.grindstone.stats.StatisticIndex;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The run as the metrics server takes it: its creation, one snapshot per interval (each test's
 * statistics and its interval histograms in HdrHistogram's compressed form), and the finish.
 *
 * <p>Every request is written to the results folder's {@value #REQUESTS_FILE}, so {@code grindstone
 * upload} can send the whole run to a server later, and, with a server ({@code --report-to}),
 * streamed to it. Delivery retries with backoff on its own thread and spools to
 * {@code <results>/spool/} while the server is down, so a slow or absent server never holds up the
 * run; what is still spooled at the end is named with the command that sends it. Meanwhile a
 * background thread re-sends, bounded, what earlier runs under the same results folder left
 * spooled for the same server.
 */
final class ServerReportSink implements Sink {

  /** The run's requests, one per line, in the results folder. */
  static final String REQUESTS_FILE = "server-requests.jsonl";
  /** How many earlier runs' spool files a run re-sends at most. */
  static final int MAX_RESENT_SPOOLS = 20;

  private final URI server;
  private final String token;
  private final PrintStream messages;
  private final Duration finishWait;
  private final Set<Integer> described = new HashSet<>();
  private final List<RunSpec.TestInfo> tests = new ArrayList<>();
  private final List<String> resent = new CopyOnWriteArrayList<>();
  private RunSpec spec;
  private Path results;
  private BufferedWriter requests;
  private RunReporter reporter;
  private Thread resender;
  private long sequence;

  /**
   * @param server the metrics server to stream to, or null to write {@value #REQUESTS_FILE} only
   */
  ServerReportSink(URI server, String token, PrintStream messages) {
    this(server, token, messages, Duration.ofSeconds(15));
  }

  /** @param finishWait how long the end of the run waits for the server to take what is left */
  ServerReportSink(URI server, String token, PrintStream messages, Duration finishWait) {
    this.server = server;
    this.token = token;
    this.messages = messages;
    this.finishWait = finishWait;
  }

  @Override
  public void start(RunInfo run) throws IOException {
    List<RunSpec.Phase> phases = new ArrayList<>();
    for (Phase p : run.phases()) {
      phases.add(new RunSpec.Phase(p.name(), p.duration() == null ? 0 : p.duration().toMillis()));
    }
    String id = run.id();
    spec = new RunSpec(id, run.name(), agentName(), phases, List.of(), run.startEpochMillis());
    results = run.outputDirectory();
    if (results != null) {
      requests = Files.newBufferedWriter(results.resolve(REQUESTS_FILE), StandardCharsets.UTF_8);
    }
    write(RunRequest.create(spec));
    if (server == null) {
      return;
    }
    Path spool = results != null ? results.resolve("spool")
        : Path.of(System.getProperty("java.io.tmpdir"), "grindstone-spool");
    RunReporter.Builder b = RunReporter.builder(server, spec).spoolDir(spool);
    if (token != null) {
      b.token(token);
    }
    reporter = b.start();
    messages.println("Reporting to " + server + " as run " + id);
    if (results != null && results.getParent() != null) {
      resender = new RunUpload(server, token).resendInBackground(results.getParent(), results, MAX_RESENT_SPOOLS,
          resent::add);
    }
  }

  @Override
  public void interval(IntervalSnapshot s) throws IOException {
    List<dev.grindstone.server.client.TestSnapshot> figures = new ArrayList<>();
    boolean fresh = false;
    for (TestSnapshot t : s.tests()) {
      if (described.add(t.test())) {
        tests.add(new RunSpec.TestInfo(t.test(), t.description()));
        fresh = true;
      }
      Map<String, Object> statistics = statistics(t.statistics());
      if (t.cancelled() > 0) {
        statistics.put("cancelledTests", t.cancelled()); // calls cancelled at stop: counted, never timed
      }
      figures.add(new dev.grindstone.server.client.TestSnapshot(t.test(), statistics,
          Histograms.encode(t.successes()), Histograms.encode(t.failures())));
    }
    if (fresh) {
      // The same creation the reporter sends for tests that appeared: the server merges them.
      write(RunRequest.create(new RunSpec(spec.id(), spec.name(), spec.agent(), spec.phases(), tests, spec.startMs())));
      if (reporter != null) {
        reporter.describeTests(List.copyOf(tests));
      }
    }
    SnapshotPost post = new SnapshotPost(spec.agent(), sequence++, s.phase(), s.startEpochMillis(),
        s.endEpochMillis(), figures, s.activeUsers(), s.lateStarts());
    write(RunRequest.snapshot(spec.id(), post));
    if (reporter != null) {
      reporter.post(post);
    }
    if (requests != null) {
      requests.flush(); // a crash keeps every interval written so far
    }
  }

  private void write(RunRequest r) throws IOException {
    if (requests != null) {
      requests.write(r.toLine());
      requests.write('\n');
    }
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
  public void finish(RunSummary summary) throws IOException {
    try {
      write(RunRequest.finish(spec.id(), spec.agent(), summary.endEpochMillis()));
    } finally {
      if (requests != null) {
        requests.close();
      }
    }
    if (reporter == null) {
      return;
    }
    boolean delivered = reporter.finish(summary.endEpochMillis(), finishWait);
    if (delivered) {
      messages.println("Reported to " + server + ": run " + reporter.runId() + " (" + reporter.stats().delivered()
          + " requests)");
    } else {
      String folder = results != null ? results.toString() : reporter.spoolFile().getParent().toString();
      messages.println("The metrics server " + server + " did not take everything: " + reporter.stats().pending()
          + " requests are kept in " + reporter.spoolFile() + ". Send them with:");
      messages.println("  grindstone upload " + folder + " --server " + server + (token == null ? "" : " --token <token>"));
      messages.println("(a later run that reports to " + server + " also sends them).");
    }
    reporter.close();
    Spool.deleteIfEmpty(reporter.spoolFile().getParent());
    if (resender != null) {
      resender.interrupt(); // never holds up the end of the run; what is left stays spooled
      try {
        resender.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String r : resent) {
      messages.println("Earlier runs: " + r);
    }
  }

  @Override
  public String name() {
    return server == null ? REQUESTS_FILE : "metrics server";
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
