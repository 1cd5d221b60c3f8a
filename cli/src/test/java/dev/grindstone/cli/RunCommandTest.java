package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {

  static final Path EXAMPLES = Path.of("..", "examples");

  @TempDir Path out;

  private Path onlyResultsFolder() throws IOException {
    try (Stream<Path> s = Files.list(out)) {
      List<Path> dirs = s.toList();
      assertThat(dirs).hasSize(1);
      return dirs.getFirst();
    }
  }

  @Test
  void a_java_scenario_file_is_compiled_and_run_with_command_line_overrides() throws IOException {
    CliRunner.Result r =
        CliRunner.run(
            "run",
            EXAMPLES.resolve("Hello.java").toString(),
            "--users",
            "3",
            "--duration",
            "1500ms",
            "--out",
            out.toString(),
            "--period",
            "500ms");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Test 1")
        .contains("\"Compute\"")
        .contains("Items (mean)")
        .contains("All thresholds passed.");
    Path results = onlyResultsFolder();
    assertThat(results.getFileName().toString()).startsWith("Hello-");
    for (String f :
        List.of("summary.txt", "data.csv", "latency.hlog", "results.json", "report.html")) {
      assertThat(results.resolve(f)).isNotEmptyFile();
    }
  }

  @Test
  void the_example_run_file_runs_its_three_kinds_of_phase() throws IOException {
    CliRunner.Result r =
        CliRunner.run("run", EXAMPLES.resolve("run.yaml").toString(), "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    String summary = Files.readString(onlyResultsFolder().resolve("summary.txt"));
    assertThat(summary).contains("steps").contains("hold").contains("open");
  }

  @Test
  void a_run_files_jdbc_listener_writes_every_call_into_a_sqlite_table_next_to_it()
      throws Exception {
    Path dir = Files.createDirectories(out.resolve("project"));
    Files.copy(EXAMPLES.resolve("Hello.java"), dir.resolve("Hello.java"));
    Path runFile =
        Files.writeString(
            dir.resolve("calls.yaml"),
            """
            name: calls
            scenario: Hello.java
            phases: [{name: hold, iterations: 5, users: 2}]
            listeners: [{name: db, jdbc: "jdbc:sqlite:calls.db", table: hello_calls, batch_size: 3}]
            """);
    CliRunner.Result r =
        CliRunner.run("run", runFile.toString(), "--out", out.resolve("results").toString());
    assertThat(r.exitCode()).as(r.err()).isIn(0, 99);
    Path results;
    try (Stream<Path> s = Files.list(out.resolve("results"))) {
      results = s.findFirst().orElseThrow();
    }
    JsonNode totals =
        new ObjectMapper().readTree(results.resolve("results.json").toFile()).get("totals");
    long calls = totals.get("tests").asLong() + totals.get("errors").asLong();
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("calls.db"));
        var rows =
            c.createStatement()
                .executeQuery(
                    "SELECT COUNT(*), SUM(outcome = 'ERROR'), COUNT(DISTINCT user_number) FROM"
                        + " hello_calls")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(calls).isEqualTo(20);
      assertThat(rows.getLong(2)).isEqualTo(totals.get("errors").asLong());
      assertThat(rows.getLong(3)).isEqualTo(2);
    }
  }

  @Test
  void grinder_properties_run_with_processes_times_threads_users_and_a_stepped_ramp()
      throws IOException {
    CliRunner.Result r =
        CliRunner.run(
            "run", EXAMPLES.resolve("grinder.properties").toString(), "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("users 6").contains("\"Compute\"");
    assertThat(onlyResultsFolder().getFileName().toString()).startsWith("grinder-");
  }

  @Test
  void grinder_properties_warn_of_unsupported_keys_and_can_report_untimed_tests()
      throws IOException {
    Files.copy(EXAMPLES.resolve("Hello.java"), out.resolve("Hello.java"));
    Path props =
        Files.writeString(
            out.resolve("untimed.properties"),
            """
            grinder.script = Hello.java
            grinder.runs = 3
            grinder.reportTimesToConsole = false
            grinder.useConsole = false
            """);
    CliRunner.Result r =
        CliRunner.run("run", props.toString(), "--out", out.resolve("results").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err())
        .contains(
            "grindstone run: warning: untimed.properties:4: grinder.useConsole is not"
                + " supported by Grindstone and is ignored");
    assertThat(r.out()).contains("Test 1       3            0            -            -");
  }

  @Test
  void a_grinder_script_that_is_not_java_is_a_clear_error() throws IOException {
    Path props = out.resolve("grinder.properties");
    Files.writeString(props, "grinder.script = grinder.py\ngrinder.threads = two\n");
    CliRunner.Result r = CliRunner.run("run", props.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("grinder.threads: 'two' is not a whole number")
        .contains("is not a Java scenario");
  }

  @Test
  void hellos_look_up_is_never_timed_below_its_one_millisecond_sleep_when_users_stop()
      throws IOException {
    Path yaml = out.resolve("hello-stop.yaml");
    Files.writeString(
        yaml,
        "name: hello-stop\nscenario: "
            + EXAMPLES.resolve("Hello.java").toAbsolutePath()
            + "\nphases:\n  - {name: hold, duration: 800ms, users: 8}\n"
            + "  - {name: ramp down, duration: 400ms, users: {from: 8, to: 0}}\n");
    CliRunner.Result r =
        CliRunner.run("run", yaml.toString(), "--out", out.resolve("results").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    Path results;
    try (Stream<Path> s = Files.list(out.resolve("results"))) {
      results = s.findFirst().orElseThrow();
    }
    JsonNode lookUp =
        new ObjectMapper().readTree(results.resolve("results.json").toFile()).at("/tests/1");
    assertThat(lookUp.get("description").asText()).isEqualTo("Look up");
    assertThat(lookUp.get("tests").asLong()).isPositive();
    assertThat(lookUp.get("min").asDouble()).as("Look up sleeps 1 ms").isGreaterThanOrEqualTo(1.0);
    assertThat(lookUp.get("failedCalls").asLong() + lookUp.get("tests").asLong()).isPositive();
    List<String> rows = Files.readAllLines(results.resolve("data.csv"));
    assertThat(
            rows.stream()
                .skip(1)
                .map(l -> l.split(", *", -1))
                .filter(f -> f[2].equals("2"))
                .filter(f -> !f[4].isEmpty())
                .map(f -> Double.parseDouble(f[4])))
        .as("every Look up row, failed ones included")
        .isNotEmpty()
        .allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(1.0));
  }

  @Test
  void a_failed_threshold_gives_exit_code_99() {
    CliRunner.Result r =
        CliRunner.run(
            "run",
            EXAMPLES.resolve("Hello.java").toString(),
            "--users",
            "1",
            "--duration",
            "500ms",
            "--out",
            out.toString(),
            "--threshold",
            "p50<0.001ms");
    assertThat(r.exitCode()).isEqualTo(99);
    assertThat(r.out()).contains("FAIL  p50<0.001ms").contains("Some thresholds failed.");
  }

  @Test
  void a_scenario_that_does_not_compile_is_reported_with_its_line() throws IOException {
    Path bad = out.resolve("Broken.java");
    Files.writeString(
        bad,
        """
        import dev.grindstone.engine.*;
        public class Broken implements Scenario {
          public void iteration(VirtualUser user) { undefinedCall(); }
        }
        """);
    CliRunner.Result r = CliRunner.run("run", bad.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("Broken.java:3:")
        .contains("does not compile")
        .doesNotContain("\tat ");
  }

  @Test
  void run_file_errors_name_file_line_column_and_field_all_at_once() throws IOException {
    Path yaml = out.resolve("bad.yaml");
    Files.writeString(
        yaml,
        """
        name: bad
        scenario: Hello.java
        thresholds: ["p99 under 5"]
        phases:
          - name: one
            duration: 10 parsecs
            users: 5
          - name: two
            duration: 5s
            userz: 3
        """);
    CliRunner.Result r = CliRunner.run("run", yaml.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("bad.yaml:3:14: thresholds[0]: Threshold 'p99 under 5' is not understood")
        .contains("bad.yaml:6:15: phases[0].duration: expected a duration")
        .contains("bad.yaml:10:12: phases[1].userz: unknown field 'userz'; did you mean 'users'?")
        .contains("phases[1]: says nothing of the load");
  }

  @Test
  void a_run_file_naming_a_missing_scenario_is_reported_at_its_scenario_key() throws IOException {
    Path yaml = out.resolve("missing.yaml");
    Files.writeString(
        yaml,
        "name: missing\nscenario: Nowhere.java\nphases: [{name: hold, duration: 1s, users: 1}]\n");
    CliRunner.Result r =
        CliRunner.run("run", yaml.toString(), "--out", out.resolve("results").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("missing.yaml:2:11: scenario: there is no file ")
        .contains("Nowhere.java")
        .doesNotContain("\tat ");
    assertThat(out.resolve("results")).doesNotExist();
  }

  @Test
  void a_missing_file_is_a_clear_error() {
    CliRunner.Result r = CliRunner.run("run", out.resolve("nope.yaml").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("There is no run file");
  }
}
