package dev.grindstone.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.engine.MergedRun;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.results.TestFigures;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.HdrHistogram.Histogram;
import sun.misc.Signal;

/**
 * The controller of a distributed run ({@code grindstone run FILE --agents N --server URL}):
 * uploads the run's bundle, waits for the agents, then streams the merged run to the console as a
 * local run does, from the agents' snapshots on the server, and writes the merged results folder
 * (with each agent's data.csv under {@code agents/<index>/}). Interval k of the merged run is every
 * agent's interval k (the agents start together, with the same period), merged exactly.
 */
final class DistributedController {

  /** Exit code when an agent was lost and the policy is {@code fail}. */
  static final int EXIT_AGENT_LOST = 97;

  /**
   * Exit code when the run never started (the ready deadline passed, or it was stopped first), or
   * the server stopped answering for longer than the outage limit (the merged results then hold
   * what had arrived).
   */
  static final int EXIT_NOT_STARTED = 1;

  /**
   * How long the controller rides out an unreachable server; a test-only setting ({@code
   * grindstone.controller.outageLimitMs}, read by each controller) shortens it.
   */
  private static Duration outageLimit() {
    return Duration.ofMillis(
        Long.getLong(
            "grindstone.controller.outageLimitMs", CoordinatorClient.OUTAGE_LIMIT.toMillis()));
  }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private final RunCommand options;
  private final RunCommand.Plan plan;
  private final RunCommand.Distribution distribution;
  private final CoordinatorClient client;
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final Map<String, TreeMap<Long, JsonNode>> byAgent = new HashMap<>();

  /** Test numbers the agents' snapshots carry, and those the run on the server has described. */
  private final Set<Integer> reported = new HashSet<>();

  private final Set<Integer> described = new HashSet<>();
  private long ordinal;
  private long nextSeq;

  DistributedController(
      RunCommand options, RunCommand.Plan plan, RunCommand.Distribution distribution) {
    this.options = options;
    this.plan = plan;
    this.distribution = distribution;
    this.client =
        new CoordinatorClient(options.reportTo, options.token)
            .patient(outageLimit(), System.err::println);
  }

