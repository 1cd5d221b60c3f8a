package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.demo.DemoService;
import dev.grindstone.http.load.HttpFlowScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grindstone run} of run files with several scenarios, gradual's two files among them,
 * against the demo.
 */
class ScenariosCommandTest {

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

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  private Path requestConfig() throws Exception {
    return write(
        "request_config.yaml",
        """
        requests:
          "ping": {url: "%1$s/ping", method: "GET", expected_response_time: 1, auth: null}
          "login":
            url: "%1$s/shop/login"
            method: "POST"
            expected_response_time: 1
            params: {username: "ann", password: "secret"}
        """
            .formatted(demo.url()));
  }

  private String summary(Path out) throws Exception {
    try (Stream<Path> s = Files.list(out)) {
      return Files.readString(s.findFirst().orElseThrow().resolve("summary.txt"));
    }
  }

  @Test
  void gradual_s_test_and_request_files_run_and_a_threshold_of_one_scenario_sets_the_exit_code()
      throws Exception {
    Path requests = requestConfig();
    Path test =
        write(
            "test_config.yaml",
            """
            runs:
              name: "Two scenarios"
              wait_between_phases: 0
              thresholds: ["errors==0", {threshold: "tps<0.001", scenario: logins}]
              phases:
                "phase1":
                  run_time: 1
                  scenarios:
                    "pings": {requests: ["ping"], min_concurrency: 2, max_concurrency: 2}
                    "logins": {requests: ["login"], min_concurrency: 1, max_concurrency: 1}
            """);
    Path out = dir.resolve("out");
    CliRunner.Result r =
        CliRunner.run(
            "run",
            test.toString(),
            "--request-config",
            requests.toString(),
            "--out",
            out.toString(),
            "--period",
            "250ms");
    assertThat(r.exitCode()).as(r.err() + r.out()).isEqualTo(99);
    assertThat(r.out()).contains("(pings 2, logins 1)");
    String summary = summary(out);
    assertThat(summary)
        .contains("Scenario pings (at most 2 users)", "Scenario logins (at most 1 user)")
        .contains("FAIL  scenario logins: tps<0.001 logins: Totals");
    assertThat(summary).containsPattern("PASS  errors==0 +Totals");
  }

  @Test
  void the_example_run_file_runs_two_java_scenarios_at_once() throws Exception {
    Path out = dir.resolve("out");
    CliRunner.Result r =
        CliRunner.run(
            "run", Path.of("..", "examples", "scenarios.yaml").toString(), "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("(browse 6, hello 2)");
    String summary = summary(out);
    assertThat(summary)
        .containsPattern("Scenario browse \\(at most ([6-9]|\\d\\d) users\\)")
        .contains("Scenario hello (at most 2 users)")
        .contains("\"Browse\"", "\"Compute\"")
        .contains("All thresholds passed.");
  }

  @Test
  void options_that_replace_the_phases_and_scenarios_that_run_nothing_are_refused()
      throws Exception {
    Path requests = requestConfig();
    Path test =
        write(
            "test_config.yaml",
            """
            runs:
              name: r
              phases:
                p: {run_time: 1, scenarios: {s: {requests: [ping], min_concurrency: 1, max_concurrency: 1}}}
            """);
    CliRunner.Result users =
        CliRunner.run(
            "run", test.toString(), "--request-config", requests.toString(), "--users", "5");
    assertThat(users.exitCode()).isEqualTo(2);
    assertThat(users.err()).contains("--users, --duration and --rate replace the phases");
    Path nothing =
        write(
            "nothing.yaml",
            """
            name: nothing
            phases: [{name: p, duration: 1s, scenarios: {idle: {users: 1}}}]
            """);
    CliRunner.Result none = CliRunner.run("run", nothing.toString());
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err())
        .contains(
            "nothing.yaml:2:52: phases[0].scenarios.idle: says nothing of what scenario"
                + " 'idle' runs");
  }

  @Test
  void an_agent_s_share_of_a_run_of_several_scenarios_keeps_its_rows_of_each_queue_feeder()
      throws Exception {
    write("users.csv", "name\nann\nbob\ncy\ndee\neve\n");
    Path file =
        write(
            "shares.yaml",
            """
            name: shares
            base_url: %s
            feeders: [{csv: users.csv, mode: queue}]
            requests: {home: {url: "/ping?u=${name}"}}
            phases:
              - name: p
                duration: 1s
                scenarios:
                  browse: {users: 2, flow: [home]}
                  buy: {users: 2, flow: [home]}
            """
                .formatted(demo.url()));
    RunCommand command = new RunCommand();
    command.target = file.toString();
    command.shard = new dev.grindstone.engine.run.Shard(1, 2);
    RunCommand.Plan plan = command.loadPlan();
    try {
      for (var e : plan.named().entrySet()) {
        var rows = ((HttpFlowScenario) e.getValue()).reserveQueueRows(e.getKey(), 0);
        assertThat(rows)
            .singleElement()
            .satisfies(
                r -> {
                  assertThat(r.key())
                      .isEqualTo("queue feeder 'users.csv' of scenario '" + e.getKey() + "'");
                  assertThat(r.end()).as("rows 1 and 3 of 5 are agent 1's").isEqualTo(2);
                });
      }
    } finally {
      RunCommand.closeScenarios(plan.scenarios());
    }
  }
}
