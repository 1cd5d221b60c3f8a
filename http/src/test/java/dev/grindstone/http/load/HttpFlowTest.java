package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.Reservation;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.http.HttpClient;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.results.TestFigures;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** HTTP flows and the httpplugin statistics, against the real demo service on a loopback port. */
class HttpFlowTest {

  static DemoService demo;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    demo = DemoService.start();
  }

  @AfterAll
  static void stop() {
    demo.close();
  }

  private static long stat(TestFigures t, String name) {
    return t.statistics().getLong(t.statistics().schema().longIndex(name));
  }

  private RunSummary runOnce(
      Path outputRoot, dev.grindstone.engine.Scenario scenario, int users, long iterations) {
    RunConfig config =
        RunConfig.builder("http")
            .phase(
                new Phase(
                    "once", null, new LoadShape.Constant(users), null, null, iterations, null))
            .outputRoot(outputRoot)
            .console(false)
            .build();
    // A flow scenario brings the HTTP plug-in itself; the lambda scenarios here need it added.
    return Run.of(config, scenario).plugin(HttpPlugin.INSTANCE).execute();
  }

  @org.junit.jupiter.api.Test
  void first_byte_time_covers_a_server_that_waits_50_ms() {
    try (HttpClient client = HttpStatistics.clientBuilder().build()) {
      Test work = new Test(1, "slow");
      RunSummary s =
          runOnce(null, user -> work.record(() -> client.get(demo.url() + "/work?ms=50")), 1, 3);
      TestFigures t = s.tests().getFirst();
      assertThat(t.tests()).isEqualTo(3);
      assertThat(stat(t, HttpPlugin.FIRST_BYTE_TIME.name()))
          .as("µs, summed over 3 calls")
          .isGreaterThanOrEqualTo(150_000);
      assertThat(stat(t, HttpPlugin.CONNECTIONS_ESTABLISHED.name()))
          .as("keep-alive: one connection")
          .isEqualTo(1);
      assertThat(stat(t, HttpPlugin.CONNECT_TIME.name())).isPositive();
      assertThat(stat(t, HttpPlugin.RESPONSE_STATUS.name()))
          .as("summed like every basic long")
          .isEqualTo(600);
      assertThat(stat(t, HttpPlugin.RESPONSE_LENGTH.name())).isPositive();
    }
  }

  @org.junit.jupiter.api.Test
  void status_400_and_above_counts_a_response_error_without_failing_the_test() {
    try (HttpClient client = HttpStatistics.clientBuilder().build()) {
      Test missing = new Test(1, "missing");
      RunSummary s =
          runOnce(
              null, user -> missing.record(() -> client.get(demo.url() + "/no-such-page")), 1, 2);
      TestFigures t = s.tests().getFirst();
      assertThat(t.errors()).isZero();
      assertThat(stat(t, HttpPlugin.RESPONSE_ERRORS.name())).isEqualTo(2);
    }
  }

  private static final String SHOP =
      """
      name: shop
      requests:
        login:
          method: POST
          url: /shop/login
          json: {username: "${name}", password: "pw"}
          checks: [{status: 200}]
          extract: {token: {json: /token}}
        add:
          method: POST
          url: /shop/cart
          headers: {Authorization: "Bearer ${token}"}
          json: {productId: "${product}", quantity: 2}
          checks: [{status: 200}, {json: /items/0/quantity, equals: 2}]
        checkout:
          method: POST
          url: /shop/checkout
          headers: {Authorization: "Bearer ${token}"}
          extract: {order: {regex: '"orderId"\\s*:\\s*"?([^",}]+)'}}
        broken:
          url: /flaky
          params: {p: "1"}
          checks: [{status: 200}]
      feeders: [{csv: shoppers.csv}]
      flow:
        - {test: 1, request: login, description: Log in}
        - {test: 2, request: add, description: Add}
        - {test: 3, request: checkout, description: Check out}
      phases: [{name: p, iterations: 2, users: 2}]
      """;

  private HttpFlow flow(String yaml) throws Exception {
    Files.writeString(dir.resolve("shoppers.csv"), "name,product\nann,3\nbob,7\n");
    return read(yaml);
  }

  /** The flow of {@code yaml}, its files in {@link #dir}. */
  private HttpFlow read(String yaml) throws Exception {
    RunYaml.Loaded loaded = RunYaml.load(new StringReader(yaml), "shop.yaml", dir, HttpFlow.FIELDS);
    HttpFlow flow = HttpFlow.read(loaded.root(), dir, loaded.reader());
    loaded.reader().problems().throwIfAny();
    return flow.withBaseUrl(demo.url());
  }

  @org.junit.jupiter.api.Test
  void a_flow_of_calls_runs_its_iterations_back_to_back_as_stages_and_every_request_counts()
      throws Exception {
    String yaml =
        """
        name: staged
        requests:
          ping: {url: /ping, checks: [{status: 200}, {body_contains: pong}]}
          missing: {url: /no-such-page}
        flow:
          - {test: 1, request: ping, description: Ping}
          - {test: 2, request: missing, description: Missing}
        phases: [{name: hold, duration: 500ms, users: 4}]
        """;
    try (HttpFlowScenario scenario = new HttpFlowScenario(read(yaml))) {
      assertThat(scenario.runsStaged()).isTrue();
      RunConfig config =
          RunConfig.builder("staged")
              .phase(Phase.hold("hold", Duration.ofMillis(500), 4))
              .console(false)
              .build();
      RunSummary s = Run.of(config, scenario).execute();

      assertThat(s.iterationFailures()).isEmpty();
      TestFigures ping = s.tests().get(0);
      TestFigures missing = s.tests().get(1);
      assertThat(ping.tests()).isGreaterThan(20);
      assertThat(ping.errors()).isZero();
      assertThat(stat(ping, HttpPlugin.RESPONSE_STATUS.name()))
          .as("each response's status, summed over the calls")
          .isEqualTo(200 * ping.tests());
      assertThat(stat(ping, HttpPlugin.RESPONSE_LENGTH.name()))
          .as("\"pong\", 4 bytes a call")
          .isEqualTo(4 * ping.tests());
      assertThat(stat(ping, HttpPlugin.CONNECTIONS_ESTABLISHED.name()))
          .as("one keep-alive connection a user")
          .isBetween(1L, 4L);
      assertThat(missing.errors()).as("a 404 does not fail the call by itself").isZero();
      assertThat(stat(missing, HttpPlugin.RESPONSE_ERRORS.name())).isEqualTo(missing.tests());
      assertThat(missing.tests()).isBetween(ping.tests() - 4, ping.tests());
    }
    try (HttpFlowScenario paused =
        new HttpFlowScenario(read(yaml.replace("flow:\n", "flow:\n  - {pause: 1ms}\n")))) {
      assertThat(paused.runsStaged()).as("a pause blocks: it runs on the user's thread").isFalse();
    }
  }

  @org.junit.jupiter.api.Test
  void a_later_call_whose_request_cannot_be_made_fails_its_iteration_and_the_user_goes_on()
      throws Exception {
    String yaml =
        """
        name: unmakeable
        variables: {port: "not-a-port"}
        requests:
          ping: {url: /ping}
          broken: {url: "http://127.0.0.1:${port}/x"}
        flow:
          - {test: 1, request: ping, description: Ping}
          - {test: 2, request: broken, description: Broken}
        phases: [{name: hold, duration: 300ms, users: 2}]
        """;
    try (HttpFlowScenario scenario = new HttpFlowScenario(read(yaml))) {
      RunSummary s =
          Run.of(
                  RunConfig.builder("unmakeable")
                      .phase(Phase.hold("hold", Duration.ofMillis(300), 2))
                      .console(false)
                      .build(),
                  scenario)
              .execute();

      long pings = s.tests().getFirst().tests();
      assertThat(pings).as("each user went on after each failure").isGreaterThan(4);
      assertThat(s.iterationFailures().values().stream().mapToLong(Long::longValue).sum())
          .isBetween(pings - 2, pings);
      assertThat(s.iterationFailures().keySet()).allSatisfy(k -> assertThat(k).contains("port"));
    }
  }

  @org.junit.jupiter.api.Test
  void a_flow_feeds_extracts_checks_and_writes_the_http_data_log_columns() throws Exception {
    try (HttpFlowScenario scenario = new HttpFlowScenario(flow(SHOP))) {
      RunSummary s = runOnce(dir.resolve("out"), scenario, 2, 2);
      assertThat(s.iterationFailures()).isEmpty();
      assertThat(s.tests()).extracting(TestFigures::tests).containsExactly(4L, 4L, 4L);
      assertThat(s.tests()).extracting(TestFigures::errors).containsOnly(0L);
      List<String> rows = Files.readAllLines(s.info().outputDirectory().resolve("data.csv"));
      assertThat(rows.getFirst())
          .isEqualTo(
              "Thread, Run, Test, Start time (ms since Epoch), Test time, Errors, HTTP response"
                  + " code, HTTP response length, HTTP response errors, Time to resolve host, Time"
                  + " to establish connection, Time to first byte, New connections");
      assertThat(rows).hasSize(13);
      assertThat(rows.get(1)).contains(", 200, ");
      assertThat(Files.readString(s.info().outputDirectory().resolve("summary.txt")))
          .contains("Mean time to")
          .contains("Response");
    }
  }

  @org.junit.jupiter.api.Test
  void a_queue_feeder_gives_each_row_once_and_each_agent_its_own_rows() throws Exception {
    HttpFlow flow =
        flow(
            SHOP.replace(
                "feeders: [{csv: shoppers.csv}]", "feeders: [{csv: shoppers.csv, mode: queue}]"));
    assertThat(flow.feeders().getFirst().queue()).isTrue();
    assertThat(flow.shard(new dev.grindstone.engine.run.Shard(0, 2)).feeders().getFirst().rows())
        .extracting(row -> row.get("name"))
        .containsExactly("ann");
    assertThat(flow.shard(new dev.grindstone.engine.run.Shard(1, 2)).feeders().getFirst().rows())
        .extracting(row -> row.get("name"))
        .containsExactly("bob");
    assertThat(
            flow.withChoice(HttpFlow.StepChoice.PER_USER)
                .shard(new dev.grindstone.engine.run.Shard(1, 2))
                .choice())
        .as("an agent's share makes the same steps")
        .isEqualTo(HttpFlow.StepChoice.PER_USER);
    try (HttpFlowScenario scenario = new HttpFlowScenario(flow)) {
      RunSummary s = runOnce(null, scenario, 1, 3);
      assertThat(s.tests().stream().filter(t -> t.test() == 1).findFirst().orElseThrow().tests())
          .as("two rows, two iterations")
          .isEqualTo(2);
      assertThat(s.iterationFailures())
          .containsEntry(
              "the queue feeder 'shoppers.csv' has no rows left: it gives each of its 2 rows once",
              1L);
    }
  }

  @org.junit.jupiter.api.Test
  void a_reserved_queue_feeder_takes_rows_from_its_attempts_start_and_only_those_reserved()
      throws Exception {
    Files.writeString(dir.resolve("more.csv"), "name,product\nann,3\nbob,7\ncy,1\ndee,2\n");
    HttpFlow flow =
        read(
            SHOP.replace(
                "feeders: [{csv: shoppers.csv}]", "feeders: [{csv: more.csv, mode: queue}]"));
    List<String> used = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    try (HttpFlowScenario scenario = new HttpFlowScenario(flow)) {
      List<Reservation> reservations = scenario.reserveQueueRows(null, 0);
      assertThat(reservations)
          .extracting(Reservation::key)
          .containsExactly("queue feeder 'more.csv'");
      // An older attempt of this agent's index reserved row 0; rows 1 and 2 are this one's.
      reservations.getFirst().answered(1, 3);
      dev.grindstone.engine.Scenario recording =
          new dev.grindstone.engine.Scenario() {
            @Override
            public void beforeUser(dev.grindstone.engine.VirtualUser user) {
              scenario.beforeUser(user);
            }

            @Override
            public void iteration(dev.grindstone.engine.VirtualUser user) throws Exception {
              user.vars().remove("name");
              scenario.iteration(user);
              if (user.vars().get("name") != null) {
                used.add((String) user.vars().get("name"));
              }
            }
          };
      RunConfig config =
          RunConfig.builder("reserved")
              .phase(Phase.hold("hold", java.time.Duration.ofMillis(500), 1))
              .console(false)
              .build();
      RunSummary s = Run.of(config, recording).plugin(HttpPlugin.INSTANCE).execute();
      assertThat(used)
          .as("row 3 is not reserved: the user waits until the run stops")
          .containsExactly("bob", "cy");
      assertThat(s.iterationFailures()).isEmpty();
      assertThat(s.tests().stream().filter(t -> t.test() == 1).findFirst().orElseThrow().tests())
          .isEqualTo(2);
      assertThat(reservations.getFirst().waits()).isEqualTo(1);
    }
  }

  @org.junit.jupiter.api.Test
  void a_failed_check_marks_the_call_as_an_error_and_ends_the_iteration_counted_by_reason()
      throws Exception {
    String yaml =
        SHOP.replace(
            "- {test: 3, request: checkout, description: Check out}",
            "- {test: 3, request: broken, description: Broken}\n"
                + "  - {test: 4, request: checkout, description: Never}");
    try (HttpFlowScenario scenario = new HttpFlowScenario(flow(yaml))) {
      RunSummary s = runOnce(null, scenario, 1, 3);
      assertThat(s.tests().stream().filter(t -> t.test() == 3).findFirst().orElseThrow().errors())
          .isEqualTo(3);
      assertThat(s.tests()).noneMatch(t -> t.test() == 4);
      assertThat(s.iterationFailures())
          .containsEntry(
              "check failed in 'Broken' [status in [200]]: status was 500, expected 200", 3L);
    }
  }

  @org.junit.jupiter.api.Test
  void flow_mistakes_are_reported_with_line_column_and_field() {
    String yaml =
        """
        name: bad
        requests:
          login:
            method: FETCH
            url: /x
            checks: [{status: 200, colour: red}]
            extract: {token: {json: token}}
        flow:
          - {test: 1, request: logon}
        phases: [{name: p, duration: 1s, users: 1}]
        """;
    assertThatThrownBy(() -> flow(yaml))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("shop.yaml:4:13: requests.login.method: method must be one of")
        .hasMessageContaining("requests.login.checks[0].colour: unknown field 'colour'")
        .hasMessageContaining("requests.login.extract.token.json: a JSON pointer starts with '/'")
        .hasMessageContaining(
            "shop.yaml:9:24: flow[0].request: no request is called 'logon'; requests: login");
  }
}