  int run() throws IOException {
    RunConfig config = plan.config().build();
    Path file = plan.file().toAbsolutePath().normalize();
    Path folder = file.getParent();
    byte[] bundle = RunBundle.zip(folder, 1L << 30);
    String query =
        "name="
            + enc(config.name())
            + "&agents="
            + distribution.agents()
            + "&runFile="
            + enc(folder.relativize(file).toString().replace('\\', '/'))
            + "&readyTimeoutMs="
            + distribution.readyTimeout().toMillis()
            + "&leadMs="
            + distribution.lead().toMillis()
            + "&onAgentLoss="
            + distribution.onAgentLoss()
            + "&lossTimeoutMs="
            + distribution.lossTimeout().toMillis();
    JsonNode run;
    try {
      run = client.post("/api/v1/distributed?" + query, bundle, "application/zip");
    } catch (CoordinatorClient.Refused e) {
      throw new BadInputException(e.getMessage());
    }
    String id = run.get("id").asText();
    System.out.printf(
        Locale.ROOT,
        "Distributed run %s on %s: %d bytes of %s sent; waiting for %d agent%s (ready"
            + " deadline %s)%n",
        id,
        client.base(),
        bundle.length,
        folder,
        distribution.agents(),
        distribution.agents() == 1 ? "" : "s",
        distribution.readyTimeout());
    installStop(id);

    Set<String> announced = new HashSet<>();
    while (run.get("startMs").isNull()) {
      for (JsonNode m : run.get("members")) {
        if (announced.add(m.get("agentId").asText() + m.get("status").asText())) {
          System.out.printf(
              Locale.ROOT,
              "  agent %d: %s, %s (%d cores, max heap %d MiB, %s)%n",
              m.get("index").asInt(),
              m.get("name").asText(),
              m.get("status").asText(),
              m.get("cores").asInt(),
              m.get("maxHeap").asLong() >> 20,
              m.get("version").asText());
        }
      }
      String status = run.get("status").asText();
      if (!status.equals("waiting")) {
        System.err.println(
            "The run did not start: it is "
                + status
                + (run.path("reason").isNull() ? "" : ": " + run.get("reason").asText()));
        return EXIT_NOT_STARTED;
      }
      sleep(250);
      run = client.get("/api/v1/distributed/" + id);
    }
    long startMs = run.get("startMs").asLong();
    System.out.printf(
        Locale.ROOT,
        "All %d agents ready; the run starts at %s UTC (server time), %d ms from now%n",
        distribution.agents(),
        TIME.format(Instant.ofEpochMilli(startMs)),
        startMs - run.get("serverMs").asLong());
    for (JsonNode m : run.get("members")) {
      if (m.get("status").asText().equals("running")) {
        System.out.printf(
            Locale.ROOT,
            "  agent %d (%s): clock offset %+.1f ms ±%.1f ms%n",
            m.get("index").asInt(),
            m.get("name").asText(),
            m.get("clockOffsetMs").asDouble(),
            m.get("clockRttMs").asDouble() / 2);
      }
    }

    List<Plugin> plugins = new ArrayList<>();
    plan.scenarios().forEach(s -> plugins.addAll(s.plugins()));
    plugins.addAll(plan.plugins());
    MergedRun merged =
        new MergedRun(
            config,
            plugins,
            System.out,
            startMs,
            plan.named() == null ? List.of() : List.copyOf(plan.named().keySet()));
    StatisticsSchema schema = merged.schema();
    try {
      while (true) {
        boolean done = run.get("status").asText().equals("done");
        fetch(id);
        describeTests(id, merged);
        emit(merged, schema, run, done);
        if (done) {
          break;
        }
        sleep(250);
        run = client.get("/api/v1/distributed/" + id);
      }
    } catch (IOException serverGone) {
      return partial(run, merged, schema, serverGone);
    }
    return finish(id, run, merged, schema);
  }

  /**
   * Writes the merged results of what had arrived when the server stopped answering for longer than
   * the outage limit: every interval received, named as such in the notes.
   */
  private int partial(JsonNode run, MergedRun merged, StatisticsSchema schema, IOException cause) {
    emit(merged, schema, run, true);
    long end = startOf(run);
    for (TreeMap<Long, JsonNode> snaps : byAgent.values()) {
      if (!snaps.isEmpty()) {
        end = Math.max(end, snaps.lastEntry().getValue().get("endMs").asLong());
      }
    }
    String note =
        String.format(
            Locale.ROOT,
            "The metrics server %s stopped answering (%s): these results hold only the agents'"
                + " snapshots received up to %s UTC (%.1f s of the run); the agents' final totals"
                + " and data logs were not read (each agent keeps its data log in its own results"
                + " folder).",
            client.base(),
            cause.getMessage(),
            TIME.format(Instant.ofEpochMilli(end)),
            (end - startOf(run)) / 1000.0);
    merged.finish(end, List.of(note), true, 0, Map.of(), 0, null, 0, 0);
    System.err.println(note);
    Path out = merged.info().outputDirectory();
    System.err.println(
        "The run's results are incomplete: exit code "
            + EXIT_NOT_STARTED
            + (out == null ? "" : "; what arrived is in " + out));
    return EXIT_NOT_STARTED;
  }

