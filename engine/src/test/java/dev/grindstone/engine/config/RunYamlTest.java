package dev.grindstone.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    BadInputException e = catchThrowableOfType(BadInputException.class, () -> {
      RunYaml.Loaded loaded = RunYaml.load(file, Set.of());
      loaded.reader().problems().throwIfAny();
    });
    assertThat(e).as("a problem is reported").isNotNull();
    return e.getMessage();
  }

  @Test
  void a_key_given_twice_is_reported_with_both_positions() throws IOException {
    assertThat(problems("""
        name: one
        scenario: Checkout.java
        name: two
        phases: [{name: hold, duration: 1s, users: 1}]
        """)).isEqualTo("run.yaml:3:1: name: is given twice, at 1:1 and at 3:1; keep one");
  }

  @Test
  void a_key_given_twice_in_a_nested_mapping_names_its_path_and_every_repeat() throws IOException {
    String message = problems("""
        name: one
        scenario: Checkout.java
        phases:
          - name: hold
            duration: 1s
            users: 1
            duration: 2s
          - {name: open, rate: 5, rate: 6, duration: 1s, rate: 7}
        """);
    assertThat(message).contains("3 problems")
        .contains("run.yaml:7:5: phases[0].duration: is given twice, at 5:5 and at 7:5; keep one")
        .contains("run.yaml:8:27: phases[1].rate: is given twice, at 8:18 and at 8:27; keep one")
        .contains("run.yaml:8:50: phases[1].rate: is given twice, at 8:18 and at 8:50; keep one");
  }

  @Test
  void a_tab_used_for_indentation_is_reported_where_it_is() throws IOException {
    assertThat(problems("name: one\nscenario: Checkout.java\nphases:\n\t- {name: hold, duration: 1s, users: 1}\n"))
        .startsWith("run.yaml:4:1: not valid YAML: found character '\\t(TAB)' that cannot start any token");
    assertThat(problems("name: one\nscenario: Checkout.java\nphases:\n  - name: hold\n  \tduration: 1s\n"))
        .startsWith("run.yaml:5:3: not valid YAML:");
  }

  @Test
  void other_syntax_errors_are_reported_at_the_scanners_position_too() throws IOException {
    assertThat(problems("name: one\nphases: [{name: hold, duration: 1s\n")).startsWith("run.yaml:3:1: not valid YAML:");
  }

  @Test
  void a_missing_scenario_file_or_class_is_reported_at_the_scenario_key() throws IOException {
    assertThat(problems("""
        name: one
        scenario:   Missing.java
        phases: [{name: hold, duration: 1s, users: 1}]
        """)).startsWith("run.yaml:2:13: scenario: there is no file " + dir.resolve("Missing.java"))
        .endsWith("give a .java file relative to run.yaml's folder, or a scenario class name");
    assertThat(problems("""
        name: one
        phases: [{name: hold, duration: 1s, users: 1}]
        scenario: com.example.NoSuchScenario
        """)).isEqualTo("run.yaml:3:11: scenario: there is no class com.example.NoSuchScenario on the class"
            + " path; give a .java file (Checkout.java) or a fully qualified class name");
  }

  @Test
  void a_file_that_is_not_utf8_text_is_named_with_the_position_of_the_first_bad_byte() throws IOException {
    byte[] latin1 = "name: caf\u00e9\nphases: []\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(problems(latin1)).isEqualTo(dir.resolve("run.yaml") + ":1:10: byte 0xE9 is not UTF-8; save the"
        + " run file as UTF-8");
    byte[] binary = {'n', 'a', 'm', 'e', ':', ' ', 0, 1, 2, (byte) 0xff};
    assertThat(problems(binary)).startsWith(dir.resolve("run.yaml") + ":1:7: byte 0x00 is a control character:"
        + " this is not a text file");
  }

  @Test
  void a_file_without_problems_loads() throws IOException {
    Path file = Files.writeString(dir.resolve("ok.yaml"), "name: ok\nscenario: Checkout.java\n"
        + "phases: [{name: hold, duration: 1s, users: 1}]\n");
    Files.writeString(dir.resolve("Checkout.java"), "public class Checkout {}");
    RunYaml.Loaded loaded = RunYaml.load(file, Set.of());
    assertThat(loaded.reader().problems().isEmpty()).isTrue();
    assertThat(loaded.scenario()).isEqualTo("Checkout.java");
  }

  @Test
  void pace_is_read_for_closed_model_phases_and_refused_beside_a_rate_or_a_think_time() throws IOException {
    Path file = Files.writeString(dir.resolve("paced.yaml"), """
        name: paced
        phases: [{name: hold, duration: 1s, users: 2, pace: 250ms}]
        """);
    RunYaml.Loaded loaded = RunYaml.load(file, Set.of());
    loaded.reader().problems().throwIfAny();
    assertThat(loaded.config().phases().getFirst().pace()).isEqualTo(java.time.Duration.ofMillis(250));

    assertThat(problems("""
        name: bad
        scenario: Checkout.java
        phases:
          - {name: open, duration: 1s, rate: 5, pace: 1s}
          - {name: both, duration: 1s, users: 1, pace: 1s, think_time: 1s}
        """)).contains("run.yaml:4:5: phases[0]: Phase 'open': pace sets when a closed-model user starts each"
            + " iteration")
        .contains("run.yaml:5:5: phases[1]: Phase 'both': give pace or think_time, not both");
  }

  @Test
  void listeners_and_sink_retry_are_read_with_a_relative_sqlite_file_next_to_the_run_file() throws IOException {
    Path file = Files.writeString(dir.resolve("db.yaml"), """
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
    assertThat(config.jdbcListeners()).containsExactly(
        new dev.grindstone.engine.run.JdbcListenerConfig("local",
            "jdbc:sqlite:" + dir.toAbsolutePath().resolve("results/calls.db"), null, null, "calls_log", 50),
        new dev.grindstone.engine.run.JdbcListenerConfig("jdbc", "jdbc:postgresql://127.0.0.1:5432/load",
            "grindstone", null, "calls", 500));
    assertThat(config.sinkRetry()).isEqualTo(new dev.grindstone.engine.run.SinkRetry(3,
        java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(1)));
  }

  @Test
  void listener_mistakes_are_reported_with_their_position() throws IOException {
    assertThat(problems("""
        name: db
        phases: [{name: hold, duration: 1s, users: 1}]
        listeners:
          - {name: db, table: calls}
          - {jdbc: "mysql://x", table: "drop table"}
          - {jdbc: "jdbc:sqlite:x.db", password_env: GRINDSTONE_NO_SUCH_VARIABLE, tabel: x}
        sink_retry: {max_consecutive_failures: 0}
        """))
        .contains("run.yaml:4:5: listeners[0].jdbc: is required")
        .contains("needs a JDBC URL (jdbc:sqlite:calls.db, jdbc:postgresql://host/db), got 'mysql://x'")
        .contains("unknown field 'tabel'; did you mean 'table'?")
        .contains("the environment variable GRINDSTONE_NO_SUCH_VARIABLE is not set")
        .contains("run.yaml:7:40: sink_retry.max_consecutive_failures: must be at least 1, got 0");
  }
}
