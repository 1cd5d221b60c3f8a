package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The coordinator of distributed runs over each store (SQLite and PostgreSQL, by the subclasses),
 * with a clock the tests move: registration, the ready barrier and its deadline, the start time,
 * fencing of replaced attempts, lost agents, the bundle and its limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CoordinatorContractTest {
  static final class MutableClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final MutableClock clock = new MutableClock();
  String jdbcUrl;
  MetricsServer server;
  Http http;

  abstract String jdbcUrl() throws Exception;

  @BeforeAll
  void start() throws Exception {
    jdbcUrl = jdbcUrl();
    server =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl(jdbcUrl)
            .clock(clock)
            .bundleLimit(64 * 1024)
            .start();
    http = new Http(server.url());
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static byte[] bundle(int padding) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.setLevel(0);
      zip.putNextEntry(new ZipEntry("run.yaml"));
      zip.write("name: x\n".getBytes());
      zip.putNextEntry(new ZipEntry("pad.bin"));
      byte[] pad = new byte[padding];
      new java.util.Random(1).nextBytes(pad);
      zip.write(pad);
    }
    return out.toByteArray();
  }

  Http.Response upload(String query, byte[] body) {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/distributed?" + query))
            .header("Content-Type", "application/zip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  String createRun(int agents, String extra) throws Exception {
    Http.Response r =
        upload("name=checkout&agents=" + agents + "&runFile=run.yaml" + extra, bundle(10));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  String register(String name, Integer index, String attempt) {
    String body =
        "{\"name\":\""
            + name
            + "\",\"version\":\"0.1.0\",\"cores\":2,\"maxHeap\":1000000"
            + (index == null ? "" : ",\"index\":" + index)
            + ",\"attempt\":\""
            + attempt
            + "\"}";
    Http.Response r = http.post("/api/v1/agents", body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  JsonNode poll(String agent) {
    Http.Response r = http.post("/api/v1/agents/" + agent + "/poll", "");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("run");
  }

  Http.Response ready(String agent) {
    return http.post(
        "/api/v1/agents/" + agent + "/ready", "{\"clockOffsetMs\":1.5,\"clockRttMs\":0.4}");
  }

  /**
   * Registers agents pod-a and pod-b with these attempts, each polled (so given the run) and ready.
   */
  String[] twoReady(String attemptA, String attemptB) {
    String a = register("pod-a", null, attemptA);
    String b = register("pod-b", null, attemptB);
    poll(a);
    poll(b);
    ready(a);
    ready(b);
    return new String[] {a, b};
  }

  JsonNode run(String id) {
    return http.get("/api/v1/distributed/" + id).json();
  }

  /** Stops the server and starts it again on the same store, {@code down} later by the clock. */
  void restart(Duration down) {
    server.close();
    clock.advance(down);
    server =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl(jdbcUrl)
            .clock(clock)
            .bundleLimit(64 * 1024)
            .start();
    http = new Http(server.url());
  }

  /** Each test's runs must not be taken by another test's idle agents: finish them. */
  void drain(String id) {
    http.post("/api/v1/distributed/" + id + "/stop", "");
  }

  @Test
  void agents_take_indexes_and_start_at_the_last_ready_plus_the_lead() throws Exception {
    String id = createRun(2, "&leadMs=3000");
    String a = register("pod-a", null, UUID.randomUUID().toString());
    String b = register("pod-b", null, UUID.randomUUID().toString());
    JsonNode ra = poll(a);
    JsonNode rb = poll(b);
    assertThat(ra.get("id").asText()).isEqualTo(id);
    assertThat(rb.get("id").asText()).isEqualTo(id);
    assertThat(run(id).get("members"))
        .extracting(m -> m.get("index").asInt())
        .containsExactlyInAnyOrder(0, 1);
    assertThat(ready(a).json().get("status").asText()).isEqualTo("waiting");
    clock.advance(Duration.ofMillis(700));
    long lastReady = clock.millis();
    JsonNode started = ready(b).json();
    assertThat(started.get("status").asText()).isEqualTo("running");
    assertThat(started.get("startMs").asLong()).isEqualTo(lastReady + 3000);
    assertThat(started.get("members"))
        .allSatisfy(
            m -> {
              assertThat(m.get("status").asText()).isEqualTo("running");
              assertThat(m.get("clockOffsetMs").asDouble()).isEqualTo(1.5);
              assertThat(m.get("reportAs").asText()).startsWith(m.get("index").asText() + ".");
            });
    String total = "{\"tests\":[]}";
    assertThat(http.post("/api/v1/agents/" + a + "/total", total).status()).isEqualTo(200);
    assertThat(http.post("/api/v1/agents/" + b + "/total", total).json().get("status").asText())
        .isEqualTo("done");
  }

  @Test
  void clock_measures_taken_during_the_run_are_kept_with_its_offsets() throws Exception {
    String id = createRun(1, "&leadMs=1000");
    String a = register("pod-a", null, UUID.randomUUID().toString());
    poll(a);
    ready(a);
    clock.advance(Duration.ofSeconds(60));
    long at = clock.millis();
    Http.Response kept =
        http.post(
            "/api/v1/agents/" + a + "/clock-samples",
            "{\"clockOffsetMs\":4.25,\"clockRttMs\":0.5}");
    assertThat(kept.status()).as(kept.body()).isEqualTo(204);
    Http.Response bad =
        http.post(
            "/api/v1/agents/" + a + "/clock-samples", "{\"clockOffsetMs\":1,\"clockRttMs\":-2}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("field").asText()).isEqualTo("clockRttMs");
    JsonNode member = run(id).get("members").get(0);
    assertThat(member.get("clockOffsetMs").asDouble()).isEqualTo(1.5);
    assertThat(member.get("clockSamples")).hasSize(1);
    JsonNode sample = member.get("clockSamples").get(0);
    assertThat(sample.get("atMs").asLong()).isEqualTo(at);
    assertThat(sample.get("offsetMs").asDouble()).isEqualTo(4.25);
    assertThat(sample.get("rttMs").asDouble()).isEqualTo(0.5);
    drain(id);
  }

  @Test
  void the_ready_deadline_fails_the_run_naming_joined_and_missing_agents() throws Exception {
    String id = createRun(3, "&readyTimeoutMs=60000");
    String a = register("pod-a", null, "att-1");
    poll(a);
    ready(a);
    clock.advance(Duration.ofSeconds(61));
    JsonNode r = run(id);
    assertThat(r.get("status").asText()).isEqualTo("failed");
    assertThat(r.get("reason").asText())
        .contains("1 of 3 agents ready", "joined: 0 (pod-a, ready)", "missing (not ready): [1, 2]");
  }

  @Test
  void a_newer_attempt_of_an_index_fences_the_older_one() throws Exception {
    String id = createRun(1, "");
    String old = register("pod-0", 0, "uid-old");
    JsonNode r = poll(old);
    String reportAs = r.get("members").get(0).get("reportAs").asText();
    // the old attempt reports into the run ...
    http.post(
        "/api/v1/runs",
        "{\"id\":\"" + id + "\",\"name\":\"checkout\",\"agent\":\"" + reportAs + "\"}");
    String snapshot =
        "{\"agent\":\"" + reportAs + "\",\"seq\":%d,\"startMs\":1,\"endMs\":2,\"tests\":[]}";
    assertThat(http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted(0)).status())
        .isEqualTo(201);
    // ... until a replacement of its index registers
    String replacement = register("pod-0b", 0, "uid-new");
    Http.Response refused = http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted(1));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("error").asText())
        .contains("replaced by attempt uid-new of index 0");
    assertThat(http.post("/api/v1/agents/" + old + "/poll", "").status()).isEqualTo(409);
    assertThat(poll(replacement).get("members"))
        .anySatisfy(
            m -> {
              assertThat(m.get("attempt").asText()).isEqualTo("uid-new");
              assertThat(m.get("index").asInt()).isZero();
            });
    drain(id);
  }

  @Test
  void an_agent_silent_beyond_the_loss_timeout_is_lost_and_fail_stops_the_run() throws Exception {
    for (String policy : new String[] {"fail", "continue"}) {
      String id = createRun(2, "&lossTimeoutMs=5000&onAgentLoss=" + policy);
      String a = register("pod-a", null, UUID.randomUUID().toString());
      String b = register("pod-b", null, UUID.randomUUID().toString());
      poll(a);
      poll(b);
      ready(a);
      ready(b);
      clock.advance(Duration.ofSeconds(4));
      poll(a);
      clock.advance(Duration.ofSeconds(2));
      JsonNode r = run(id);
      assertThat(r.get("members"))
          .anySatisfy(
              m -> {
                assertThat(m.get("name").asText()).isEqualTo("pod-b");
                assertThat(m.get("status").asText()).isEqualTo("lost");
                assertThat(m.get("reason").asText()).contains("no word for 6000 ms");
              });
      assertThat(r.get("status").asText())
          .as(policy)
          .isEqualTo(policy.equals("fail") ? "stopping" : "running");
      drain(id);
    }
  }

  @Test
  void a_bundle_beyond_the_limit_is_refused_naming_the_limit() throws Exception {
    Http.Response r = upload("name=big&agents=1&runFile=run.yaml", bundle(70 * 1024));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().get("error").asText())
        .contains("limit of 65536 bytes", "--max-bundle-size");
    Http.Response notZip = upload("name=x&agents=1&runFile=run.yaml", "hello".getBytes());
    assertThat(notZip.status()).isEqualTo(400);
    Http.Response badFile = upload("name=x&agents=1&runFile=../etc/passwd", bundle(1));
    assertThat(badFile.status()).isEqualTo(400);
    assertThat(badFile.json().get("field").asText()).isEqualTo("runFile");
  }

  @Test
  void an_agent_downloads_the_bundle_it_was_given_and_the_run_survives_a_restart()
      throws Exception {
    byte[] zip = bundle(100);
    Http.Response created = upload("name=restart&agents=1&runFile=run.yaml", zip);
    String id = created.json().get("id").asText();
    String a = register("pod-a", null, "att-r");
    poll(a);
    var got =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/agents/" + a + "/bundle"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(
            Base64.getEncoder()
                .encodeToString(got.body().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))
        .isNotEmpty();
    restart(Duration.ZERO);
    JsonNode r = run(id);
    assertThat(r.get("status").asText()).isEqualTo("waiting");
    assertThat(r.get("members").get(0).get("name").asText()).isEqualTo("pod-a");
    assertThat(r.get("bundleSha256").asText())
        .isEqualTo(created.json().get("bundleSha256").asText());
    drain(id);
  }

  @Test
  void a_restarted_server_resumes_the_run_and_gives_its_agents_a_loss_timeout_before_loss()
      throws Exception {
    String id = createRun(2, "&lossTimeoutMs=5000&leadMs=0");
    String[] agents = twoReady("att-ra", "att-rb");
    String a = agents[0];
    String b = agents[1];
    JsonNode before = run(id);
    assertThat(before.get("status").asText()).isEqualTo("running");
    String snapshot = "{\"agent\":\"0.att-ra\",\"seq\":0,\"startMs\":1,\"endMs\":2,\"tests\":[]}";
    assertThat(http.post("/api/v1/runs", "{\"id\":\"" + id + "\",\"name\":\"r\"}").status())
        .isEqualTo(201);
    assertThat(http.post("/api/v1/runs/" + id + "/snapshots", snapshot).status()).isEqualTo(201);
    restart(Duration.ofSeconds(60)); // the server is down for a minute: no agent is heard
    JsonNode after = run(id);
    assertThat(after.get("status").asText()).isEqualTo("running");
    assertThat(after.get("startMs").asLong()).isEqualTo(before.get("startMs").asLong());
    assertThat(after.get("members"))
        .extracting(m -> m.get("status").asText())
        .containsExactly("running", "running");
    assertThat(http.get("/api/v1/distributed/" + id + "/snapshots").json().get("snapshots"))
        .hasSize(1);
    // A re-post of what was stored before the restart is taken once.
    assertThat(
            http.post("/api/v1/runs/" + id + "/snapshots", snapshot)
                .json()
                .get("duplicate")
                .asBoolean())
        .isTrue();
    clock.advance(Duration.ofSeconds(4));
    assertThat(poll(a).get("members"))
        .as("a poll's run lists the polling agent alone")
        .singleElement()
        .satisfies(m -> assertThat(m.get("agentId").asText()).isEqualTo(a));
    clock.advance(Duration.ofSeconds(2));
    JsonNode later = run(id);
    assertThat(later.get("members"))
        .anySatisfy(
            m -> {
              assertThat(m.get("name").asText()).isEqualTo("pod-b");
              assertThat(m.get("status").asText()).isEqualTo("lost");
            })
        .anySatisfy(
            m -> {
              assertThat(m.get("name").asText()).isEqualTo("pod-a");
              assertThat(m.get("status").asText()).isEqualTo("running");
            });
    drain(id);
  }

  /** Creates the run's entry under /api/v1/runs and posts one snapshot of {@code agent}. */
  void snapshot(String id, String agent, int seq, long startMs, long endMs) {
    http.post("/api/v1/runs", "{\"id\":\"" + id + "\",\"name\":\"checkout\"}");
    Http.Response r =
        http.post(
            "/api/v1/runs/" + id + "/snapshots",
            "{\"agent\":\"%s\",\"seq\":%d,\"startMs\":%d,\"endMs\":%d,\"tests\":[]}"
                .formatted(agent, seq, startMs, endMs));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  /**
   * Two agents, indexes 0 and 1 with attempts {@code <prefix>0} and {@code <prefix>1}, take the
   * waiting run and are ready: it runs. Returns their ids and the start time.
   */
  String[] runningWithTwo(String prefix) {
    String a = register("pod-0", 0, prefix + "0");
    String b = register("pod-1", 1, prefix + "1");
    poll(a);
    poll(b);
    ready(a);
    JsonNode r = ready(b).json();
    assertThat(r.get("status").asText()).isEqualTo("running");
    return new String[] {a, b, r.get("startMs").asText()};
  }

  @Test
  void a_replacement_rejoins_the_running_run_at_its_index_and_its_gap_is_recorded()
      throws Exception {
    String id = createRun(2, "&leadMs=0&lossTimeoutMs=5000");
    String[] agents = runningWithTwo("g-");
    String a = agents[0];
    String b = agents[1];
    long start = Long.parseLong(agents[2]);
    snapshot(id, "0.g-0", 0, start, start + 500);
    snapshot(id, "1.g-1", 0, start, start + 500);
    clock.advance(Duration.ofSeconds(2)); // b stalls (within the loss timeout) ...
    poll(a);
    String b2 = register("pod-1-again", 1, "b-2"); // ... and its replacement fences it
    assertThat(http.post("/api/v1/agents/" + b + "/poll", "").status()).isEqualTo(409);
    JsonNode given = poll(b2);
    assertThat(given.get("id").asText()).isEqualTo(id);
    assertThat(given.get("status").asText()).isEqualTo("running");
    assertThat(given.get("startMs").asLong()).isEqualTo(start);
    assertThat(given.get("members").get(0).get("index").asInt()).isEqualTo(1);
    assertThat(given.get("members").get(0).get("reportAs").asText()).isEqualTo("1.b-2");
    JsonNode joined = ready(b2).json();
    assertThat(joined.get("members"))
        .anySatisfy(
            m -> {
              assertThat(m.get("attempt").asText()).isEqualTo("b-2");
              assertThat(m.get("status").asText()).as("it runs at once").isEqualTo("running");
            });
    JsonNode open = run(id).get("gaps");
    assertThat(open).hasSize(1);
    assertThat(open.get(0).get("toMs").isNull()).as("open until the replacement reports").isTrue();
    snapshot(id, "1.b-2", 4, start + 2100, start + 2500);
    restart(Duration.ZERO); // kept in the store
    JsonNode r = run(id);
    assertThat(r.get("gaps")).hasSize(1);
    JsonNode gap = r.get("gaps").get(0);
    assertThat(gap.get("index").asInt()).isEqualTo(1);
    assertThat(gap.get("before").asText()).isEqualTo("1.g-1");
    assertThat(gap.get("after").asText()).isEqualTo("1.b-2");
    assertThat(gap.get("fromMs").asLong()).isEqualTo(start + 500);
    assertThat(gap.get("toMs").asLong()).isEqualTo(start + 2100);
    String total = "{\"tests\":[]}";
    assertThat(http.post("/api/v1/agents/" + a + "/total", total).status()).isEqualTo(200);
    assertThat(http.post("/api/v1/agents/" + b2 + "/total", total).json().get("status").asText())
        .isEqualTo("done");
  }

  @Test
  void a_running_run_is_rejoined_only_at_an_index_fenced_or_lost_and_not_replaced()
      throws Exception {
    // An index already done is not run again.
    String id = createRun(2, "&leadMs=0&lossTimeoutMs=5000");
    String a = runningWithTwo("d-")[0];
    assertThat(http.post("/api/v1/agents/" + a + "/total", "{\"tests\":[]}").status())
        .isEqualTo(200);
    String again = register("pod-0-again", 0, "d-3");
    assertThat(poll(again).isNull()).as("index 0 is done").isTrue();
    // An agent without an index only takes waiting runs.
    String any = register("pod-any", null, "d-4");
    assertThat(poll(any).isNull()).isTrue();
    // A second replacement of a replaced index fences the first and takes its place.
    String b2 = register("pod-1-again", 1, "d-5");
    assertThat(poll(b2).get("id").asText()).isEqualTo(id);
    String b3 = register("pod-1-third", 1, "d-6");
    assertThat(http.post("/api/v1/agents/" + b2 + "/poll", "").status()).isEqualTo(409);
    assertThat(poll(b3).get("members").get(0).get("reportAs").asText()).isEqualTo("1.d-6");
    drain(id);
    assertThat(http.post("/api/v1/agents/" + again + "/poll", "").status())
        .as("a stopped run is not rejoined")
        .isEqualTo(200);
  }

  @Test
  void a_lost_index_is_rejoined_under_continue_and_not_under_fail() throws Exception {
    for (String policy : new String[] {"fail", "continue"}) {
      String id = createRun(2, "&leadMs=0&lossTimeoutMs=5000&onAgentLoss=" + policy);
      String[] agents = runningWithTwo(policy + "-l");
      String a = agents[0];
      String b = agents[1];
      clock.advance(Duration.ofSeconds(4));
      poll(a);
      clock.advance(Duration.ofSeconds(2));
      assertThat(run(id).get("members"))
          .anySatisfy(m -> assertThat(m.get("status").asText()).isEqualTo("lost"));
      String b2 = register("pod-1-again", 1, policy + "-l2");
      JsonNode given = poll(b2);
      if (policy.equals("fail")) {
        assertThat(given.isNull()).as("the loss stopped the run").isTrue();
      } else {
        assertThat(given.get("id").asText()).isEqualTo(id);
        // The lost attempt, should it come back, is fenced: its figures would overlap.
        Http.Response back = http.post("/api/v1/agents/" + b + "/poll", "");
        assertThat(back.status()).isEqualTo(409);
        assertThat(back.json().get("error").asText()).contains("lost", "replaced by attempt");
      }
      drain(id);
    }
  }

  @Test
  void a_snapshot_of_an_agent_answers_as_its_poll_and_counts_as_its_heartbeat() throws Exception {
    String id = createRun(2, "&lossTimeoutMs=5000&leadMs=0");
    String[] agents = twoReady("att-sa", "att-sb");
    String a = agents[0];
    String b = agents[1];
    assertThat(http.post("/api/v1/runs", "{\"id\":\"" + id + "\",\"name\":\"s\"}").status())
        .isEqualTo(201);
    String snapshot = "{\"agent\":\"%s\",\"seq\":%d,\"startMs\":1,\"endMs\":2,\"tests\":[]}";
    // Agent b only posts snapshots, agent a only polls: both are heard.
    for (int second = 1; second <= 6; second++) {
      clock.advance(Duration.ofSeconds(1));
      poll(a);
      Http.Response r =
          http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted("1.att-sb", second));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      JsonNode answer = r.json().get("poll");
      assertThat(answer.get("serverMs").asLong()).isEqualTo(clock.millis());
      assertThat(answer.get("run").get("status").asText()).isEqualTo("running");
      assertThat(answer.get("run").get("members"))
          .as("as a poll's: the agent alone")
          .singleElement()
          .satisfies(m -> assertThat(m.get("agentId").asText()).isEqualTo(b));
    }
    assertThat(run(id).get("members"))
        .extracting(m -> m.get("status").asText())
        .containsExactly("running", "running");
    // A re-post is a heartbeat too, and its answer carries what changed: the run stops.
    http.post("/api/v1/distributed/" + id + "/stop", "");
    Http.Response again =
        http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted("1.att-sb", 6));
    assertThat(again.json().get("duplicate").asBoolean()).isTrue();
    assertThat(again.json().get("poll").get("run").get("status").asText()).isEqualTo("stopping");
    // Between deadline checks (the clock stands still) the answer still shows each change at once.
    assertThat(
            http.post("/api/v1/agents/" + b + "/total", "{\"tests\":[]}")
                .json()
                .get("status")
                .asText())
        .isEqualTo("stopping");
    Http.Response done =
        http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted("1.att-sb", 7));
    assertThat(done.json().at("/poll/run/members/0/status").asText()).isEqualTo("done");
    // A reporter that is no agent of a distributed run gets no poll answer.
    Http.Response other =
        http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted("controller", 0));
    assertThat(other.status()).isEqualTo(201);
    assertThat(other.json().has("poll")).isFalse();
    drain(id);
  }

  @Test
  void a_fenced_attempt_stays_refused_after_a_restart_and_its_replacement_is_taken()
      throws Exception {
    String id = createRun(1, "&leadMs=0");
    String old = register("pod-0", 0, "uid-f1");
    poll(old);
    assertThat(http.post("/api/v1/runs", "{\"id\":\"" + id + "\",\"name\":\"f\"}").status())
        .isEqualTo(201);
    String snapshot = "{\"agent\":\"%s\",\"seq\":%d,\"startMs\":1,\"endMs\":2,\"tests\":[]}";
    assertThat(
            http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted("0.uid-f1", 0))
                .json()
                .get("poll")
                .get("run")
                .get("status")
                .asText())
        .isEqualTo("waiting");
    String replacement = register("pod-0b", 0, "uid-f2");
    assertThat(
            http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted("0.uid-f1", 1))
                .status())
        .isEqualTo(409);
    restart(Duration.ZERO);
    Http.Response refused =
        http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted("0.uid-f1", 2));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("field").asText()).isEqualTo("agent");
    assertThat(refused.json().get("error").asText())
        .contains("replaced by attempt uid-f2 of index 0");
    // Its data log is still taken: the calls it made up to the fence are in the run's figures.
    byte[] log = gzip("Thread, Run, Test\n0, 0, 1\n");
    Http.Response sent =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/agents/" + old + "/datalog"))
                .header("Content-Type", "application/gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(log)));
    assertThat(sent.status()).as(sent.body()).isEqualTo(204);
    HttpResponse<byte[]> kept =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(server.url() + "/api/v1/distributed/" + id + "/datalogs/" + old))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(kept.statusCode()).isEqualTo(200);
    assertThat(kept.body()).isEqualTo(log);
    JsonNode r = poll(replacement);
    String reportAs = r.get("members").get(0).get("reportAs").asText();
    Http.Response taken =
        http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted(reportAs, 0));
    assertThat(taken.status()).as(taken.body()).isEqualTo(201);
    assertThat(taken.json().get("poll").get("run").get("members").get(0).get("agentId").asText())
        .isEqualTo(replacement);
    drain(id);
  }

  @Test
  void the_snapshots_page_gives_each_snapshots_tests_and_scenarios_as_posted() throws Exception {
    String id = createRun(1, "&leadMs=0");
    assertThat(http.post("/api/v1/runs", "{\"id\":\"" + id + "\",\"name\":\"p\"}").status())
        .isEqualTo(201);
    String tests =
        "[ {\"number\": 1, \"statistics\": {\"errors\": 1, \"timedTests\": {\"count\": 2,"
            + " \"sum\": 30, \"variance\": 25, \"min\": 10, \"max\": 20}},\n \"histogram\": \""
            + ServerContractTest.histogram(10, 20)
            + "\"} ]";
    String scenarios = "[{\"name\":\"s\",\"activeUsers\":3,\"tests\":" + tests + "}]";
    String body =
        "{\"agent\":\"x\",\"seq\":0,\"startMs\":1,\"endMs\":2,\"tests\":"
            + tests
            + ",\"scenarios\":"
            + scenarios
            + "}";
    Http.Response r = http.post("/api/v1/runs/" + id + "/snapshots", body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode page = http.get("/api/v1/distributed/" + id + "/snapshots?after=0").json();
    JsonNode posted = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
    assertThat(page.get("snapshots")).hasSize(1);
    assertThat(page.at("/snapshots/0/tests")).isEqualTo(posted.get("tests"));
    assertThat(page.at("/snapshots/0/scenarios")).isEqualTo(posted.get("scenarios"));
    assertThat(page.at("/snapshots/0/agent").asText()).isEqualTo("x");
    drain(id);
  }

  @Test
  void an_agent_silent_beyond_the_loss_timeout_is_found_by_the_next_snapshots_check()
      throws Exception {
    String id = createRun(2, "&lossTimeoutMs=100&leadMs=0");
    String[] agents = twoReady("att-la", "att-lb");
    String a = agents[0];
    String b = agents[1];
    assertThat(http.post("/api/v1/runs", "{\"id\":\"" + id + "\",\"name\":\"l\"}").status())
        .isEqualTo(201);
    String snapshot = "{\"agent\":\"0.att-la\",\"seq\":%d,\"startMs\":1,\"endMs\":2,\"tests\":[]}";
    Http.Response first = http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted(0));
    assertThat(first.json().at("/poll/run/status").asText()).isEqualTo("running");
    // Agent b says nothing for 150 ms: the check that agent a's next snapshot brings finds it
    // lost (without a read of the run since it started, the run as read then and the heartbeats).
    clock.advance(Duration.ofMillis(150));
    Http.Response next = http.post("/api/v1/runs/" + id + "/snapshots", snapshot.formatted(1));
    assertThat(next.json().at("/poll/run/status").asText()).isEqualTo("stopping");
    assertThat(run(id).get("members"))
        .extracting(m -> m.get("status").asText())
        .containsExactly("running", "lost");
    drain(id);
  }

  static final String ROWS = "queue feeder 'users.csv'";

  /** Asks the server to reserve {@code ahead} rows of {@link #ROWS} beyond {@code used}. */
  Http.Response reserve(String agent, long used, long ahead) {
    return http.post(
        "/api/v1/agents/" + agent + "/reserve",
        "{\"reserve\":{\"%s\":{\"used\":%d,\"ahead\":%d}}}".formatted(ROWS, used, ahead));
  }

  /** The answer for {@link #ROWS}: {from, reserved}. */
  long[] reserved(String agent, long used, long ahead) {
    Http.Response r = reserve(agent, used, ahead);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode a = r.json().get("reserved").get(ROWS);
    return new long[] {a.get("from").asLong(), a.get("reserved").asLong()};
  }

  @Test
  void a_replacement_takes_the_rows_up_after_every_row_its_older_attempt_reserved()
      throws Exception {
    String id = createRun(2, "&leadMs=0&lossTimeoutMs=5000");
    String[] agents = runningWithTwo("q-");
    String a = agents[0];
    String b = agents[1];
    assertThat(reserved(b, 0, 32)).containsExactly(0, 32);
    assertThat(reserved(b, 20, 40)).as("20 used, 40 beyond").containsExactly(0, 60);
    assertThat(reserved(b, 20, 40)).as("a retry changes nothing").containsExactly(0, 60);
    assertThat(reserved(b, 18, 10)).as("a reservation only grows").containsExactly(0, 60);
    assertThat(reserved(a, 0, 16)).as("each index has its own rows").containsExactly(0, 16);
    String b2 = register("pod-1-again", 1, "q-b2");
    Http.Response fenced = reserve(b, 30, 40);
    assertThat(fenced.status()).as("the replaced attempt reserves nothing more").isEqualTo(409);
    assertThat(fenced.json().get("field").asText()).isEqualTo("agent");
    assertThat(fenced.json().get("error").asText()).contains("replaced by attempt q-b2");
    assertThat(reserve(b2, 0, 10).status()).as("an agent without its run yet").isEqualTo(409);
    assertThat(poll(b2).get("id").asText()).isEqualTo(id);
    assertThat(reserved(b2, 0, 10))
        .as("the replacement starts after the 60 rows its older attempt reserved")
        .containsExactly(60, 70);
    restart(Duration.ZERO); // kept in the store
    assertThat(reserved(b2, 65, 0)).containsExactly(60, 70);
    JsonNode skipped = run(id).get("skipped");
    assertThat(skipped).hasSize(1);
    JsonNode s = skipped.get(0);
    assertThat(s.get("index").asInt()).isEqualTo(1);
    assertThat(s.get("before").asText()).isEqualTo("1.q-1");
    assertThat(s.get("after").asText()).isEqualTo("1.q-b2");
    assertThat(s.get("counter").asText()).isEqualTo(ROWS);
    assertThat(s.get("from").asLong()).isZero();
    assertThat(s.get("used").asLong()).as("as it last said").isEqualTo(20);
    assertThat(s.get("reserved").asLong()).isEqualTo(60);
    assertThat(s.get("atMost").asLong()).isEqualTo(40);
    // A third attempt starts after the second's reservation; the second's unused rows are listed.
    String b3 = register("pod-1-third", 1, "q-b3");
    poll(b3);
    assertThat(reserved(b3, 0, 5)).containsExactly(70, 75);
    assertThat(run(id).get("skipped"))
        .extracting(
            n ->
                n.get("before").asText()
                    + ">"
                    + n.get("after").asText()
                    + ":"
                    + n.get("atMost").asLong())
        .containsExactly("1.q-1>1.q-b2:40", "1.q-b2>1.q-b3:5");
    drain(id);
  }

  @Test
  void a_reservation_request_is_refused_naming_what_is_wrong() throws Exception {
    String id = createRun(1, "&leadMs=0");
    String a = register("pod-0", 0, "r-0");
    poll(a);
    String path = "/api/v1/agents/" + a + "/reserve";
    Http.Response missing = http.post(path, "{}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("field").asText()).isEqualTo("reserve");
    assertThat(http.post(path, "{\"reserve\":{}}").json().get("error").asText())
        .contains("1 to 256 sequences, got 0");
    Http.Response negative = http.post(path, "{\"reserve\":{\"rows\":{\"used\":-1,\"ahead\":2}}}");
    assertThat(negative.status()).isEqualTo(400);
    assertThat(negative.json().get("field").asText()).isEqualTo("reserve.rows.used");
    Http.Response noAhead = http.post(path, "{\"reserve\":{\"rows\":{\"used\":1}}}");
    assertThat(noAhead.json().get("field").asText()).isEqualTo("reserve.rows.ahead");
    Http.Response unknown =
        http.post(
            "/api/v1/agents/nobody/reserve", "{\"reserve\":{\"rows\":{\"used\":0,\"ahead\":2}}}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("field").asText()).isEqualTo("agent");
    assertThat(reserved(a, 0, 0))
        .as("nothing was reserved by the refused requests")
        .containsExactly(0, 0);
    drain(id);
  }

  static byte[] gzip(String text) throws java.io.IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }
}