  private int finish(String id, JsonNode run, MergedRun merged, StatisticsSchema schema)
      throws IOException {
    describeTests(id, merged);
    List<String> notes = new ArrayList<>();
    long dropped = 0;
    long droppedRows = 0;
    boolean interrupted = stopRequested.get();
    boolean lost = false;
    Map<String, Long> failures = new LinkedHashMap<>();
    Histogram lateness = dev.grindstone.stats.latency.Histograms.newHistogram();
    long lateStarts = 0;
    long skippedPaced = 0;
    long end = startOf(run);
    for (TreeMap<Long, JsonNode> snaps : byAgent.values()) {
      if (!snaps.isEmpty()) {
        end = Math.max(end, snaps.lastEntry().getValue().get("endMs").asLong());
      }
    }
    for (JsonNode m : run.get("members")) {
      String status = m.get("status").asText();
      String who =
          "agent "
              + m.get("index").asInt()
              + " ("
              + m.get("name").asText()
              + ", attempt "
              + m.get("attempt").asText()
              + ")";
      TreeMap<Long, JsonNode> snaps =
          byAgent.getOrDefault(m.path("reportAs").asText(), new TreeMap<>());
      long covered =
          snaps.isEmpty() ? startOf(run) : snaps.lastEntry().getValue().get("endMs").asLong();
      JsonNode gap = gapAfter(run, m.path("reportAs").asText());
      if (gap != null && !gap.path("toMs").isNull() && !status.equals("done")) {
        // Replaced by an attempt that rejoined the run: the index missed only the gap.
        long from = gap.get("fromMs").asLong();
        long to = gap.get("toMs").asLong();
        notes.add(
            String.format(
                Locale.ROOT,
                "%s was replaced by attempt %s, which rejoined the run: the index's share of the"
                    + " load is missing from %s to %s UTC (a gap of %.1f s); %s",
                who,
                gap.get("after").asText().substring(gap.get("after").asText().indexOf('.') + 1),
                TIME.format(Instant.ofEpochMilli(from)),
                TIME.format(Instant.ofEpochMilli(to)),
                (to - from) / 1000.0,
                m.path("reason").asText("")));
        if (status.equals("fenced")) {
          saveReplacedDataLog(id, m, merged, who, notes);
        }
        continue;
      }
      switch (status) {
        case "fenced" -> {
          if (snaps.isEmpty()) {
            notes.add(
                who + " was replaced before it reported anything: " + m.path("reason").asText(""));
          } else {
            notes.add(
                String.format(
                    Locale.ROOT,
                    "%s was fenced: its share of the load is missing from %s to %s UTC"
                        + " (%.1f s of the run); %s",
                    who,
                    TIME.format(Instant.ofEpochMilli(covered)),
                    TIME.format(Instant.ofEpochMilli(end)),
                    (end - covered) / 1000.0,
                    m.path("reason").asText("")));
          }
          saveReplacedDataLog(id, m, merged, who, notes);
        }
        case "lost" -> {
          lost = true;
          notes.add(
              String.format(
                  Locale.ROOT,
                  "%s was %s: its share of the load is missing from %s to %s UTC (%.1f s"
                      + " of the run); %s",
                  who,
                  status,
                  TIME.format(Instant.ofEpochMilli(covered)),
                  TIME.format(Instant.ofEpochMilli(end)),
                  (end - covered) / 1000.0,
                  m.path("reason").asText("")));
        }
        case "done" -> {
          JsonNode total = m.get("total");
          interrupted |= total.path("interrupted").asBoolean();
          dropped += total.path("droppedStarts").asLong();
          lateStarts += total.path("lateStarts").asLong();
          skippedPaced += total.path("skippedPacedStarts").asLong();
          if (total.hasNonNull("lateness")) {
            lateness.add(
                dev.grindstone.stats.latency.Histograms.decode(total.get("lateness").asText()));
          }
          total.path("notes").forEach(n -> notes.add(who + ": " + n.asText()));
          droppedRows += total.path("droppedDataLogRows").asLong();
          total
              .path("iterationFailures")
              .fields()
              .forEachRemaining(f -> failures.merge(f.getKey(), f.getValue().asLong(), Long::sum));
          checkComplete(who, total, snaps, schema, notes);
          saveDataLog(id, m, merged);
        }
        default -> notes.add(who + " ended " + status + " without its final figures");
      }
    }
    if (!run.path("reason").isNull() && !run.path("reason").asText().isEmpty()) {
      notes.add(
          "The run was "
              + (run.path("reason").asText().startsWith("stopped") ? "" : "stopped: ")
              + run.get("reason").asText()
              + ".");
    }
    clockNotes(run, notes);
    skippedNotes(run, notes);
    RunSummary summary =
        merged.finish(
            end,
            notes,
            interrupted,
            dropped,
            failures,
            droppedRows,
            lateness,
            lateStarts,
            skippedPaced);
    writeAgents(merged, run, end);
    if (lost && distribution.onAgentLoss().equals("fail")) {
      System.err.println(
          "An agent was lost and on_agent_loss is fail: exit code " + EXIT_AGENT_LOST);
      return EXIT_AGENT_LOST;
    }
    return RunOutcome.finish(
        summary, null, options.tolerances.options(), options.junitXml, System.out);
  }

