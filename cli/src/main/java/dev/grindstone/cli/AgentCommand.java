package dev.grindstone.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.run.Reservation;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.Shard;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ServerSink;
import dev.grindstone.http.load.HttpFlowScenario;
import dev.grindstone.report.RunRequest;
import dev.grindstone.report.SnapshotPost;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.latency.Histograms;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code grindstone agent}: one load generator of a distributed run. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Join a metrics server as a load agent: register, wait for a distributed run (grindstone run"
          + " FILE --agents N --server URL), run this agent's share of it at the start time the"
          + " server sets, report it, and exit.",
      "",
      "Index from --index, else JOB_COMPLETION_INDEX (Kubernetes Indexed Job), else the server's"
          + " choice; attempt from POD_UID, else a random id; name from --name, else POD_NAME, else"
          + " <host>-<pid>; token from --token, else GRINDSTONE_TOKEN.",
      "",
      "Exit code: 0 once its run has ended (or ended without it), 2 for a bad plan or bad input, 3"
          + " when a newer attempt of its index replaced it, 1 for any other failure.",
    })
final class AgentCommand implements Callable<Integer> {

  /** Exit code of an agent replaced (fenced) by a newer attempt of its index. */
  static final int EXIT_FENCED = 3;

  @Option(
      names = "--server",
      paramLabel = "URL",
      required = true,
      description = "The metrics server, e.g. http://127.0.0.1:8080")
  URI server;

  @Option(names = "--token", description = "The server's write token (default: $GRINDSTONE_TOKEN)")
  String token;

  @Option(
      names = "--name",
      description = "This agent's name (default: $POD_NAME, else <host>-<pid>)")
  String name;

  @Option(
      names = "--index",
      paramLabel = "I",
      description = "This agent's shard (default: $JOB_COMPLETION_INDEX, else any free one)")
  Integer index;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where this agent's results folders go (default: results)")
  Path out = Path.of("results");

  @Option(
      names = "--wait",
      paramLabel = "TIME",
      description =
          "How long to wait for a run, or for the server, before giving up (default: no limit)")
  String waitFor;

  @Option(
      names = "--clock-tolerance",
      paramLabel = "TIME",
      description =
          "Refuse to start when the clock offset's error bound (half the best round trip) exceeds"
              + " this (default 50ms)")
  String clockTolerance = "50ms";

  @Option(
      names = "--clock-every",
      paramLabel = "TIME",
      defaultValue = "${sys:grindstone.agent.clockEvery:-1m}",
      description =
          "How often the clock is measured again while the run goes on; the measures are logged and"
              + " kept with the run's offsets (default 1m)")
  String clockEvery;

  private final AtomicBoolean fenced = new AtomicBoolean();

