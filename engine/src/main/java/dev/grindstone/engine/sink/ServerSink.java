package dev.grindstone.engine.sink;

import dev.grindstone.report.RunReporter;
import dev.grindstone.report.RunRequest;
import dev.grindstone.report.RunSpec;
import dev.grindstone.report.RunUpload;
import dev.grindstone.report.ServerConnection;
import dev.grindstone.report.SnapshotPost;
import dev.grindstone.report.Spool;
import dev.grindstone.stats.results.TestFigures;
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
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Reports a run to the Grindstone metrics server: its creation, one snapshot per interval (each
 * test's statistics and its interval histograms in HdrHistogram's compressed form), and the finish.
 * Attach it to a run:
 *
 * <pre>{@code
 * Run.of(config, scenario).sink(ServerSink.to(URI.create("http://127.0.0.1:8080"))).execute();
 * }</pre>
 *
 * <p>Every request is also written to the results folder's {@value #REQUESTS_FILE}, so {@code
 * grindstone upload} can send the whole run to a server later (with no server given, that is all
 * the sink does). Delivery is the reporting client's ({@link RunReporter}): it retries with backoff
 * on its own thread and spools to {@code <results>/spool/} while the server is down, so a slow or
 * absent server never holds up the run; what is still spooled at the end is named with the command
 * that sends it. Meanwhile a background thread re-sends, bounded, what earlier runs under the same
 * results folder left spooled for the same server.
 *
 * <p>Calls come from the sink's own thread, as for every {@link Sink}; not for use by several runs.
 */
public final class ServerSink implements Sink {

  /** The run's requests, one per line, in the results folder. */
  public static final String REQUESTS_FILE = "server-requests.jsonl";

  /** How many earlier runs' spool files a run re-sends at most. */
  static final int MAX_RESENT_SPOOLS = 20;

  private final URI server;
  private final String token;
  private final PrintStream messages;
  private final Duration finishWait;
  private final String agent;
  private final String runId;
  private final long epochOffset;
  private final Consumer<String> snapshotAnswers;
  private final Set<Integer> described = new HashSet<>();
  private final List<RunSpec.TestInfo> tests = new ArrayList<>();
  private final List<String> resent = new CopyOnWriteArrayList<>();
  private RunSpec spec;
  private Path results;
  private BufferedWriter requests;
  private RunReporter reporter;
  private Thread resender;

  private ServerSink(Builder b) {
    this.server = b.server;
    this.token = b.token;
    this.snapshotAnswers = b.snapshotAnswers;
    this.messages = b.messages;
    this.finishWait = b.finishWait;
    this.agent = b.agent != null ? b.agent : defaultAgentName();
    this.runId = b.runId;
    this.epochOffset = b.epochOffsetMillis;
  }

  /**
   * A sink that streams the run to {@code server} (its base URL, e.g. {@code
   * http://127.0.0.1:8080}).
   */
  public static ServerSink to(URI server) {
    return builder().server(Objects.requireNonNull(server, "server")).build();
  }