  /**
   * Says when an agent's clock, measured again during the run, moved from the offset it started
   * with by more than the two measures' error bounds: its times are off by that much.
   */
  private static void clockNotes(JsonNode run, List<String> notes) {
    for (JsonNode m : run.get("members")) {
      JsonNode samples = m.path("clockSamples");
      if (samples.isEmpty() || m.path("clockOffsetMs").isNull()) {
        continue;
      }
      double first = m.get("clockOffsetMs").asDouble();
      double firstBound = m.get("clockRttMs").asDouble() / 2;
      JsonNode worst = null;
      double worstBeyond = 0;
      for (JsonNode sample : samples) {
        double beyond =
            Math.abs(sample.get("offsetMs").asDouble() - first)
                - firstBound
                - sample.get("rttMs").asDouble() / 2;
        if (beyond > worstBeyond) {
          worstBeyond = beyond;
          worst = sample;
        }
      }
      if (worst != null) {
        notes.add(
            String.format(
                Locale.ROOT,
                "agent %d (%s, attempt %s): its clock drifted: measured again at %s UTC, its offset"
                    + " was %+.1f ms (±%.1f ms) against %+.1f ms (±%.1f ms) at the start; its times"
                    + " keep the start's offset, so they are off by up to %.1f ms",
                m.get("index").asInt(),
                m.get("name").asText(),
                m.get("attempt").asText(),
                TIME.format(Instant.ofEpochMilli(worst.get("atMs").asLong())),
                worst.get("offsetMs").asDouble(),
                worst.get("rttMs").asDouble() / 2,
                first,
                firstBound,
                Math.abs(worst.get("offsetMs").asDouble() - first)));
      }
    }
  }

  /**
   * Says how many rows of its queue feeders each replaced attempt may have left unused: its
   * replacement started after every row it had reserved, so those beyond what it last said it had
   * used were skipped, unless it used them after it last said so.
   */
  private static void skippedNotes(JsonNode run, List<String> notes) {
    for (JsonNode s : run.path("skipped")) {
      if (s.get("atMost").asLong() == 0) {
        notes.add(
            String.format(
                Locale.ROOT,
                "agent %d: no row of %s was skipped: attempt %s had said it used every row it"
                    + " reserved (%d of the index's share) before attempt %s replaced it",
                s.get("index").asInt(),
                s.get("counter").asText(),
                s.get("before").asText(),
                s.get("reserved").asLong(),
                s.get("after").asText()));
        continue;
      }
      notes.add(
          String.format(
              Locale.ROOT,
              "agent %d: up to %d rows of %s reserved by attempt %s were skipped: attempt %s, which"
                  + " replaced it, started after them (at row %d of the index's share; %s had last"
                  + " said it used %d)",
              s.get("index").asInt(),
              s.get("atMost").asLong(),
              s.get("counter").asText(),
              s.get("before").asText(),
              s.get("after").asText(),
              s.get("reserved").asLong(),
              s.get("before").asText(),
              s.get("used").asLong()));
    }
  }

