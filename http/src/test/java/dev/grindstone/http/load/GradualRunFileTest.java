package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.results.TestFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gradual's run files in the form its configuration reference documents, read as they are and run
 * against the demo service on a loopback port (a few seconds each).
 */
class GradualRunFileTest {

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

  /** gradual's request configuration file, with the demo's URLs. */
  private Path requestConfig() throws Exception {
    return Files.writeString(
        dir.resolve("request_config.yaml"),
        """
        requests:
          "ping":
            url: "%1$s/ping"
            method: "GET"
            expected_response_time: 1
            auth: null
          "work":
            url: "%1$s/work?ms=1"
            method: "GET"
            expected_response_time: 1
            auth: null
          "login":
            url: "%1$s/shop/login"
            method: "POST"
            expected_response_time: 1
            auth: null
            params:
              username: "ann"
              password: "secret"
        """
            .formatted(demo.url()));
  }

  private RunYaml.Loaded load(String testConfig) throws Exception {
    Path file = Files.writeString(dir.resolve("test_config.yaml"), testConfig);
    return RunYaml.load(file, HttpRunFiles.extraFields(), HttpRunFiles.SCENARIO_FIELDS);
  }

  private static RunSummary run(RunYaml.Loaded loaded, Map<String, Scenario> scenarios) {
    try {
      return Run.of(loaded.config().outputRoot(null).console(false).build(), scenarios).execute();
    } finally {
      scenarios.values().forEach(s -> ((HttpFlowScenario) s).close());
    }
  }

  private static ScenarioResult scenario(RunSummary s, String name) {
    return s.scenarios().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
  }

  private static long calls(ScenarioResult s, String request) {
    return s.tests().stream()
        .filter(t -> t.description().equals(request))
        .mapToLong(t -> t.tests() + t.errors())
        .sum();
  }

  @Test
  void gradual_s_two_files_run_their_scenarios_at_once_each_with_its_own_figures()
      throws Exception {
    RunYaml.Loaded loaded =
        load(
            """
            runs:
              name: "Demo Run"
              wait_between_phases: 0
              phases:
                "phase1":
                  scenarios:
                    "rotate":
                      requests:
                        - "ping"
                        - "work"
                      min_concurrency: 1
                      max_concurrency: 3
                      ramp_up_add: 1
                      ramp_up_wait: 0.2
                      iterate_through_requests: true
                    "pinned":
                      requests: ["ping", "login"]
                      min_concurrency: 2
                      max_concurrency: 2
                      ramp_up_multiply: 1
                  run_time: 1.5
            """);
    Map<String, Scenario> scenarios = HttpRunFiles.scenarios(loaded, requestConfig(), f -> f);
    loaded.reader().problems().throwIfAny();
    RunSummary s = run(loaded, scenarios);

    assertThat(s.info().name()).isEqualTo("Demo-Run");
    ScenarioResult rotate = scenario(s, "rotate");
    ScenarioResult pinned = scenario(s, "pinned");
    assertThat(rotate.users()).as("1 user, then one more every 0.2 s up to 3").isEqualTo(3);
    assertThat(pinned.users()).isEqualTo(2);
    assertThat(calls(rotate, "ping")).isPositive();
    assertThat(calls(rotate, "work")).as("in turn with ping").isPositive();
    assertThat(calls(rotate, "login")).isZero();
    assertThat(calls(pinned, "ping")).as("the first user makes the first request").isPositive();
    assertThat(calls(pinned, "login")).as("the second user the second").isPositive();
    TestFigures login =
        pinned.tests().stream()
            .filter(t -> t.description().equals("login"))
            .findFirst()
            .orElseThrow();
    assertThat(login.errors()).as("params went as the JSON body gradual sends").isZero();
    TestFigures ping =
        s.tests().stream().filter(t -> t.description().equals("ping")).findFirst().orElseThrow();
    assertThat(ping.tests() + ping.errors())
        .as("one test number per request across the run, its figures the scenarios' together")
        .isEqualTo(calls(rotate, "ping") + calls(pinned, "ping"));
    assertThat(s.totals().errors()).isZero();
  }

