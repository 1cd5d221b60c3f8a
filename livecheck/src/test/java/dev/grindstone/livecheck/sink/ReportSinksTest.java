package dev.grindstone.livecheck.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.grindstone.livecheck.State;
import dev.grindstone.livecheck.TestExecution;
import dev.grindstone.livecheck.TestReport;
import dev.grindstone.livecheck.time.FakeTimeSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportSinksTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2023-11-14T22:13:20.123Z");

  static TestReport report(String id, State state) {
    TestExecution ex =
        new TestExecution(id, "orders.place_order", T0, Map.of(), T0.plusSeconds(10800));
    return new TestReport(
        "orders-service",
        "orders.place_order",
        state,
        ex,
        T0,
        Duration.ofMillis(123),
        Map.of("order_shipped", Duration.ofMillis(50)),
        state == State.PASS ? null : "AssertionError: not shipped",
        state == State.PASS
            ? null
            : "java.lang.AssertionError: not shipped\n\tat Example.run(Example.java:1)\n",
        state == State.PASS ? 0 : 1,
        3,
        false);
  }

  // ---- JSON and log formats ----

  @Test
  void a_report_is_written_in_the_metrics_server_wire_format() throws IOException {
    JsonNode actual = ReportJson.toJson(report("4f2c", State.PASS));
    try (InputStream in = getClass().getResourceAsStream("/golden/report.json")) {
      // Compared after a round trip through text: the wire form is what matters, not node classes.
      assertThat(JSON.readTree(actual.toString())).isEqualTo(JSON.readTree(in));
    }
    assertThat(actual.get("timestamp").doubleValue()).isEqualTo(1700000000.123);
  }

  @Test
  void a_suite_report_has_no_test_id_and_no_runtime() {
    TestReport suite =
        new TestReport(
            "orders-service",
            "orders.place_order",
            State.STALL,
            null,
            T0,
            null,
            Map.of(),
            "no test received for 30m",
            "trace",
            0,
            3,
            true);
    JsonNode j = ReportJson.toJson(suite);
    assertThat(j.get("test_id").isNull()).isTrue();
    assertThat(j.get("runtime").isNull()).isTrue();
    assertThat(j.get("test_name").asText()).isEqualTo("orders.place_order");
    assertThat(j.get("state").asText()).isEqualTo("STALL");
    assertThat(j.get("suite_failed").asBoolean()).isTrue();
  }

  @Test
  void the_log_sink_writes_one_line_per_report() {
    List<String> lines = new CopyOnWriteArrayList<>();
    LogReportSink sink = new LogReportSink(lines::add);
    sink.accept(report("4f2c", State.PASS));
    sink.accept(report("4f2d", State.FAIL));
    assertThat(lines)
        .containsExactly(
            "livecheck orders.place_order PASS test=4f2c runtime=0.123s"
                + " signals=order_shipped:0.050s failures=0/3",
            "livecheck orders.place_order FAIL test=4f2d runtime=0.123s"
                + " signals=order_shipped:0.050s failures=1/3 error=\"AssertionError: not"
                + " shipped\"");
  }

  // ---- the metrics-server sink against a recording server ----

  private HttpServer server;
  private final List<JsonNode> posts = new CopyOnWriteArrayList<>();
  private final List<String> authorization = new CopyOnWriteArrayList<>();
  private final Deque<Integer> statuses = new ArrayDeque<>();
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private URI base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/livecheck/reports",
        ex -> {
          try {
            hold.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          int status;
          synchronized (statuses) {
            status = statuses.isEmpty() ? 201 : statuses.poll();
          }
          JsonNode body = JSON.readTree(ex.getRequestBody());
          authorization.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          if (status == 201) {
            posts.add(body);
          }
          byte[] b =
              (status == 201 ? "{\"stored\":" + body.size() + "}" : "{\"error\":\"no\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(status, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    hold.countDown();
    server.stop(0);
  }

  private int stored() {
    return posts.stream().mapToInt(JsonNode::size).sum();
  }

  @Test
  void reports_are_posted_in_batches_as_json_arrays() throws Exception {
    hold = new CountDownLatch(1); // the server holds the first request so the rest queue up
    ServerReportSink sink = ServerReportSink.builder(base).batchSize(10).build();
    for (int i = 0; i < 25; i++) {
      sink.accept(report("t" + i, State.PASS));
    }
    hold.countDown();
    assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
    sink.close();
    assertThat(sink.sent()).isEqualTo(25);
    assertThat(stored()).isEqualTo(25);
    assertThat(posts).allMatch(JsonNode::isArray).allMatch(a -> a.size() <= 10);
    assertThat(posts.get(0).get(0).get("test_id").asText()).isEqualTo("t0");
    assertThat(sink.endpoint().toString()).isEqualTo(base + "/api/v1/livecheck/reports");
  }

  @Test
  void server_errors_are_retried_with_doubling_delays_on_the_injected_clock() throws Exception {
    synchronized (statuses) {
      statuses.addAll(List.of(503, 500));
    }
    FakeTimeSource time = new FakeTimeSource();
    ServerReportSink sink =
        ServerReportSink.builder(base)
            .time(time)
            .retryDelay(Duration.ofSeconds(1))
            .maxAttempts(3)
            .build();
    sink.accept(report("t1", State.FAIL));
    assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
    sink.close();
    assertThat(sink.sent()).isEqualTo(1);
    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(posts).hasSize(1);
  }

  @Test
  void a_refused_batch_is_not_retried_and_is_counted() throws Exception {
    synchronized (statuses) {
      statuses.add(400);
    }
    List<String> problems = new CopyOnWriteArrayList<>();
    FakeTimeSource time = new FakeTimeSource();
    ServerReportSink sink = ServerReportSink.builder(base).time(time).log(problems::add).build();
    sink.accept(report("t1", State.PASS));
    assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
    sink.close();
    assertThat(sink.failed()).isEqualTo(1);
    assertThat(time.sleeps()).isEmpty();
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("1 report(s) not stored")
        .contains("HTTP 400");
  }

  @Test
  void a_stuck_server_never_blocks_the_caller_and_excess_reports_are_dropped() throws Exception {
    hold = new CountDownLatch(1);
    ServerReportSink sink = ServerReportSink.builder(base).queueCapacity(5).batchSize(1).build();
    for (int i = 0; i < 100; i++) {
      sink.accept(report("t" + i, State.PASS)); // returns at once even though the server hangs
    }
    // One report is in flight, five wait in the queue, the rest are dropped.
    assertThat(sink.dropped()).isBetween(94L, 95L);
    hold.countDown();
    sink.close();
    assertThat(sink.sent() + sink.dropped()).isEqualTo(100);
  }

  @Test
  void reports_wait_in_the_spool_file_while_the_server_is_down_and_a_later_sink_sends_them(
      @TempDir Path dir) throws Exception {
    Path spool = dir.resolve("livecheck.jsonl");
    synchronized (statuses) {
      java.util.stream.IntStream.range(0, 1000)
          .forEach(i -> statuses.add(503)); // down for longer than the test
    }
    ServerReportSink first =
        ServerReportSink.builder(base)
            .retryDelay(Duration.ofMillis(20))
            .maxAttempts(2)
            .spool(spool)
            .closeTimeout(Duration.ofMillis(50))
            .build();
    first.accept(report("t1", State.PASS));
    first.accept(report("t2", State.FAIL));
    assertThat(first.flush(Duration.ofMillis(200))).as("the server is down").isFalse();
    first.close();
    assertThat(first.failed()).as("nothing is given up while it waits on disk").isZero();
    assertThat(Files.readAllLines(spool))
        .hasSize(2)
        .allSatisfy(l -> assertThat(JSON.readTree(l).isObject()).isTrue());

    synchronized (statuses) {
      statuses.clear();
    }
    ServerReportSink second = ServerReportSink.builder(base).spool(spool).build();
    assertThat(second.flush(Duration.ofSeconds(10))).isTrue();
    second.close();
    assertThat(second.sent()).isEqualTo(2);
    assertThat(
            posts.stream()
                .flatMap(a -> java.util.stream.StreamSupport.stream(a.spliterator(), false))
                .map(r -> r.get("test_id").asText()))
        .containsExactly("t1", "t2");
    assertThat(spool).doesNotExist();
  }

  @Test
  void the_write_token_goes_in_the_authorization_header() throws Exception {
    ServerReportSink sink = ServerReportSink.builder(base).token("s3cret-token").build();
    sink.accept(report("t1", State.PASS));
    assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
    sink.close();
    assertThat(authorization).containsExactly("Bearer s3cret-token");
  }

  @Test
  void the_server_url_is_checked() {
    assertThatThrownBy(() -> ServerReportSink.builder(URI.create("localhost:8080")))
        .hasMessageContaining(
            "server = localhost:8080: must be an absolute http:// or https:// URL");
  }
}