  @Override
  public Integer call() throws Exception {
    String tok = token != null ? token : System.getenv("GRINDSTONE_TOKEN");
    Integer idx = index != null ? index : envIndex();
    String attempt =
        System.getenv("POD_UID") != null ? System.getenv("POD_UID") : UUID.randomUUID().toString();
    String who =
        name != null
            ? name
            : System.getenv("POD_NAME") != null
                ? System.getenv("POD_NAME")
                : ServerSink.defaultAgentName();
    Duration tolerance = RunCommand.parseDuration("--clock-tolerance", clockTolerance);
    Duration remeasure = RunCommand.parseDuration("--clock-every", clockEvery);
    if (!remeasure.isPositive()) {
      throw new BadInputException("--clock-every must be longer than 0, got " + clockEvery);
    }
    long deadline =
        waitFor == null
            ? Long.MAX_VALUE
            : System.nanoTime() + RunCommand.parseDuration("--wait", waitFor).toNanos();
    // Registered, the agent rides out a server that restarts: its state is in the server's store.
    CoordinatorClient c =
        new CoordinatorClient(server, tok)
            .patient(CoordinatorClient.OUTAGE_LIMIT, AgentCommand::say);

    String id = register(new CoordinatorClient(server, tok), who, idx, attempt, deadline);
    say(
        "registered with "
            + c.base()
            + " as "
            + who
            + (idx == null ? "" : ", index " + idx)
            + "; waiting for a run");
    JsonNode run = null;
    while (run == null || run.isNull()) {
      if (System.nanoTime() - deadline > 0) {
        say("no run came within --wait " + waitFor);
        return 1;
      }
      run = poll(c, id);
      if (fenced.get()) {
        return EXIT_FENCED;
      }
      if (run == null || run.isNull()) {
        sleep(500);
      }
    }
    String runId = run.get("id").asText();
    // A run already running when this agent got it: it replaces an attempt of its index, and joins
    // the run where it stands.
    boolean joining = run.path("status").asText().equals("running");
    JsonNode me = member(run, id);
    int shardIndex = me.get("index").asInt();
    int agents = run.get("agents").asInt();
    String reportAs = me.get("reportAs").asText();
    Shard shard = new Shard(shardIndex, agents);
    say("run " + runId + ": " + shard + (joining ? ", joining it in progress" : ""));

    // The bundle comes from the server this agent registered with, and must match its digest.
    byte[] bundle = c.postForBytes("/api/v1/agents/" + id + "/bundle");
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bundle));
    if (!digest.equals(run.get("bundleSha256").asText())) {
      say(
          "the bundle does not match its digest ("
              + digest
              + " against "
              + run.get("bundleSha256").asText()
              + ")");
      return 1;
    }
    Path work = Files.createTempDirectory("grindstone-agent-");
    RunBundle.unzip(bundle, work);
    RunCommand command = new RunCommand();
    command.target = work.resolve(run.get("runFile").asText()).toString();
    command.out = out;
    command.shard = shard;
    RunCommand.Plan plan;
    try {
      plan = command.loadPlan();
    } catch (RuntimeException e) {
      say("bad plan: " + e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
    RunConfig.Builder config = plan.config();
    command.applyOptions(config, plan.named() != null);
    config.outputRoot(out).console(false);

    ClockOffset clock = measureClock(c, id);
    if (clock.rttMillis() / 2 > tolerance.toMillis()) {
      say(
          String.format(
              Locale.ROOT,
              "the clock offset cannot be known well enough to start together: the best of 16 round"
                  + " trips took %.1f ms, so the offset is known to ±%.1f ms, beyond"
                  + " --clock-tolerance %s",
              clock.rttMillis(),
              clock.rttMillis() / 2,
              clockTolerance));
      return 1;
    }
    // Built before this agent says it is ready, so that nothing of it happens after T is known.
    // Snapshots carry server time: the engine's clock is this process's, unskewed.
    long epochOffset = Math.round(clock.offsetMillis() + ClockOffset.TEST_SKEW_MILLIS);
    // The server's answer to a snapshot carries what a poll would answer (under "poll"; servers
    // before it leave it out): the latest since the last heartbeat stands for that beat's poll.
    AtomicReference<JsonNode> answered = new AtomicReference<>();
    ServerSink sink =
        ServerSink.builder()
            .server(server)
            .token(tok)
            .runId(runId)
            .agent(reportAs)
            .epochOffsetMillis(epochOffset)
            .snapshotAnswers(body -> answered.set(polled(body)))
            .messages(System.out)
            // Snapshots the server could not take yet are spooled and sent again: wait for them
            // as long as for the server, so the total comes after them.
            .finishWait(CoordinatorClient.OUTAGE_LIMIT)
            .build();
    Run load = plan.run().sink(sink).shard(shard);
    plan.plugins().forEach(load::plugin);
    // Queue feeders take their rows within what the server reserves for this index, so that a
    // replacement of this agent never uses a row this attempt may have used; the iterations of
    // phases bounded by iterations are counted there, so that a replacement runs only those its
    // index has not started. Both are asked for before the start, where a replacement learns where
    // its older attempts left them.
    RunConfig built = config.build();
    List<Reservation> shared =
        new ArrayList<>(queueRows(plan, Reserver.concurrentUsers(built, shard)));
    shared.addAll(load.iterationCounts());
    Reserver reserver =
        new Reserver(
            c,
            id,
            shared,
            built.period(),
            AgentCommand::say,
            () -> {
              fenced.set(true);
              say("replaced by a newer attempt: the server refuses to reserve rows for this one");
            });
    try {
      reserver.begin();
    } catch (CoordinatorClient.Refused e) {
      if (e.status == 409) {
        say(e.getMessage());
        return EXIT_FENCED;
      }
      throw e;
    }
    JsonNode ready =
        c.post(
            "/api/v1/agents/" + id + "/ready",
            String.format(
                Locale.ROOT,
                "{\"clockOffsetMs\":%.3f,\"clockRttMs\":%.3f}",
                clock.offsetMillis(),
                clock.rttMillis()));
    say(
        String.format(
            Locale.ROOT,
            "ready; clock offset %+.1f ms (±%.1f ms)",
            clock.offsetMillis(),
            clock.rttMillis() / 2));
    long startMs = -1;
    while (startMs < 0) {
      String status = ready.path("status").asText();
      if (!ready.path("startMs").isNull() && ready.has("startMs") && status.equals("running")) {
        startMs = ready.get("startMs").asLong();
        break;
      }
      if (!status.equals("waiting")) {
        say(
            "the run is "
                + status
                + (ready.path("reason").isNull() ? "" : ": " + ready.path("reason").asText())
                + "; nothing to run");
        return 0;
      }
      sleep(200);
      ready = poll(c, id);
      if (fenced.get()) {
        return EXIT_FENCED;
      }
    }

    AtomicReference<String> stopReason = new AtomicReference<>();
    Thread heartbeat =
        Thread.ofPlatform()
            .daemon()
            .name("grindstone-agent-heartbeat")
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    sleep(1000);
                    JsonNode a = answered.getAndSet(null);
                    JsonNode r = a != null ? a : poll(c, id);
                    String status = r == null ? null : r.path("status").asText();
                    if (fenced.get() || "stopping".equals(status) || "failed".equals(status)) {
                      if (stopReason.compareAndSet(
                          null,
                          fenced.get() ? "replaced by a newer attempt" : "the run is " + status)) {
                        say("stopping: " + stopReason.get());
                        load.stop();
                      }
                    }
                  }
                });
    reserver.start();
    Thread clockWatch =
        Thread.ofPlatform()
            .daemon()
            .name("grindstone-agent-clock")
            .start(() -> watchClock(c, id, clock, tolerance, remeasure));
    long waitMs = Math.round(startMs - clock.serverNowMillis());
    say(
        joining
            ? "joining the run "
                + -waitMs
                + " ms after its start time "
                + startMs
                + " (server time), at the plan's point then: ended phases are skipped, the"
                + " current one runs for its remaining time"
            : waitMs >= 0
                ? "starting at " + startMs + " (server time), in " + waitMs + " ms"
                : "starting "
                    + -waitMs
                    + " ms after the run's start time "
                    + startMs
                    + " (server time): this agent learned it"
                    + " late, so its load starts that much behind the others' (its intervals keep"
                    + " time with theirs)");
    // The engine sets itself up now and starts at T by this process's clock: T minus the same
    // whole-ms offset the sink adds back, so the first interval starts at T in server time exactly.
    // A replacement joins at the plan's point once its set-up is done, on the same clock.
    if (joining) {
      load.joinAt(Instant.ofEpochMilli(startMs - epochOffset));
    } else {
      load.startAt(Instant.ofEpochMilli(startMs - epochOffset));
    }
    RunSummary summary;
    try {
      summary = stopReason.get() != null && fenced.get() ? null : load.execute();
    } finally {
      heartbeat.interrupt();
      clockWatch.interrupt();
      reserver.close();
      RunCommand.closeScenarios(plan.scenarios());
    }
    if (fenced.get() || summary == null) {
      say("replaced by a newer attempt of index " + shardIndex + ": its figures are not sent");
      if (summary != null) {
        // Its calls up to the fence are in the run's figures: its data log is their record.
        try {
          sendDataLog(c, id, summary);
        } catch (IOException e) {
          say("the data log stays in " + summary.info().outputDirectory() + ": " + e.getMessage());
        }
      }
      return EXIT_FENCED;
    }
    Path dir = summary.info().outputDirectory();
    sendDataLog(c, id, summary);
    try {
      c.post(
          "/api/v1/agents/" + id + "/total",
          total(summary, reportAs, epochOffset, reserver.notes()));
    } catch (CoordinatorClient.Refused e) {
      if (e.status == 409) {
        say("replaced by a newer attempt: " + e.getMessage());
        return EXIT_FENCED;
      }
      throw e;
    }
    say(
        "done: "
            + summary.totals().tests()
            + " tests, "
            + summary.totals().errors()
            + " errors; results in "
            + dir);
    return 0;
  }

  /** Sends the run's data log to the server, for the controller's results folder. */
  private static void sendDataLog(CoordinatorClient c, String id, RunSummary summary)
      throws IOException {
    Path dir = summary.info().outputDirectory();
    if (dir == null || !Files.exists(dir.resolve("data.csv"))) {
      return;
    }
    try {
      c.post(
          "/api/v1/agents/" + id + "/datalog", gzip(dir.resolve("data.csv")), "application/gzip");
    } catch (CoordinatorClient.Refused e) {
      say("the data log stays in " + dir + ": " + e.getMessage());
    }
  }

  /**
   * The agent's final cumulative figures: a snapshot of the whole run, plus what only the end
   * knows.
   */
  static String total(RunSummary s, String reportAs, long epochOffset, List<String> notes)
      throws IOException {
    SnapshotPost whole =
        new SnapshotPost(
            reportAs,
            -1,
            "",
            s.info().startEpochMillis() + epochOffset,
            s.endEpochMillis() + epochOffset,
            s.tests(),
            null,
            null,
            s.scenarios().stream()
                .map(r -> new SnapshotPost.Scenario(r.name(), r.users(), r.tests()))
                .toList());
    ObjectNode body =
        (ObjectNode) CoordinatorClient.JSON.readTree(RunRequest.snapshot("total", whole).body());
    body.put("lateStarts", s.lateStarts());
    body.put("droppedStarts", s.droppedStarts());
    body.put("skippedPacedStarts", s.omission().skippedPacedStarts());
    body.put("droppedDataLogRows", s.droppedDataLogRows());
    body.put("interrupted", s.interrupted());
    body.put("lateness", Histograms.encode(s.lateness()));
    ObjectNode failures = body.putObject("iterationFailures");
    s.iterationFailures().forEach(failures::put);
    var all = body.putArray("notes");
    s.sinkProblems().forEach(all::add);
    notes.forEach(all::add);
    return body.toString();
  }

  /**
   * The queue feeders' reservations of the plan's HTTP flows, each keeping at least {@code users}
   * rows reserved ahead.
   */
  private static List<Reservation> queueRows(RunCommand.Plan plan, long users) {
    List<Reservation> all = new ArrayList<>();
    if (plan.named() == null) {
      if (plan.scenario() instanceof HttpFlowScenario flow) {
        all.addAll(flow.reserveQueueRows(null, users));
      }
    } else {
      plan.named()
          .forEach(
              (name, s) -> {
                if (s instanceof HttpFlowScenario flow) {
                  all.addAll(flow.reserveQueueRows(name, users));
                }
              });
    }
    return all;
  }

  /** The clock's offset from the server's: the best of 16 round trips. */
  private static ClockOffset measureClock(CoordinatorClient c, String id) throws IOException {
    return ClockOffset.measure(
        () -> c.post("/api/v1/agents/" + id + "/clock", "{}").get("serverUs").asLong(), 16);
  }

  /**
   * Measures the clock again every {@code every} while the run goes on, says what it found, and
   * sends it to the server, which keeps it with the run's offsets. The run keeps the offset it
   * started with: its snapshots' times stay on one scale, and a drift shows in the measures.
   */
  private static void watchClock(
      CoordinatorClient c, String id, ClockOffset first, Duration tolerance, Duration every) {
    while (!Thread.currentThread().isInterrupted()) {
      sleep(every.toMillis());
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
      ClockOffset again;
      try {
        again = measureClock(c, id);
        c.post(
            "/api/v1/agents/" + id + "/clock-samples",
            String.format(
                Locale.ROOT,
                "{\"clockOffsetMs\":%.3f,\"clockRttMs\":%.3f}",
                again.offsetMillis(),
                again.rttMillis()));
      } catch (IOException | RuntimeException e) {
        say("could not measure the clock again: " + e.getMessage());
        continue;
      }
      double drift = again.offsetMillis() - first.offsetMillis();
      say(
          String.format(
              Locale.ROOT,
              "clock measured again: offset %+.1f ms (±%.1f ms), %+.1f ms from the start's",
              again.offsetMillis(),
              again.rttMillis() / 2,
              drift));
      if (again.rttMillis() / 2 > tolerance.toMillis()) {
        say(
            String.format(
                Locale.ROOT,
                "this measure is known only to ±%.1f ms, beyond --clock-tolerance %d ms",
                again.rttMillis() / 2,
                tolerance.toMillis()));
      } else if (Math.abs(drift) > tolerance.toMillis()) {
        say(
            String.format(
                Locale.ROOT,
                "the clocks drift apart: %+.1f ms since the start, beyond --clock-tolerance %d"
                    + " ms; this agent's times keep the start's offset, so they are off by that"
                    + " much",
                drift,
                tolerance.toMillis()));
      }
    }
  }

  private static byte[] gzip(Path file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      Files.copy(file, gz);
    }
    return bytes.toByteArray();
  }

  private String register(
      CoordinatorClient c, String who, Integer idx, String attempt, long deadline)
      throws Exception {
    String body =
        CoordinatorClient.JSON.writeValueAsString(
            new java.util.LinkedHashMap<String, Object>() {
              {
                put("name", who);
                put("version", new Main.Version().getVersion()[0]);
                put("cores", Runtime.getRuntime().availableProcessors());
                put("maxHeap", Runtime.getRuntime().maxMemory());
                if (idx != null) {
                  put("index", idx);
                }
                put("attempt", attempt);
              }
            });
    long backoff = 250;
    while (true) {
      try {
        return c.post("/api/v1/agents", body).get("id").asText();
      } catch (CoordinatorClient.Refused e) {
        if (e.status == 400 || e.status == 401 || e.status == 404) {
          throw new BadInputException(e.getMessage());
        }
        say(e.getMessage() + "; trying again");
      } catch (IOException e) {
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
        say("cannot reach " + c.base() + " (" + e + "); trying again");
      }
      sleep(backoff);
      backoff = Math.min(5_000, backoff * 2);
    }
  }

  /**
   * The agent's run (null while it has none), or null after a failure; sets {@link #fenced} on 409.
   */
  private JsonNode poll(CoordinatorClient c, String id) {
    try {
      return c.post("/api/v1/agents/" + id + "/poll", "{}").get("run");
    } catch (CoordinatorClient.Refused e) {
      if (e.status == 409) {
        fenced.set(true);
        say(e.getMessage());
      }
      return null;
    } catch (IOException e) {
      return null; // the server is away: the next poll tries again
    }
  }

  /** The run a snapshot's answer carries (as a poll's answer does), or null when it has none. */
  static JsonNode polled(String answer) {
    try {
      JsonNode run = CoordinatorClient.JSON.readTree(answer).path("poll").path("run");
      return run.isObject() ? run : null;
    } catch (IOException e) {
      return null; // not JSON: the next heartbeat polls
    }
  }

  private static JsonNode member(JsonNode run, String agentId) {
    for (JsonNode m : run.get("members")) {
      if (m.get("agentId").asText().equals(agentId)) {
        return m;
      }
    }
    throw new IllegalStateException(
        "the run " + run.get("id").asText() + " does not list this agent");
  }

  private static Integer envIndex() {
    String v = System.getenv("JOB_COMPLETION_INDEX");
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new BadInputException("JOB_COMPLETION_INDEX must be a whole number, got '" + v + "'");
    }
  }

  private static void say(String message) {
    System.out.println("agent: " + message);
    System.out.flush();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