  /** The gap that followed the attempt reporting as {@code reportAs}, or null. */
  private static JsonNode gapAfter(JsonNode run, String reportAs) {
    for (JsonNode g : run.path("gaps")) {
      if (g.path("before").asText().equals(reportAs)) {
        return g;
      }
    }
    return null;
  }

  /**
   * Adds to results.json each agent process of the run with its clock offsets (the one it started
   * with and those measured while it ran), the gaps between an index's attempts, and the rows of
   * queue feeders replaced attempts may have left unused.
   */
  private static void writeAgents(MergedRun merged, JsonNode run, long end) {
    Path out = merged.info().outputDirectory();
    if (out == null || !Files.exists(out.resolve("results.json"))) {
      return;
    }
    try {
      ObjectNode results =
          (ObjectNode) CoordinatorClient.JSON.readTree(out.resolve("results.json").toFile());
      var agents = results.putArray("agents");
      for (JsonNode m : run.get("members")) {
        ObjectNode a = agents.addObject();
        for (String field :
            List.of(
                "index",
                "name",
                "attempt",
                "status",
                "reportAs",
                "clockOffsetMs",
                "clockRttMs",
                "clockSamples")) {
          a.set(field, m.get(field));
        }
      }
      var gaps = results.putArray("gaps");
      for (JsonNode g : run.path("gaps")) {
        ObjectNode gap = gaps.addObject();
        gap.put("index", g.get("index").asInt());
        gap.put("before", g.get("before").asText());
        gap.put("after", g.get("after").asText());
        gap.put("fromMs", g.get("fromMs").asLong());
        // Still open at the end (the replacement reported nothing): missing to the run's end.
        long to = g.path("toMs").isNull() ? end : g.get("toMs").asLong();
        gap.put("toMs", to);
        gap.put("seconds", (to - g.get("fromMs").asLong()) / 1000.0);
      }
      // The rows replaced attempts reserved of their queue feeders and may have left unused.
      var skipped = results.putArray("skipped");
      run.path("skipped").forEach(skipped::add);
      Files.writeString(
          out.resolve("results.json"), CoordinatorClient.JSON.writeValueAsString(results));
    } catch (IOException e) {
      System.err.println("results.json does not list the agents' clock offsets: " + e.getMessage());
    }
  }

  /** Says when an agent's snapshots on the server hold fewer calls than its final total. */
  private static void checkComplete(
      String who,
      JsonNode total,
      TreeMap<Long, JsonNode> snaps,
      StatisticsSchema schema,
      List<String> notes) {
    long reported = 0;
    for (JsonNode s : snaps.values()) {
      for (JsonNode t : s.get("tests")) {
        TestFigures f = WireFigures.read(t, schema, 1);
        reported += f.tests() + f.errors();
      }
    }
    long whole = 0;
    for (JsonNode t : total.get("tests")) {
      TestFigures f = WireFigures.read(t, schema, 1);
      whole += f.tests() + f.errors();
    }
    if (reported != whole) {
      notes.add(
          who
              + ": its snapshots on the server hold "
              + reported
              + " calls, its final total "
              + whole
              + ": the figures miss "
              + (whole - reported)
              + " calls (snapshots still spooled by the agent)");
    }
  }

  private void saveDataLog(String id, JsonNode member, MergedRun merged) {
    Path out = merged.info().outputDirectory();
    if (out == null) {
      return;
    }
    Path dir = out.resolve("agents").resolve(Integer.toString(member.get("index").asInt()));
    try {
      writeDataLog(id, member, dir);
    } catch (IOException | RuntimeException e) {
      System.err.println(
          "agent "
              + member.get("index").asInt()
              + "'s data log is not in "
              + dir
              + ": "
              + e.getMessage());
    }
  }