  @Test
  void run_once_waves_requests_from_a_request_file_and_phases_in_turn() throws Exception {
    requestConfig();
    RunYaml.Loaded loaded =
        load(
            """
            runs:
              name: waves
              wait_between_phases: 0.1
              phases:
                "first":
                  run_time: 0.8
                  scenarios:
                    "all":
                      requests: "FROM_REQUEST_YAML_FILE"
                      request_file: request_config.yaml
                      min_concurrency: 1
                      max_concurrency: 4
                      ramp_up_multiply: 2
                      run_once: true
                      iterations: 3
                "second":
                  run_time: 0.5
                  scenarios:
                    "all":
                      min_concurrency: 2
                      max_concurrency: 2
            """);
    Map<String, Scenario> scenarios = HttpRunFiles.scenarios(loaded, null, f -> f);
    loaded.reader().problems().throwIfAny();
    RunSummary s = run(loaded, scenarios);

    assertThat(s.phases())
        .extracting(RunSummary.PhaseResult::name)
        .containsExactly("first", "second");
    TestFigures first = s.phases().getFirst().totals();
    assertThat(first.tests() + first.errors())
        .as("waves of 1, 2 and 4 users, one request each")
        .isEqualTo(7);
    assertThat(s.phases().get(1).totals().tests()).isPositive();
    assertThat(s.totals().errors()).isZero();
  }

  @Test
  void flows_of_several_scenarios_number_a_request_once_and_share_the_file_s_settings()
      throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("shop.yaml"),
            """
            name: shop
            base_url: %s
            requests:
              home: {url: /shop/products}
              login: {method: POST, url: /shop/login, json: {username: ann, password: secret}}
            phases:
              - name: mixed
                duration: 1s
                users: 4
                think_time: 20ms
                scenarios:
                  browse: {weight: 3, flow: [home]}
                  checkout: {weight: 1, flow: [login, home]}
            """
                .formatted(demo.url()));
    RunYaml.Loaded loaded =
        RunYaml.load(file, HttpRunFiles.extraFields(), HttpRunFiles.SCENARIO_FIELDS);
    Map<String, Scenario> scenarios = HttpRunFiles.scenarios(loaded, null, f -> f);
    loaded.reader().problems().throwIfAny();
    RunSummary s = run(loaded, scenarios);

    assertThat(s.tests())
        .extracting(TestFigures::test, TestFigures::description)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, "home"),
            org.assertj.core.groups.Tuple.tuple(2, "login"));
    assertThat(scenario(s, "browse").users()).isEqualTo(3);
    assertThat(scenario(s, "checkout").tests()).extracting(TestFigures::test).containsExactly(1, 2);
    assertThat(s.totals().errors()).isZero();
  }

  @Test
  void mistakes_and_gradual_keys_not_supported_are_reported_with_file_line_and_column()
      throws Exception {
    Files.writeString(
        dir.resolve("request_config.yaml"),
        """
        requests:
          "socket":
            url: "ws://127.0.0.1:1/ws"
            method: "WEBSOCKET"
            expected_response_time: 1
            websocket_config: {max_messages: 1}
          "kerberos":
            url: "http://127.0.0.1:1/"
            method: "GET"
            expected_response_time: 1
            auth: kerb
        """);
    RunYaml.Loaded loaded =
        load(
            """
            runs:
              name: bad
              phases:
                p:
                  run_time: 1
                  scenarios:
                    s: {requests: [socket, missing], min_concurrency: 1, max_concurrency: 1}
            """);
    HttpRunFiles.scenarios(loaded, dir.resolve("request_config.yaml"), f -> f);
    String message =
        catchThrowableOfType(BadInputException.class, () -> loaded.reader().problems().throwIfAny())
            .getMessage();
    String requests = dir.resolve("request_config.yaml").toString();
    assertThat(message)
        .contains(
            requests
                + ":4:13: requests.socket.method: gradual's WebSocket requests (method: WEBSOCKET,"
                + " socket.io) are not supported")
        .contains(
            requests
                + ":6:23: requests.socket.websocket_config: gradual's key 'websocket_config' is not"
                + " supported")
        .contains(
            requests
                + ":11:11: requests.kerberos.auth: gradual's auth (kerb) is not supported: send"
                + " credentials in headers:")
        .contains(
            "test_config.yaml:7:32: runs.phases.p.scenarios.s.requests[1]: no request is called"
                + " 'missing'");
  }
}