  /** A sink to configure: without a server it only writes {@value #REQUESTS_FILE}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void start(RunInfo run) throws IOException {
    List<RunSpec.Phase> phases = new ArrayList<>();
    for (RunInfo.PlannedPhase p : run.phases()) {
      phases.add(new RunSpec.Phase(p.name(), p.duration() == null ? 0 : p.duration().toMillis()));
    }
    spec =
        new RunSpec(
            runId != null ? runId : run.id(),
            run.name(),
            agent,
            phases,
            List.of(),
            run.startEpochMillis() + epochOffset);
    results = run.outputDirectory();
    if (results != null) {
      requests = Files.newBufferedWriter(results.resolve(REQUESTS_FILE), StandardCharsets.UTF_8);
    }
    write(RunRequest.create(spec));
    if (server == null) {
      return;
    }
    Path spool =
        results != null
            ? results.resolve("spool")
            : Path.of(System.getProperty("java.io.tmpdir"), "grindstone-spool");
    RunReporter.Builder b = RunReporter.builder(server, spec).spoolDir(spool);
    if (token != null) {
      b.token(token);
    }
    b.snapshotAnswers(snapshotAnswers);
    reporter = b.start();
    messages.println("Reporting to " + server + " as run " + spec.id());
    if (results != null && results.getParent() != null) {
      resender =
          new RunUpload(server, token)
              .resendInBackground(results.getParent(), results, MAX_RESENT_SPOOLS, resent::add);
    }
  }

  @Override
  public void interval(IntervalSnapshot s) throws IOException {
    boolean fresh = false;
    for (TestFigures t : s.tests()) {
      if (described.add(t.test())) {
        tests.add(new RunSpec.TestInfo(t.test(), t.description()));
        fresh = true;
      }
    }
    if (fresh) {
      // The same creation the reporter sends for tests that appeared: the server merges them.
      write(
          RunRequest.create(
              new RunSpec(
                  spec.id(), spec.name(), spec.agent(), spec.phases(), tests, spec.startMs())));
      if (reporter != null) {
        reporter.describeTests(List.copyOf(tests));
      }
    }
    SnapshotPost post =
        new SnapshotPost(
            spec.agent(),
            // The run's own interval number: a process that joined a run late numbers its
            // intervals as the others do, so they merge with theirs.
            s.sequence(),
            s.phase(),
            s.startEpochMillis() + epochOffset,
            s.endEpochMillis() + epochOffset,
            s.tests(),
            s.activeUsers(),
            s.lateStarts(),
            s.scenarios().stream()
                .map(r -> new SnapshotPost.Scenario(r.name(), r.users(), r.tests()))
                .toList());
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

  @Override
  public void finish(RunSummary summary) throws IOException {
    try {
      write(RunRequest.finish(spec.id(), spec.agent(), summary.endEpochMillis() + epochOffset));
    } finally {
      if (requests != null) {
        requests.close();
      }
    }
    if (reporter == null) {
      return;
    }
    boolean delivered = reporter.finish(summary.endEpochMillis() + epochOffset, finishWait);
    if (delivered) {
      messages.println(
          "Reported to "
              + server
              + ": run "
              + reporter.runId()
              + " ("
              + reporter.stats().delivered()
              + " requests)");
    } else {
      String folder =
          results != null ? results.toString() : reporter.spoolFile().getParent().toString();
      messages.println(
          "The metrics server "
              + server
              + " did not take everything: "
              + reporter.stats().pending()
              + " requests are kept in "
              + reporter.spoolFile()
              + ". Send them with:");
      messages.println(
          "  grindstone upload "
              + folder
              + " --server "
              + server
              + (token == null ? "" : " --token <token>"));
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

  /** Options of a {@link ServerSink}. Not thread-safe. */
  public static final class Builder {
    private URI server;
    private String token;
    private PrintStream messages = System.out;
    private Duration finishWait = Duration.ofSeconds(15);
    private String agent;
    private String runId;
    private long epochOffsetMillis;
    private Consumer<String> snapshotAnswers = body -> {};

    private Builder() {}

    /**
     * Called with the body of each snapshot the server took, on the sending thread (default: none):
     * a distributed run's agent reads its run's state there.
     */
    public Builder snapshotAnswers(Consumer<String> answers) {
      this.snapshotAnswers = Objects.requireNonNull(answers, "answers");
      return this;
    }

    /**
     * The run's id on the server (default: the run's own, {@link RunInfo#id()}): the id every agent
     * of a distributed run reports to.
     */
    public Builder runId(String id) {
      this.runId = id;
      return this;
    }

    /**
     * Added to every time sent (ms): an agent's clock offset from the server, so its snapshots
     * carry server time.
     */
    public Builder epochOffsetMillis(long offset) {
      this.epochOffsetMillis = offset;
      return this;
    }

    /** The metrics server to stream to; none (null) to write {@value #REQUESTS_FILE} only. */
    public Builder server(URI server) {
      this.server = server;
      return this;
    }

    /** The server's write token, sent as {@code Authorization: Bearer <token>}. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** Where the sink says what it reported and what is left to send (default standard output). */
    public Builder messages(PrintStream messages) {
      this.messages = Objects.requireNonNull(messages, "messages");
      return this;
    }

    /** How long the end of the run waits for the server to take what is left (default 15 s). */
    public Builder finishWait(Duration wait) {
      if (wait == null || wait.isNegative()) {
        throw new IllegalArgumentException("finishWait: must be 0 or more, got " + wait);
      }
      this.finishWait = wait;
      return this;
    }

    /** This process's name in the run (default {@code <host>-<pid>}); one per process of a run. */
    public Builder agent(String agent) {
      if (agent == null || agent.isBlank()) {
        throw new IllegalArgumentException("agent: must not be blank, got '" + agent + "'");
      }
      this.agent = agent;
      return this;
    }

    /**
     * @throws IllegalArgumentException when the server is not an http(s) URL
     */
    public ServerSink build() {
      if (server != null) {
        ServerConnection.requireHttp(server);
      }
      return new ServerSink(this);
    }
  }

  /** This process's default name in a run: {@code <host>-<pid>}. */
  public static String defaultAgentName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "agent";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