  /**
   * Saves the data log of an attempt replaced by a newer one, when it sent one, in {@code
   * agents/<index>/attempt-<attempt>/}, and says what it holds: its calls up to its last accepted
   * interval are in the merged figures, any it made after (before it learned it was replaced) are
   * not. An attempt killed outright sends none.
   */
  private void saveReplacedDataLog(
      String id, JsonNode member, MergedRun merged, String who, List<String> notes) {
    Path out = merged.info().outputDirectory();
    if (out == null) {
      return;
    }
    Path agents = out.resolve("agents");
    Path dir =
        agents
            .resolve(Integer.toString(member.get("index").asInt()))
            .resolve(
                "attempt-" + member.get("attempt").asText().replaceAll("[^A-Za-z0-9._-]", "_"));
    try {
      writeDataLog(id, member, dir);
      notes.add(
          who
              + "'s data log is in "
              + agents.getParent().relativize(dir.resolve("data.csv"))
              + ": its calls up to its last accepted interval are in the merged figures, any"
              + " after it are not");
    } catch (CoordinatorClient.Refused e) {
      if (e.status != 404) {
        notes.add(who + "'s data log could not be read from the server: " + e.getMessage());
      }
    } catch (IOException | RuntimeException e) {
      notes.add(who + "'s data log could not be written to " + dir + ": " + e.getMessage());
    }
  }

