package dev.grindstone.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScenarioLoad;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.run.Threshold;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunYamlTest {

  @TempDir Path dir;

  private String problems(String yaml) throws IOException {
    return problems(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private String problems(byte[] content) throws IOException {
    Path file = Files.write(dir.resolve("run.yaml"), content);
    Files.writeString(dir.resolve("Checkout.java"), "public class Checkout {}");
    BadInputException e =
        catchThrowableOfType(
            BadInputException.class,
            () -> {
              RunYaml.Loaded loaded = RunYaml.load(file, Set.of());
              loaded.reader().problems().throwIfAny();
            });
    assertThat(e).as("a problem is reported").isNotNull();
    return e.getMessage();
  }

  @Test
  void a_key_given_twice_is_reported_with_both_positions() throws IOException {
    assertThat(
            problems(
                """
                name: one
                scenario: Checkout.java
                name: two
                phases: [{name: hold, duration: 1s, users: 1}]
                """))
        .isEqualTo("run.yaml:3:1: name: is given twice, at 1:1 and at 3:1; keep one");
  }

  @Test
  void a_key_given_twice_in_a_nested_mapping_names_its_path_and_every_repeat() throws IOException {
    String message =
        problems(
            """
            name: one
            scenario: Checkout.java
            phases:
              - name: hold
                duration: 1s
                users: 1
                duration: 2s
              - {name: open, rate: 5, rate: 6, duration: 1s, rate: 7}
            """);
    assertThat(message)
        .contains("3 problems")
        .contains("run.yaml:7:5: phases[0].duration: is given twice, at 5:5 and at 7:5; keep one")
        .contains("run.yaml:8:27: phases[1].rate: is given twice, at 8:18 and at 8:27; keep one")
        .contains("run.yaml:8:50: phases[1].rate: is given twice, at 8:18 and at 8:50; keep one");
  }

  @Test
  void a_tab_used_for_indentation_is_reported_where_it_is() throws IOException {
    assertThat(
            problems(
                "name: one\n"
                    + "scenario: Checkout.java\n"
                    + "phases:\n"
                    + "\t- {name: hold, duration: 1s, users: 1}\n"))
        .startsWith(
            "run.yaml:4:1: not valid YAML: found character '\\t(TAB)' that cannot start any token");
    assertThat(
            problems(
                "name: one\nscenario: Checkout.java\nphases:\n  - name: hold\n  \tduration: 1s\n"))
        .startsWith("run.yaml:5:3: not valid YAML:");
  }

  @Test
  void other_syntax_errors_are_reported_at_the_scanners_position_too() throws IOException {
    assertThat(problems("name: one\nphases: [{name: hold, duration: 1s\n"))
        .startsWith("run.yaml:3:1: not valid YAML:");
  }

  @Test
  void a_missing_scenario_file_or_class_is_reported_at_the_scenario_key() throws IOException {
    assertThat(
            problems(
                """
                name: one
                scenario:   Missing.java
                phases: [{name: hold, duration: 1s, users: 1}]
                """))
        .startsWith("run.yaml:2:13: scenario: there is no file " + dir.resolve("Missing.java"))
        .endsWith("give a .java file relative to run.yaml's folder, or a scenario class name");
    assertThat(
            problems(
                """
                name: one
                phases: [{name: hold, duration: 1s, users: 1}]
                scenario: com.example.NoSuchScenario
                """))
        .isEqualTo(
            "run.yaml:3:11: scenario: there is no class com.example.NoSuchScenario on the class"
                + " path; give a .java file (Checkout.java) or a fully qualified class name");
  }

  @Test
  void a_file_that_is_not_utf8_text_is_named_with_the_position_of_the_first_bad_byte()
      throws IOException {
    byte[] latin1 =
        "name: caf\u00e9\nphases: []\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(problems(latin1))
        .isEqualTo(
            dir.resolve("run.yaml")
                + ":1:10: byte 0xE9 is not UTF-8; save the"
                + " run file as UTF-8");
    byte[] binary = {'n', 'a', 'm', 'e', ':', ' ', 0, 1, 2, (byte) 0xff};
    assertThat(problems(binary))
        .startsWith(
            dir.resolve("run.yaml")
                + ":1:7: byte 0x00 is a control character:"
                + " this is not a text file");
  }

  @Test
  void a_file_without_problems_loads() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("ok.yaml"),
            "name: ok\nscenario: Checkout.java\n"
                + "phases: [{name: hold, duration: 1s, users: 1}]\n");
    Files.writeString(dir.resolve("Checkout.java"), "public class Checkout {}");
    RunYaml.Loaded loaded = RunYaml.load(file, Set.of());
    assertThat(loaded.reader().problems().isEmpty()).isTrue();
    assertThat(loaded.scenario()).isEqualTo("Checkout.java");
  }

  @Test
  void pace_is_read_for_closed_model_phases_and_refused_beside_a_rate_or_a_think_time()
      throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("paced.yaml"),
            """
            name: paced
            phases: [{name: hold, duration: 1s, users: 2, pace: 250ms}]
            """);
    RunYaml.Loaded loaded = RunYaml.load(file, Set.of());
    loaded.reader().problems().throwIfAny();
    assertThat(loaded.config().phases().getFirst().thinkTime())
        .isEqualTo(new dev.grindstone.engine.run.ThinkTime.Pace(java.time.Duration.ofMillis(250)));

    assertThat(
            problems(
                """
                name: bad
                scenario: Checkout.java
                phases:
                  - {name: open, duration: 1s, rate: 5, pace: 1s}
                  - {name: both, duration: 1s, users: 1, pace: 1s, think_time: 1s}
                """))
        .contains(
            "run.yaml:4:5: phases[0]: Phase 'open': pace sets when a closed-model user starts each"
                + " iteration")
        .contains(
            "give think_time (a pause after each iteration) or pace (iterations on a fixed"
                + " schedule), not both");
  }

  @Test
  void listeners_and_sink_retry_are_read_with_a_relative_sqlite_file_next_to_the_run_file()
      throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("db.yaml"),
            """
            name: db
            phases: [{name: hold, duration: 1s, users: 1}]
            listeners:
              - {name: local, jdbc: "jdbc:sqlite:results/calls.db", table: calls_log, batch_size: 50}
              - {jdbc: "jdbc:postgresql://127.0.0.1:5432/load", user: grindstone}
            sink_retry: {max_consecutive_failures: 3, backoff: 50ms, max_backoff: 1s}
            """);
    RunYaml.Loaded loaded = RunYaml.load(file, Set.of());
    assertThat(loaded.reader().problems().all()).isEmpty();
    var config = loaded.config().build();
    assertThat(config.jdbcListeners())
        .containsExactly(
            new dev.grindstone.engine.run.JdbcListenerConfig(
                "local",
                "jdbc:sqlite:" + dir.toAbsolutePath().resolve("results/calls.db"),
                null,
                null,
                "calls_log",
                50),
            new dev.grindstone.engine.run.JdbcListenerConfig(
                "jdbc", "jdbc:postgresql://127.0.0.1:5432/load", "grindstone", null, "calls", 500));
    assertThat(config.sinkRetry())
        .isEqualTo(
            new dev.grindstone.engine.run.SinkRetry(
                3, java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(1)));
  }

  @Test
  void listener_mistakes_are_reported_with_their_position() throws IOException {
    assertThat(
            problems(
                """
                name: db
                phases: [{name: hold, duration: 1s, users: 1}]
                listeners:
                  - {name: db, table: calls}
                  - {jdbc: "mysql://x", table: "drop table"}
                  - {jdbc: "jdbc:sqlite:x.db", password_env: GRINDSTONE_NO_SUCH_VARIABLE, tabel: x}
                sink_retry: {max_consecutive_failures: 0}
                """))
        .contains("run.yaml:4:5: listeners[0].jdbc: is required")
        .contains(
            "needs a JDBC URL (jdbc:sqlite:calls.db, jdbc:postgresql://host/db), got 'mysql://x'")
        .contains("unknown field 'tabel'; did you mean 'table'?")
        .contains("the environment variable GRINDSTONE_NO_SUCH_VARIABLE is not set")
        .contains("run.yaml:7:40: sink_retry.max_consecutive_failures: must be at least 1, got 0");
  }

  private RunYaml.Loaded load(String yaml) throws IOException {
    Path file = Files.writeString(dir.resolve("run.yaml"), yaml);
    RunYaml.Loaded loaded =
        RunYaml.load(file, Set.of("requests"), Set.of("requests", "iterate_through_requests"));
    loaded.reader().problems().throwIfAny();
    return loaded;
  }

  @Test
  void gradual_s_run_file_is_read_as_gradual_reads_it() throws IOException {
    // gradual's own example (examples/fastapi_app/stress_test_configs/test_config.yaml), verbatim
    RunYaml.Loaded loaded =
        load(
            """
            runs:
              name: "Test Run"
              wait_between_phases: 10
              phases:
                "phase1":
                  scenarios:
                    "scenario1":
                      requests:
                        - "request1"
                        - "request2"
                      min_concurrency: 1
                      max_concurrency: 10
                      ramp_up_multiply:
                        - 1
                        - 2
                        - 3
                      ramp_up_wait:
                        - 1
                        - 2
                        - 3
                      iterate_through_requests: true
                    "scenario2":
                      requests:
                        - "request3"
                      min_concurrency: 1
                      max_concurrency: 10
                      ramp_up_multiply: 1
                      ramp_up_wait: 1
                      iterate_through_requests: true
                  run_time: 10
            """);
    RunConfig config = loaded.config().build();
    assertThat(loaded.gradual()).isTrue();
    assertThat(config.name()).isEqualTo("Test-Run");
    assertThat(config.waitBetweenPhases()).isEqualTo(Duration.ofSeconds(10));
    Phase phase = config.phases().getFirst();
    assertThat(phase.name()).isEqualTo("phase1");
    assertThat(phase.duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(phase.scenarios())
        .extracting(ScenarioLoad::scenario)
        .containsExactly("scenario1", "scenario2");
    assertThat(phase.scenarios().get(0).shape())
        .isEqualTo(
            new LoadShape.Steps(
                1,
                10,
                null,
                List.of(1.0, 2.0, 3.0),
                List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3)),
                false));
    assertThat(((LoadShape.Steps) phase.scenarios().get(1).shape()).schedule())
        .as("multiplying by 1 keeps 1 user")
        .hasSize(1);
    assertThat(loaded.scenarioEntries().get("scenario2").getFirst().get("requests")).isNotNull();
  }

  @Test
  void in_gradual_s_form_a_scenario_without_ramp_up_stays_at_min_concurrency() throws IOException {
    RunYaml.Loaded loaded =
        load(
            """
            runs:
              name: plain
              phases:
                one: {run_time: 2, scenarios: {s: {requests: [a], min_concurrency: 3, max_concurrency: 9, run_once: true}}}
            """);
    LoadShape.Steps steps =
        (LoadShape.Steps)
            loaded.config().build().phases().getFirst().scenarios().getFirst().shape();
    assertThat(steps.runOnce()).isTrue();
    assertThat(steps.usersAt(Duration.ofSeconds(2), Duration.ofSeconds(2))).isEqualTo(3);
  }

  @Test
  void phases_share_their_users_among_weighted_scenarios_and_thresholds_select_a_scenario()
      throws IOException {
    Files.writeString(dir.resolve("Browse.java"), "public class Browse {}");
    RunYaml.Loaded loaded =
        load(
            """
            name: shop
            thresholds: ["p99<1s", {threshold: "p95<300ms", scenario: checkout}, "scenario browse: errors<1%"]
            phases:
              - name: mixed
                duration: 30s
                users: 40
                think_time: 1s
                scenarios:
                  browse: {weight: 3, scenario: Browse.java}
                  checkout: {weight: 1, scenario: Browse.java, pace: 2s, iterations: 5}
                  admin: {users: 1, scenario: Browse.java}
            """);
    RunConfig config = loaded.config().build();
    assertThat(config.scenarioNames()).containsExactly("browse", "checkout", "admin");
    List<Phase.Load> loads = config.phases().getFirst().loads();
    assertThat(loads).extracting(l -> l.of(40)).containsExactly(30, 10, 40);
    assertThat(loads.get(1).thinkTime()).isEqualTo(new ThinkTime.Pace(Duration.ofSeconds(2)));
    assertThat(loads.get(0).thinkTime()).isEqualTo(new ThinkTime.Constant(Duration.ofSeconds(1)));
    assertThat(loads.get(1).iterations()).isEqualTo(5);
    assertThat(loads.get(2).shape()).isEqualTo(new LoadShape.Constant(1));
    assertThat(config.thresholds())
        .extracting(Threshold::text, Threshold::scenario)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("p99<1s", null),
            org.assertj.core.groups.Tuple.tuple("scenario checkout: p95<300ms", "checkout"),
            org.assertj.core.groups.Tuple.tuple("scenario browse: errors<1%", "browse"));
  }

  @Test
  void gradual_keys_that_are_not_supported_say_so_and_scenario_mistakes_name_their_place()
      throws IOException {
    String message =
        problems(
            """
            target: {base_url: "https://httpbin.org"}
            runs:
              name: r
              websocket_config: {max_messages: 1}
              thresholds: [{threshold: "p99<1s", scenario: nobody}]
              phases:
                one:
                  run_time: 5
                  scenarios:
                    a: {min_concurrency: 1, max_concurrency: 2, weigth: 2}
                    b: {}
            """);
    assertThat(message)
        .contains(
            "run.yaml:1:9: target: gradual's key 'target' is not supported: the form of gradual's"
                + " getting-started page")
        .contains(
            "run.yaml:4:21: runs.websocket_config: gradual's key 'websocket_config' is not"
                + " supported: gradual's WebSocket requests")
        .contains(
            "run.yaml:10:61: runs.phases.one.scenarios.a.weigth: unknown field 'weigth'; did you"
                + " mean 'weight'?")
        .contains(
            "run.yaml:11:12: runs.phases.one.scenarios.b: says nothing of its load, and neither"
                + " does phase 'one'")
        .contains(
            "run.yaml:5:48: runs.thresholds[0].scenario: no phase runs a scenario called 'nobody'");
  }
}
