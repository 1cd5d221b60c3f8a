package dev.grindstone.cli;

import static dev.grindstone.cli.DistributedHarness.SMALL_JVM;
import static dev.grindstone.cli.DistributedHarness.mergedEqualsDataLogs;
import static dev.grindstone.cli.DistributedHarness.resultsFolder;
import static dev.grindstone.cli.DistributedHarness.runId;
import static dev.grindstone.cli.DistributedHarness.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.MetricsServer;
import dev.grindstone.stats.latency.Histograms;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Distributed runs with real processes: a metrics server on 127.0.0.1, agents in child JVMs, the
 * controller in this one. Each run lasts seconds; the agents' JVMs start small.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DistributedRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  MetricsServer server;
  URI url;

  /**
   * A server of each test's own: agents take the oldest waiting run, so tests must not share one.
   */
  @BeforeEach
  void start() throws IOException {
    server = MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("s.db")).start();
    url = URI.create(server.url());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Path plan(String name, String distributed, String phases) throws IOException {
    return DistributedHarness.plan(dir, name, distributed, phases);
  }

  private static void awaitLog(Path log, String text, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(50);
    }
    StringBuilder all = new StringBuilder();
    try (Stream<Path> logs = Files.list(log.getParent())) {
      for (Path l : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        all.append(l.getFileName()).append(":\n").append(Files.readString(l)).append('\n');
      }
    }
    throw new AssertionError("'" + text + "' not in " + log + "; the agents said:\n" + all);
  }

  /** Starts the controller of {@code file} in this JVM, its results under {@code out}. */
  private CompletableFuture<CliRunner.Result> startController(Path file, Path out) {
    return CompletableFuture.supplyAsync(
        () ->
            CliRunner.run(
                "run", file.toString(), "--server", url.toString(), "--out", out.toString()));
  }

  /** Runs the controller, bounded; on a timeout the agents' output says why. */
  private CliRunner.Result controller(Path file, Path out, LocalAgents agents) throws Exception {
    return DistributedHarness.controller(
        agents, "run", file.toString(), "--server", url.toString(), "--out", out.toString());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(url.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  @Test
  void merged_totals_equal_the_agents_data_logs_and_merged_percentiles_their_exact_merge()
      throws Exception {
    Path file =
        plan(
            "exact",
            "{agents: 2, lead: 1s}",
            """
              - {name: ramp, duration: 1s, users: {from: 0, to: 6}}
              - {name: hold, duration: 1s, users: 6}
              - {name: open, duration: 1s, rate: 200, max_users: 20}
            """);
    Path out = dir.resolve("exact-out");
    CliRunner.Result r;
    try (LocalAgents agents =
        LocalAgents.start(2, url, null, dir.resolve("exact-agents"), small(2))) {
      r = controller(file, out, agents);
      assertThat(agents.await(30)).as("the agents end with their run").isTrue();
      for (Process p : agents.processes()) {
        assertThat(p.exitValue()).isZero();
      }
    }
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("All 2 agents ready", "All thresholds passed")
        .doesNotContain("snapshots on the server hold");
    Path results = resultsFolder(out);
    Histogram all = Histograms.newHistogram();
    long[] minMax = {Long.MAX_VALUE, Long.MIN_VALUE};
    JsonNode totals = mergedEqualsDataLogs(results, 2, all, minMax).get("totals");
    long min = minMax[0];
    long max = minMax[1];
    assertThat(totals.get("p50").asDouble()).isEqualTo(Histograms.percentileMillis(all, 50));
    assertThat(totals.get("p99").asDouble()).isEqualTo(Histograms.percentileMillis(all, 99));
    assertThat(totals.get("p999").asDouble()).isEqualTo(Histograms.percentileMillis(all, 99.9));
    assertThat(totals.get("max").asDouble()).as("the exact max").isEqualTo(max / 1000.0);
    assertThat(totals.get("min").asDouble()).as("the exact min").isEqualTo(min / 1000.0);
    assertThat(Files.readString(results.resolve("summary.txt")))
        .contains("Test 1", "\"Wait\"", "Test 2", "\"Flaky\"");
    assertThat(results.resolve("latency.hlog")).isNotEmptyFile();
    assertThat(results.resolve("report.html")).isNotEmptyFile();

    // Re-posting an agent's requests changes nothing on the server.
    String id = runId(r.out());
    JsonNode before = get("/api/v1/runs/" + id).get("totals");
    Path agentResults;
    try (Stream<Path> s = Files.list(dir.resolve("exact-agents/agent-0"))) {
      agentResults = s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    CliRunner.Result upload =
        CliRunner.run("upload", agentResults.toString(), "--server", url.toString());
    assertThat(upload.exitCode()).as(upload.out() + upload.err()).isZero();
    JsonNode after = get("/api/v1/runs/" + id).get("totals");
    assertThat(after.get("tests").asLong())
        .isEqualTo(before.get("tests").asLong())
        .isEqualTo(totals.get("tests").asLong());
    assertThat(after.get("errors").asLong()).isEqualTo(before.get("errors").asLong());
  }

  @Test
  void a_run_of_two_scenarios_merges_each_scenarios_figures_exactly() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("scenarios-plan"));
    String scenario = ShardedScenario.class.getName();
    Path file =
        Files.writeString(
            folder.resolve("run.yaml"),
            """
            name: two-scenarios
            period: 500ms
            graceful_stop: 1s
            distributed: {agents: 2, lead: 1s}
            thresholds: ["errors<50%%", {threshold: "errors<50%%", scenario: steady}]
            phases:
              - name: mixed
                duration: 2s
                scenarios:
                  steady: {users: 3, scenario: %1$s}
                  arrivals: {rate: 40, max_users: 10, scenario: %1$s}
            """
                .formatted(scenario));
    Path results = runOnTwoAgents(file, "scenarios");

    // Each scenario's calls per test, from the agents' data logs (their last column).
    Map<String, Map<Integer, long[]>> logged = new HashMap<>();
    for (int agent = 0; agent < 2; agent++) {
      List<String> rows = Files.readAllLines(results.resolve("agents/" + agent + "/data.csv"));
      assertThat(rows.getFirst()).endsWith(", Scenario");
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(", ");
        long[] c =
            logged
                .computeIfAbsent(f[f.length - 1], k -> new HashMap<>())
                .computeIfAbsent(Integer.parseInt(f[2]), k -> new long[2]);
        c[f[5].equals("0") ? 0 : 1]++;
      }
    }
    assertThat(logged).containsOnlyKeys("steady", "arrivals");
    JsonNode json = JSON.readTree(results.resolve("results.json").toFile());
    JsonNode scenarios = json.get("scenarios");
    assertThat(scenarios).hasSize(2);
    assertThat(scenarios.get(0).get("name").asText()).isEqualTo("steady");
    assertThat(scenarios.get(0).get("maxUsers").asInt())
        .as("2 users on one agent, 1 on the other")
        .isEqualTo(3);
    assertThat(scenarios.get(1).get("name").asText()).isEqualTo("arrivals");
    long all = 0;
    for (JsonNode sc : scenarios) {
      Map<Integer, long[]> mine = logged.get(sc.get("name").asText());
      assertThat(sc.get("tests")).as("%s's tests", sc.get("name")).hasSameSizeAs(mine.keySet());
      for (JsonNode t : sc.get("tests")) {
        long[] c = mine.get(t.get("test").asInt());
        assertThat(t.get("tests").asLong())
            .as("%s test %s", sc.get("name"), t.get("test"))
            .isEqualTo(c[0]);
        assertThat(t.get("errors").asLong())
            .as("%s test %s", sc.get("name"), t.get("test"))
            .isEqualTo(c[1]);
        all += c[0] + c[1];
      }
    }
    JsonNode totals = json.get("totals");
    assertThat(totals.get("tests").asLong() + totals.get("errors").asLong())
        .as("the scenarios' calls add up to the run's")
        .isEqualTo(all);
    assertThat(Files.readString(results.resolve("summary.txt")))
        .contains("Scenario steady (at most 3 users)", "Scenario arrivals (at most")
        .contains("scenario steady: errors<50%");
  }

  @Test
  void the_merged_run_is_corrected_for_coordinated_omission_as_one_process_would_be()
      throws Exception {
    Path folder = Files.createDirectories(dir.resolve("stall-plan"));
    Path file =
        Files.writeString(
            folder.resolve("run.yaml"),
            """
            name: stalls
            scenario: %s
            period: 500ms
            graceful_stop: 1s
            distributed: {agents: 2, lead: 1s}
            phases:
              - {name: paced, duration: 2s, users: 4, pace: 10ms}
            """
                .formatted(StallingScenario.class.getName()));
    Path results = runOnTwoAgents(file, "stall");
    Histogram raw = Histograms.newHistogram();
    mergedEqualsDataLogs(results, 2, raw, new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
    // One process's correction of the same calls: HdrHistogram's, with the phase's pace.
    Histogram corrected = raw.copyCorrectedForCoordinatedOmission(10_000);
    JsonNode co =
        JSON.readTree(results.resolve("results.json").toFile()).get("coordinatedOmission");
    assertThat(co).as("results.json's coordinatedOmission").isNotNull();
    JsonNode step = co.get("tests").get(0);
    assertThat(step.get("test").asInt()).isEqualTo(3);
    assertThat(step.get("intendedCycle").asText()).isEqualTo("pace 10.00 ms");
    assertThat(step.get("omittedCalls").asLong())
        .isEqualTo(corrected.getTotalCount() - raw.getTotalCount())
        .isPositive();
    for (String[] p : new String[][] {{"p50", "50"}, {"p90", "90"}, {"p99", "99"}}) {
      assertThat(step.get(p[0]).asDouble())
          .as("corrected %s", p[0])
          .isEqualTo(Histograms.percentileMillis(corrected, Double.parseDouble(p[1])));
    }
    assertThat(Files.readString(results.resolve("summary.txt"))).contains("coordinated omission");
  }

  @Test
  void a_server_gone_for_longer_than_the_outage_limit_leaves_the_merged_results_of_what_arrived()
      throws Exception {
    Path file =
        plan("gone", "{agents: 2, lead: 1s}", "  - {name: hold, duration: 30s, users: 2}\n");
    Path out = dir.resolve("gone-out");
    System.setProperty("grindstone.controller.outageLimitMs", "1500");
    try (LocalAgents agents = LocalAgents.start(2, url, null, dir.resolve("gone"), small(2))) {
      CompletableFuture<CliRunner.Result> run = startController(file, out);
      awaitLog(agents.logs().get(1), "starting at", 90);
      // Until the controller has merged some intervals.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (snapshotsStored() < 6 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      server.close(); // and never back
      CliRunner.Result r = run.get(90, TimeUnit.SECONDS);
      assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
      assertThat(r.err()).contains("The run's results are incomplete");
      Path results = resultsFolder(out);
      assertThat(Files.readString(results.resolve("summary.txt")))
          .contains("stopped answering", "these results hold only the agents' snapshots");
      JsonNode totals = JSON.readTree(results.resolve("results.json").toFile()).get("totals");
      assertThat(totals.get("tests").asLong() + totals.get("errors").asLong())
          .as("the calls of the intervals that arrived")
          .isPositive();
    } finally {
      System.clearProperty("grindstone.controller.outageLimitMs");
    }
  }

  /**
   * Runs {@code file} on 2 agents to its end, which must pass, and returns the merged results
   * folder ({@code <name>-out/...}).
   */
  private Path runOnTwoAgents(Path file, String name) throws Exception {
    Path out = dir.resolve(name + "-out");
    CliRunner.Result r;
    try (LocalAgents agents =
        LocalAgents.start(2, url, null, dir.resolve(name + "-agents"), small(2))) {
      r = controller(file, out, agents);
      assertThat(agents.await(30)).as("the agents end with their run").isTrue();
    }
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    return resultsFolder(out);
  }

  /** The snapshots the server holds of its one run (a distributed run's id is its own). */
  private int snapshotsStored() throws Exception {
    JsonNode runs = get("/api/v1/runs").path("runs");
    return runs.isEmpty()
        ? 0
        : get("/api/v1/distributed/" + runs.get(0).get("id").asText() + "/snapshots")
            .get("snapshots")
            .size();
  }

  /** A metrics server in a child JVM on {@code port} and the SQLite file {@code db}. */
  private Process childServer(int port, Path db, Path log) throws Exception {
    Process p =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "server",
                "--port",
                Integer.toString(port),
                "--db",
                "jdbc:sqlite:" + db)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException notYet) {
        assertThat(p.isAlive()).as("the server started: %s", Files.readString(log)).isTrue();
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new AssertionError("the server did not listen on " + port + ": " + Files.readString(log));
  }

  @Test
  void a_server_killed_mid_run_and_restarted_loses_nothing_and_counts_nothing_twice()
      throws Exception {
    int port;
    try (java.net.ServerSocket free =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path db = dir.resolve("restart.db");
    Path serverLog = dir.resolve("server.log");
    url = URI.create("http://127.0.0.1:" + port);
    Process first = childServer(port, db, serverLog);
    Process second = null;
    Path file =
        plan(
            "restart",
            "{agents: 2, lead: 1s}",
            """
              - {name: hold, duration: 3s, users: 4}
              - {name: open, duration: 1s, rate: 100, max_users: 10}
            """);
    Path out = dir.resolve("restart-out");
    try (LocalAgents agents =
        LocalAgents.start(2, url, null, dir.resolve("restart-agents"), small(2))) {
      CompletableFuture<CliRunner.Result> run = startController(file, out);
      awaitLog(agents.logs().get(0), "starting at", 90);
      Thread.sleep(1500);
      first.destroyForcibly(); // SIGKILL: mid-run, with snapshots in flight
      assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(2000); // the agents' snapshots pile up meanwhile
      second = childServer(port, db, serverLog);
      CliRunner.Result r = run.get(120, TimeUnit.SECONDS);
      assertThat(agents.await(60)).as("the agents end with their run").isTrue();
      for (Process p : agents.processes()) {
        assertThat(p.exitValue()).isZero();
      }
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      assertThat(r.err()).contains("is unreachable since", "answers again");
      for (Path log : agents.logs()) {
        assertThat(Files.readString(log)).as("%s", log).contains("is unreachable since");
      }
      assertThat(r.out()).doesNotContain("snapshots on the server hold", "was lost");

      // Nothing lost, nothing counted twice: the merged counts are the data logs' calls.
      Histogram all = Histograms.newHistogram();
      mergedEqualsDataLogs(resultsFolder(out), 2, all, new long[2]);
      long sum = all.getTotalCount();
      // The server's own totals of the run agree: the re-sent snapshots were taken once.
      assertThat(get("/api/v1/runs/" + runId(r.out())).get("totals").get("tests").asLong())
          .isEqualTo(sum);
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"fail", "continue"})
  void an_agent_killed_mid_run_is_named_with_the_span_it_missed(String policy) throws Exception {
    Path file =
        plan(
            "kill-" + policy,
            "{agents: 2, lead: 1s, loss_timeout: 1500ms, on_agent_loss: " + policy + "}",
            "  - {name: hold, duration: 5s, users: 4}\n");
    Path out = dir.resolve("kill-" + policy + "-out");
    try (LocalAgents agents =
        LocalAgents.start(2, url, null, dir.resolve("kill-" + policy), small(2))) {
      CompletableFuture<CliRunner.Result> run = startController(file, out);
      awaitLog(agents.logs().get(1), "starting at", 90);
      Thread.sleep(1500);
      agents.processes().get(1).destroyForcibly(); // SIGKILL: no goodbye
      CliRunner.Result r = run.get(90, TimeUnit.SECONDS);
      String summary = Files.readString(resultsFolder(out).resolve("summary.txt"));
      assertThat(summary)
          .contains("agent 1 (local-1", "was lost: its share of the load is missing from");
      if (policy.equals("fail")) {
        assertThat(r.exitCode())
            .as(r.out() + r.err())
            .isEqualTo(DistributedController.EXIT_AGENT_LOST);
        assertThat(summary).contains("on_agent_loss: fail stops the run");
      } else {
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode totals =
            JSON.readTree(resultsFolder(out).resolve("results.json").toFile()).get("totals");
        assertThat(totals.get("tests").asLong()).as("agent 0 ran to the end").isPositive();
      }
      assertThat(agents.processes().get(0).waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(agents.processes().get(0).exitValue()).isZero();
    }
  }

  @Test
  void a_newer_attempt_of_an_index_fences_the_older_which_stops() throws Exception {
    Path file =
        plan("fence", "{agents: 2, lead: 1s}", "  - {name: hold, duration: 1s, users: 2}\n");
    Path out = dir.resolve("fence-out");
    Path folder = dir.resolve("fence-agents");
    CompletableFuture<CliRunner.Result> run = startController(file, out);
    try (LocalAgents agents = LocalAgents.start(0, url, null, folder, List.of())) {
      // An agent that registers before the run is uploaded waits for it.
      Process old = agents.add(0, url, null, folder, SMALL_JVM, "0-old");
      awaitLog(folder.resolve("agent-0-old.log"), "agent 0 of 2", 90);
      agents.add(0, url, null, folder, SMALL_JVM, "0-new");
      assertThat(old.waitFor(60, TimeUnit.SECONDS)).as("the old attempt stops").isTrue();
      assertThat(old.exitValue()).isEqualTo(AgentCommand.EXIT_FENCED);
      assertThat(Files.readString(folder.resolve("agent-0-old.log")))
          .contains("replaced by attempt");
      agents.add(1, url, null, folder, SMALL_JVM, "1");
      CliRunner.Result r = run.get(100, TimeUnit.SECONDS);
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      assertThat(Files.readString(resultsFolder(out).resolve("summary.txt")))
          .contains("agent 0 (local-0-old", "was replaced before it reported anything");
      assertThat(agents.await(20)).isTrue();
    }
  }

  @Test
  void a_replacement_of_a_stopped_agent_rejoins_with_its_gap_reported_reusing_no_row_nor_iteration()
      throws Exception {
    // The target counts each row of the queue feeder it receives.
    Map<Integer, Integer> received = new java.util.concurrent.ConcurrentHashMap<>();
    com.sun.net.httpserver.HttpServer target =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    target.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    target.createContext(
        "/hit",
        exchange -> {
          String row = exchange.getRequestURI().getQuery().replaceFirst("^row=", "");
          received.merge(Integer.parseInt(row), 1, Integer::sum);
          exchange.sendResponseHeaders(200, 2);
          exchange.getResponseBody().write("ok".getBytes());
          exchange.close();
        });
    target.start();
    Path folder = Files.createDirectories(dir.resolve("rejoin-plan"));
    StringBuilder csv = new StringBuilder("id\n");
    for (int row = 0; row < 20_000; row++) {
      csv.append(row).append('\n');
    }
    Files.writeString(folder.resolve("rows.csv"), csv);
    // A phase bounded by iterations: the replacement joins it whenever it comes, and runs only
    // the iterations its index had not started.
    Path file =
        Files.writeString(
            folder.resolve("run.yaml"),
            """
            name: rejoin
            period: 500ms
            graceful_stop: 1s
            distributed: {agents: 2, lead: 1s, loss_timeout: 30s}
            base_url: http://127.0.0.1:%d
            feeders: [{csv: rows.csv, mode: queue}]
            requests: {hit: {url: "/hit?row=${id}", checks: [{status: 200}]}}
            flow:
              - {test: 1, request: hit}
              - {pause: 20ms}
            phases:
              - {name: rows, users: 4, iterations: 400}
            """
                .formatted(target.getAddress().getPort()));
    Path out = dir.resolve("rejoin-out");
    Path agentsFolder = dir.resolve("rejoin-agents");
    try (LocalAgents agents = LocalAgents.start(2, url, null, agentsFolder, small(2))) {
      CompletableFuture<CliRunner.Result> run = startController(file, out);
      Path oldLog = agents.logs().get(1);
      awaitLog(oldLog, "starting at", 90);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("run (\\S+): agent 1 of 2")
              .matcher(Files.readString(oldLog));
      assertThat(m.find()).isTrue();
      String id = m.group(1);
      String old = agentSnapshots(id, "1.").keySet().stream().findFirst().orElse(null);
      while (old == null || agentSnapshots(id, old).get(old).size() < 2) {
        Thread.sleep(50); // until the old attempt has reported two intervals
        old = agentSnapshots(id, "1.").keySet().stream().findFirst().orElse(null);
      }
      Process oldProcess = agents.processes().get(1);
      signal("STOP", oldProcess);
      Process replacement = agents.add(1, url, null, agentsFolder, SMALL_JVM, "1-again");
      awaitLog(agentsFolder.resolve("agent-1-again.log"), "joining the run", 60);
      signal("CONT", oldProcess);
      assertThat(oldProcess.waitFor(30, TimeUnit.SECONDS)).as("the old attempt stops").isTrue();
      assertThat(oldProcess.exitValue()).isEqualTo(AgentCommand.EXIT_FENCED);
      CliRunner.Result r = run.get(90, TimeUnit.SECONDS);
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      assertThat(replacement.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(replacement.exitValue()).isZero();

      Path results = resultsFolder(out);
      String summary = Files.readString(results.resolve("summary.txt"));
      assertThat(summary)
          .contains(
              "agent 1 (local-1, attempt",
              "was replaced by attempt",
              "which rejoined the run",
              "a gap of",
              "joined the run");
      JsonNode json = JSON.readTree(results.resolve("results.json").toFile());
      JsonNode gap = json.get("gaps").get(0);
      assertThat(json.get("gaps")).hasSize(1);
      assertThat(gap.get("index").asInt()).isEqualTo(1);
      assertThat(gap.get("before").asText()).isEqualTo(old);
      List<JsonNode> oldSnaps = agentSnapshots(id, old).get(old);
      assertThat(gap.get("fromMs").asLong())
          .as("the gap starts where the old attempt's last accepted interval ends")
          .isEqualTo(oldSnaps.getLast().get("endMs").asLong());
      String after = gap.get("after").asText();
      assertThat(gap.get("toMs").asLong())
          .as("and ends where the replacement's first interval starts")
          .isEqualTo(agentSnapshots(id, after).get(after).get(0).get("startMs").asLong());
      assertThat(gap.get("toMs").asLong()).isGreaterThan(gap.get("fromMs").asLong());

      // The merged totals: agent 0's and the replacement's data logs, plus the old attempt's
      // accepted intervals, each counted once.
      Histogram times = Histograms.newHistogram();
      Map<Integer, long[]> counts;
      try {
        counts = DistributedHarness.dataLogs(results, 2, times, new long[] {Long.MAX_VALUE, 0});
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage() + "\n" + summary + r.out() + DistributedHarness.logs(agents), e);
      }
      long[] accepted = {0, 0};
      for (JsonNode snap : oldSnaps) {
        for (JsonNode t : snap.get("tests")) {
          var f = WireFigures.read(t, dev.grindstone.stats.StatisticsSchema.standard(), 1);
          counts.computeIfAbsent(f.test(), k -> new long[2])[0] += f.tests();
          counts.get(f.test())[1] += f.errors();
          accepted[0] += f.tests() + f.errors();
        }
      }
      String debug =
          summary
              + "\nold accepted "
              + accepted[0]
              + " in "
              + oldSnaps.size()
              + " snapshots\n"
              + r.out()
              + DistributedHarness.logs(agents);
      for (JsonNode t : json.get("tests")) {
        long[] c = counts.get(t.get("test").asInt());
        assertThat(t.get("tests").asLong()).as("test %s %s", t.get("test"), debug).isEqualTo(c[0]);
        assertThat(t.get("errors").asLong()).as("test %s", t.get("test")).isEqualTo(c[1]);
      }
      // The old attempt's own data log holds its accepted calls, and the few it made after its
      // last accepted interval, before it learned it was replaced; it sent it to the server as it
      // stopped, and the controller saved it beside the replacement's.
      Path local;
      try (Stream<Path> logs = Files.walk(agentsFolder.resolve("agent-1"))) {
        local = logs.filter(p -> p.endsWith("data.csv")).findFirst().orElseThrow();
      }
      Path sent;
      try (Stream<Path> dirs = Files.list(results.resolve("agents/1"))) {
        sent =
            dirs.filter(p -> p.getFileName().toString().startsWith("attempt-"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no replaced attempt's data log " + debug))
                .resolve("data.csv");
      }
      assertThat(Files.mismatch(local, sent))
          .as("the data log as the old attempt wrote it")
          .isEqualTo(-1);
      long oldRows = Files.readAllLines(sent).size() - 1;
      assertThat(oldRows).isGreaterThanOrEqualTo(accepted[0]);
      assertThat(accepted[0]).isPositive();
      assertThat(summary)
          .contains(
              "'s data log is in " + results.relativize(sent),
              "are in the merged figures, any after it are not");

      // No row of the queue feeder was used twice, over agent 0, the old attempt and its
      // replacement; agent 1's rows are the odd ones, position p of its share being row 2p + 1.
      assertThat(received.entrySet())
          .as("rows received more than once " + debug)
          .allSatisfy(e -> assertThat(e.getValue()).as("row %d", e.getKey()).isEqualTo(1));
      JsonNode skipped = json.get("skipped");
      assertThat(skipped).as(debug).hasSize(1);
      JsonNode s = skipped.get(0);
      assertThat(s.get("index").asInt()).isEqualTo(1);
      assertThat(s.get("before").asText()).isEqualTo(old);
      assertThat(s.get("after").asText()).isEqualTo(after);
      assertThat(s.get("counter").asText()).isEqualTo("queue feeder 'rows.csv'");
      long reserved = s.get("reserved").asLong();
      long atMost = s.get("atMost").asLong();
      // None when the old attempt had said it used every row it reserved (users waiting for more).
      assertThat(atMost).isNotNegative().isEqualTo(reserved - s.get("used").asLong());
      assertThat(summary)
          .contains(
              atMost > 0
                  ? "up to "
                      + atMost
                      + " rows of queue feeder 'rows.csv' reserved by attempt "
                      + old
                      + " were skipped"
                  : "no row of queue feeder 'rows.csv' was skipped: attempt " + old,
              "The queue feeder 'rows.csv' started at row " + reserved + " of this agent's share");
      // Its users make 400 iterations each, 800 in all: the replacement made those the old
      // attempt had not started as it last reported them.
      java.util.regex.Matcher took =
          java.util.regex.Pattern.compile(
                  "in phase 'rows', bounded by iterations, of which it took up the iterations its"
                      + " index had not started: (\\d+) of its share's 800 \\(the attempts before"
                      + " it had started (\\d+), as they last reported\\)")
              .matcher(summary);
      assertThat(took.find()).as(debug).isTrue();
      long before = Long.parseLong(took.group(2));
      assertThat(before).isPositive();
      assertThat(Long.parseLong(took.group(1))).isEqualTo(800 - before);
      assertThat(Files.readAllLines(results.resolve("agents/1/data.csv")))
          .as("the replacement's calls, one an iteration")
          .hasSize(1 + (int) (800 - before));
      assertThat(Files.readAllLines(results.resolve("agents/0/data.csv"))).hasSize(1 + 800);
      java.util.TreeSet<Long> positions = new java.util.TreeSet<>();
      received.keySet().stream()
          .filter(row -> row % 2 == 1)
          .forEach(row -> positions.add((row - 1) / 2L));
      assertThat(positions.tailSet(reserved)).as("the replacement's rows").isNotEmpty();
      long unused = reserved - positions.headSet(reserved).size();
      assertThat(unused)
          .as("rows the old attempt reserved and did not use")
          .isLessThanOrEqualTo(atMost);
    } finally {
      target.stop(0);
    }
  }

  /** The snapshots on the server of the agents whose name starts with {@code prefix}. */
  private Map<String, List<JsonNode>> agentSnapshots(String id, String prefix) throws Exception {
    Map<String, List<JsonNode>> by = new java.util.TreeMap<>();
    for (JsonNode s : get("/api/v1/distributed/" + id + "/snapshots").get("snapshots")) {
      if (s.get("agent").asText().startsWith(prefix)) {
        by.computeIfAbsent(s.get("agent").asText(), a -> new java.util.ArrayList<>()).add(s);
      }
    }
    by.values()
        .forEach(l -> l.sort(java.util.Comparator.comparingLong(n -> n.get("seq").asLong())));
    return by;
  }

  /** Sends {@code SIGname} to the process. */
  private static void signal(String name, Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -%s", name).isZero();
  }

  @Test
  void agents_with_clocks_seconds_apart_start_together_by_the_server_clock() throws Exception {
    Path file = plan("skew", "{agents: 4}", "  - {name: hold, duration: 2s, users: 4}\n");
    Path out = dir.resolve("skew-out");
    long[] skews = {-5_000, 0, 3_000, 1_250};
    List<List<String>> options = new java.util.ArrayList<>();
    for (long skew : skews) {
      List<String> o = new java.util.ArrayList<>(SMALL_JVM);
      o.add(
          "-Dgrindstone.agent.clockSkewMs="
              + skew); // test-only: this agent's clock is that far off
      o.add("-Dgrindstone.agent.clockEvery=700ms"); // --clock-every's default: measured again
      options.add(o);
    }
    CliRunner.Result r;
    try (LocalAgents agents =
        LocalAgents.start(4, url, null, dir.resolve("skew-agents"), options)) {
      r = controller(file, out, agents);
      assertThat(agents.await(30)).isTrue();
      for (Path log : agents.logs()) {
        Files.readAllLines(log).stream()
            .filter(l -> l.contains("starting") || l.contains("done:"))
            .forEach(l -> System.out.println(log.getFileName() + ": " + l));
      }
    }
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    r.out().lines().filter(l -> l.contains("load started")).forEach(System.out::println);
    JsonNode run = get("/api/v1/distributed/" + runId(r.out()));
    long start = run.get("startMs").asLong();
    Map<Integer, Double> offsets = new HashMap<>();
    for (JsonNode m : run.get("members")) {
      offsets.put(m.get("index").asInt(), m.get("clockOffsetMs").asDouble());
    }
    for (int i = 0; i < skews.length; i++) {
      // The offset is server minus the agent's skewed clock; the bound of its error is printed.
      assertThat(offsets.get(i))
          .as("agent %d's clock offset", i)
          .isCloseTo(-skews[i], within(50.0));
    }
    // Measured again while the run went on, and kept with the run's offsets in results.json.
    JsonNode listed =
        JSON.readTree(resultsFolder(out).resolve("results.json").toFile()).get("agents");
    assertThat(listed).as("results.json's agents").hasSize(4);
    for (JsonNode a : listed) {
      int i = a.get("index").asInt();
      assertThat(a.get("clockOffsetMs").asDouble()).isEqualTo(offsets.get(i));
      assertThat(a.get("clockSamples")).as("agent %d's clock measured again", i).isNotEmpty();
      for (JsonNode sample : a.get("clockSamples")) {
        assertThat(sample.get("offsetMs").asDouble())
            .as("agent %d's clock measured again", i)
            .isCloseTo(-skews[i], within(50.0));
        assertThat(sample.get("atMs").asLong()).isGreaterThan(run.get("createdMs").asLong());
      }
    }
    // Each agent's first interval starts at T, in server time, exactly: the engine prepares the
    // run first and starts its clock at T by the agent's corrected clock.
    JsonNode snapshots =
        get("/api/v1/distributed/" + runId(r.out()) + "/snapshots").get("snapshots");
    int agentsSeen = 0;
    for (JsonNode s : snapshots) {
      if (s.get("seq").asLong() == 0) {
        agentsSeen++;
        assertThat(s.get("startMs").asLong()).as("first interval of %s", s).isEqualTo(start);
      }
    }
    assertThat(agentsSeen).as(snapshots.toString()).isEqualTo(4);
    // No timing claim here (a busy machine delays the first calls; see BENCHMARKS.md): the spread
    // of the agents' first calls, on this machine's one clock, is printed for the benchmark.
    Path results = resultsFolder(out);
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    StringBuilder each = new StringBuilder();
    for (int i = 0; i < skews.length; i++) {
      long call = firstCallMillis(results.resolve("agents/" + i + "/data.csv"));
      first = Math.min(first, call);
      last = Math.max(last, call);
      each.append(String.format(java.util.Locale.ROOT, " agent %d %+d ms;", i, call - start));
    }
    System.out.println(
        "start spread of 4 agents with clock skews of -5 s, 0, +3 s and +1.25 s: "
            + (last - first)
            + " ms between their first calls; first call after T:"
            + each);
  }

  /** The start time of a data log's earliest call, ms since the epoch. */
  private static long firstCallMillis(Path dataLog) throws IOException {
    List<String> rows = Files.readAllLines(dataLog);
    long first = Long.MAX_VALUE;
    for (String row : rows.subList(1, rows.size())) {
      first = Math.min(first, Long.parseLong(row.split(", ")[3]));
    }
    return first;
  }
}
