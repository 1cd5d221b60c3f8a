package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.TestSnapshot;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.StatisticsSchema;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket steps of YAML flows, and their statistics, against the demo's real endpoints. */
class WebSocketFlowTest {

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

  private static HttpFlow flow(String yaml) {
    RunYaml.Loaded loaded = RunYaml.load(new StringReader(yaml), "ws.yaml", null, HttpFlow.FIELDS);
    HttpFlow flow = HttpFlow.read(loaded.root(), null, loaded.reader());
    loaded.reader().problems().throwIfAny();
    return flow.withBaseUrl(demo.url());
  }

  private static RunSummary run(Path out, HttpFlow flow, int users, long iterations) {
    RunConfig config =
        RunConfig.builder("ws")
            .http(true)
            .webSocket(flow.usesWebSocket())
            .phase(
                new Phase(
                    "once", null, new LoadShape.Constant(users), null, null, iterations, null))
            .outputRoot(out)
            .console(false)
            .build();
    try (HttpFlowScenario scenario = new HttpFlowScenario(flow)) {
      return Run.of(config, scenario).execute();
    }
  }

  private static TestSnapshot test(RunSummary s, int number) {
    return s.tests().stream().filter(t -> t.test() == number).findFirst().orElseThrow();
  }

  private static long stat(TestSnapshot t, String name) {
    return t.statistics().getLong(t.statistics().schema().longIndex(name));
  }

  private static final String CHAT =
      """
      name: chat
      client: {timeout: 2s}
      flow:
        - {test: 1, ws_connect: {url: "/ws/room?name=flow-${user}", subprotocols: [chat.v1]}, description: Join}
        - {test: 2, ws_receive: {checks: [{json: /type, equals: welcome}], extract: {me: {json: /member}}}, description: Welcome}
        - {test: 3, ws_send: {json: {text: "hi from ${user}", n: 1}}, description: Say hi}
        - {test: 4, ws_receive: {checks: [{json: /from, equals: "${me}"}, {body_contains: "hi from ${user}"}]}, description: Hear it}
        - {test: 5, ws_send: {binary: AAEC/w==}, description: Send bytes}
        - {test: 6, ws_receive: {checks: [{body_matches: "^\\\\x00"}]}, description: Bytes back}
        - {test: 7, ws_close: {reason: bye}, description: Leave}
      phases: [{name: p, iterations: 3, users: 2}]
      """;

  @Test
  void a_chat_flow_times_each_step_and_fills_the_websocket_statistics_and_columns()
      throws Exception {
    HttpFlow flow = flow(CHAT);
    assertThat(flow.usesWebSocket()).isTrue();
    RunSummary s = run(dir, flow, 2, 3);
    assertThat(s.iterationFailures()).isEmpty();
    assertThat(s.tests()).extracting(TestSnapshot::tests).containsOnly(6L);
    assertThat(s.tests()).extracting(TestSnapshot::errors).containsOnly(0L);

    TestSnapshot join = test(s, 1);
    assertThat(stat(join, StatisticsSchema.WS_HANDSHAKES)).isEqualTo(6);
    assertThat(stat(join, StatisticsSchema.WS_HANDSHAKE_TIME)).isPositive();
    assertThat(stat(join, StatisticsSchema.HTTP_RESPONSE_STATUS))
        .as("the handshake is an HTTP request: 101, summed")
        .isEqualTo(6 * 101);
    assertThat(stat(join, StatisticsSchema.HTTP_CONNECTIONS_ESTABLISHED)).isEqualTo(6);

    TestSnapshot welcome = test(s, 2);
    assertThat(stat(welcome, StatisticsSchema.WS_FIRST_MESSAGES))
        .as("each socket's first message is the welcome")
        .isEqualTo(6);
    assertThat(stat(welcome, StatisticsSchema.WS_FIRST_MESSAGE_TIME))
        .isGreaterThanOrEqualTo(stat(join, StatisticsSchema.WS_HANDSHAKE_TIME));
    assertThat(stat(test(s, 3), StatisticsSchema.WS_MESSAGES_SENT)).isEqualTo(6);
    assertThat(stat(test(s, 4), StatisticsSchema.WS_MESSAGES_RECEIVED))
        .as("one per user: each room has one member")
        .isEqualTo(6);

    Path results = s.info().outputDirectory();
    List<String> rows = Files.readAllLines(results.resolve("data.csv"));
    assertThat(rows.getFirst())
        .endsWith(
            "New connections, WebSocket handshake time, Time to first message, Messages sent,"
                + " Messages received");
    assertThat(Files.readString(results.resolve("summary.txt")))
        .as("the column names wrap")
        .contains("WebSocket", "handshake", "Messages", "received");
  }