  private void writeDataLog(String id, JsonNode member, Path dir) throws IOException {
    byte[] gz =
        client.getBytes(
            "/api/v1/distributed/" + id + "/datalogs/" + member.get("agentId").asText());
    Files.createDirectories(dir);
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      Files.copy(in, dir.resolve("data.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Names the tests from the run on the server, when a snapshot carried a test not yet named: the
   * server computes the whole run's figures for that answer, too much to ask for every 250 ms.
   */
  private void describeTests(String id, MergedRun merged) {
    if (!described.isEmpty() && described.containsAll(reported)) {
      return;
    }
    try {
      JsonNode r = client.get("/api/v1/runs/" + id);
      for (JsonNode t : r.path("tests")) {
        if (t.has("number")) {
          described.add(t.get("number").asInt());
          merged.describe(t.get("number").asInt(), t.path("description").asText(""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // The agents have not created the run yet: the descriptions come with a later read.
    }
  }

  /** Reads the snapshots stored since the last read. */
  private void fetch(String id) throws IOException {
    while (true) {
      JsonNode page = client.get("/api/v1/distributed/" + id + "/snapshots?after=" + ordinal);
      JsonNode list = page.get("snapshots");
      for (JsonNode s : list) {
        ordinal = Math.max(ordinal, s.get("ordinal").asLong());
        s.get("tests").forEach(t -> reported.add(t.path("number").asInt()));
        byAgent
            .computeIfAbsent(s.get("agent").asText(), a -> new TreeMap<>())
            .put(s.get("seq").asLong(), s);
      }
      if (list.size() < 2000) {
        return;
      }
    }
  }

  /**
   * Hands on each interval every agent still counted has sent (or, at the end, every interval any
   * agent sent), merged.
   */
  private void emit(MergedRun merged, StatisticsSchema schema, JsonNode run, boolean all) {
    List<String> waitFor = new ArrayList<>();
    Set<String> joined = new HashSet<>();
    for (JsonNode g : run.path("gaps")) {
      joined.add(g.path("after").asText());
    }
    for (JsonNode m : run.get("members")) {
      String status = m.get("status").asText();
      if (status.equals("running") || status.equals("ready")) {
        waitFor.add(m.path("reportAs").asText());
      }
    }
    while (true) {
      long seq = nextSeq;
      List<JsonNode> parts = new ArrayList<>();
      boolean complete = true;
      for (TreeMap<Long, JsonNode> agent : byAgent.values()) {
        JsonNode s = agent.get(seq);
        if (s != null) {
          parts.add(s);
        }
      }
      for (String a : waitFor) {
        TreeMap<Long, JsonNode> agent = byAgent.get(a);
        // An attempt that rejoined the run reports from its interval number on, none before it.
        boolean before = joined.contains(a) && agent != null && seq < agent.firstKey();
        if (!before && (agent == null || !agent.containsKey(seq))) {
          complete = false;
        }
      }
      if (parts.isEmpty() || (!complete && !all)) {
        return;
      }
      long start = Long.MAX_VALUE;
      long end = Long.MIN_VALUE;
      int users = 0;
      Map<Integer, List<TestFigures>> tests = new TreeMap<>();
      for (JsonNode s : parts) {
        start = Math.min(start, s.get("startMs").asLong());
        end = Math.max(end, s.get("endMs").asLong());
      }
      long span = Math.max(1, end - start);
      for (JsonNode s : parts) {
        users += s.path("activeUsers").asInt(0);
        for (JsonNode t : s.get("tests")) {
          TestFigures f = WireFigures.read(t, schema, span);
          tests.computeIfAbsent(f.test(), k -> new ArrayList<>()).add(f);
        }
      }
      // A run of several scenarios: each one's tests and users, merged over the agents likewise.
      Map<String, Map<Integer, List<TestFigures>>> scenarioTests = new LinkedHashMap<>();
      Map<String, Integer> scenarioUsers = new HashMap<>();
      for (JsonNode s : parts) {
        for (JsonNode sc : s.path("scenarios")) {
          String name = sc.get("name").asText();
          scenarioUsers.merge(name, sc.path("activeUsers").asInt(0), Integer::sum);
          Map<Integer, List<TestFigures>> byTest =
              scenarioTests.computeIfAbsent(name, k -> new TreeMap<>());
          for (JsonNode t : sc.get("tests")) {
            TestFigures f = WireFigures.read(t, schema, span);
            byTest.computeIfAbsent(f.test(), k -> new ArrayList<>()).add(f);
          }
        }
      }
      List<MergedRun.ScenarioInterval> scenarios = new ArrayList<>();
      for (Map.Entry<String, Map<Integer, List<TestFigures>>> e : scenarioTests.entrySet()) {
        scenarios.add(
            new MergedRun.ScenarioInterval(
                e.getKey(), scenarioUsers.get(e.getKey()), merge(e.getValue(), span, schema)));
      }
      // Late starts per interval need their lateness histogram, which the snapshots do not carry:
      // the summary has them, from each agent's final figures.
      merged.interval(
          seq,
          parts.getFirst().path("phase").asText(""),
          start,
          end,
          users,
          0,
          null,
          merge(tests, span, schema),
          scenarios);
      nextSeq++;
    }
  }

  /** Each test's figures merged over the agents. */
  private static List<TestFigures> merge(
      Map<Integer, List<TestFigures>> byTest, long span, StatisticsSchema schema) {
    List<TestFigures> merged = new ArrayList<>();
    for (Map.Entry<Integer, List<TestFigures>> e : byTest.entrySet()) {
      merged.add(TestFigures.merge(e.getKey(), "", false, span, -1, schema, e.getValue()));
    }
    return merged;
  }

  private static long startOf(JsonNode run) {
    return run.path("startMs").asLong();
  }

  /** Ctrl-C: every agent stops (through the server), and the merged summary is still written. */
  private void installStop(String id) {
    try {
      Signal.handle(new Signal("INT"), signal -> stop(id));
      Signal.handle(new Signal("TERM"), signal -> stop(id));
    } catch (IllegalArgumentException e) {
      // No signals here (an embedded use): the run ends when its agents do.
    }
  }

  private void stop(String id) {
    if (!stopRequested.compareAndSet(false, true)) {
      Runtime.getRuntime().halt(130);
    }
    System.err.println();
    System.err.println(
        "Stopping every agent; the merged results are written once they have reported."
            + " Press Ctrl-C again to quit at once.");
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                client.post("/api/v1/distributed/" + id + "/stop", "{}");
              } catch (IOException | RuntimeException e) {
                System.err.println("Could not ask the server to stop the run: " + e.getMessage());
              }
            });
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