  @Test
  void a_message_that_never_arrives_is_counted_as_a_timed_out_error() {
    HttpFlow flow =
        flow(
            """
            name: silent
            flow:
              - {test: 1, ws_connect: {url: /ws/echo}, description: Connect}
              - {test: 2, ws_send: {text: hello}, description: Send}
              - {test: 3, ws_receive: {checks: [{body_contains: goodbye}], timeout: 100ms}, description: Wait}
              - {test: 4, ws_close: {}, description: Close}
            phases: [{name: p, iterations: 2, users: 1}]
            """);
    RunSummary s = run(null, flow, 1, 2);
    assertThat(test(s, 3).errors()).isEqualTo(2);
    assertThat(s.tests()).noneMatch(t -> t.test() == 4);
    assertThat(s.iterationFailures())
        .containsEntry(
            "WebSocket READ_TIMEOUT in 'Wait': no message matching [body contains 'goodbye']"
                + " within 100 ms",
            2L);
    assertThat(stat(test(s, 1), StatisticsSchema.WS_HANDSHAKES))
        .as("the socket left open is closed by the next connect")
        .isEqualTo(2);
  }

  @Test
  void a_server_that_closes_or_drops_mid_run_counts_an_error_and_the_next_iteration_reconnects() {
    for (String option : List.of("close_after=1", "drop_after=1")) {
      HttpFlow flow =
          flow(
              """
              name: closing
              client: {timeout: 1s}
              flow:
                - {test: 1, ws_connect: {url: "/ws/echo?%s"}, description: Connect}
                - {test: 2, ws_send: {text: one}, description: Send one}
                - {test: 3, ws_receive: {checks: [{body_contains: one}]}, description: Echo one}
                - {test: 4, ws_receive: {}, description: Echo two}
              phases: [{name: p, iterations: 3, users: 1}]
              """
                  .formatted(option));
      RunSummary s = run(null, flow, 1, 3);
      assertThat(test(s, 3).errors()).isZero();
      assertThat(test(s, 4).errors()).as(option).isEqualTo(3);
      assertThat(test(s, 1).tests()).as("reconnected each iteration").isEqualTo(3);
      assertThat(s.iterationFailures())
          .containsOnlyKeys(
              option.startsWith("close")
                  ? "WebSocket CLOSED in 'Echo two' (1001 'going away')"
                  : "WebSocket CLOSED in 'Echo two' (1006)");
    }
  }

  @Test
  void a_refused_handshake_is_counted_under_its_kind() {
    HttpFlow flow =
        flow(
            """
            name: refused
            flow:
              - {test: 1, ws_connect: {url: /ws/room}, description: Join without a room}
              - {test: 2, ws_send: {text: never}, description: Never}
            phases: [{name: p, iterations: 2, users: 1}]
            """);
    RunSummary s = run(null, flow, 1, 2);
    assertThat(test(s, 1).errors()).isEqualTo(2);
    assertThat(s.iterationFailures())
        .containsEntry("WebSocket HANDSHAKE in 'Join without a room'", 2L);
  }

  @Test
  void websocket_step_mistakes_are_reported_with_line_column_and_field() {
    String yaml =
        """
        name: bad
        flow:
          - {ws_send: {text: early}}
          - {ws_connect: {url: /ws/echo, subprotocols: ["a b"], colour: red}}
          - {ws_send: {text: a, json: {b: 1}}}
          - {ws_send: {binary: "not base64!"}}
          - {ws_receive: {checks: [{json: /type}], extract: {x: {header: X}}}}
          - {ws_close: {}, pause: 1s}
          - {ws_receive: {connection: other}}
        phases: [{name: p, duration: 1s, users: 1}]
        """;
    assertThatThrownBy(() -> flow(yaml))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "ws.yaml:3:5: flow[0]: no ws_connect opens the WebSocket 'ws' before this step")
        .hasMessageContaining("flow[1].ws_connect.subprotocols[0]: a subprotocol is an HTTP token")
        .hasMessageContaining("flow[1].ws_connect.colour: unknown field 'colour'")
        .hasMessageContaining("flow[2].ws_send: give one of text, json and binary")
        .hasMessageContaining("flow[3].ws_send.binary: binary must be base64")
        .hasMessageContaining("flow[4].ws_receive.checks[0]: a json check needs equals")
        .hasMessageContaining(
            "flow[4].ws_receive.extract.x.header: a WebSocket message has no headers")
        .hasMessageContaining("flow[5]: does pause and ws_close; a step does one thing")
        .hasMessageContaining(
            "flow[6]: no ws_connect opens the WebSocket 'other' before this step; add one with"
                + " connection: other");
  }
}
