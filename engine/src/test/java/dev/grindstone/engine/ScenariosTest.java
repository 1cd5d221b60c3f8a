package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScenarioLoad;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.stats.results.TestFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

class ScenariosTest {

  static final Test BROWSE = new Test(1, "Browse");
  static final Test BUY = new Test(2, "Buy");
  static final Test PING = new Test(3, "Ping");

  private static RunConfig.Builder quiet(String name) {
    return RunConfig.builder(name)
        .outputRoot(null)
        .console(false)
        .period(Duration.ofMillis(100))
        .gracefulStop(Duration.ofSeconds(2));
  }

  @org.junit.jupiter.api.Test
  void scenarios_of_a_phase_share_its_users_by_weight_and_keep_figures_of_their_own() {
    Set<String> usersOfA = ConcurrentHashMap.newKeySet();
    Set<String> usersOfB = ConcurrentHashMap.newKeySet();
    RunConfig config =
        quiet("shared")
            .phase(
                Phase.hold("hold", Duration.ofMillis(700), 4)
                    .withThinkTime(new ThinkTime.Constant(Duration.ofMillis(5)))
                    .withScenario(ScenarioLoad.of("browse").withWeight(3))
                    .withScenario(ScenarioLoad.of("buy")))
            .build();
    RunSummary s =
        Run.of(
                config,
                Map.of(
                    "browse",
                        (Scenario)
                            user -> {
                              usersOfA.add(user.scenario() + user.number());
                              BROWSE.record(() -> {});
                              PING.record(() -> {});
                            },
                    "buy",
                        (Scenario)
                            user -> {
                              usersOfB.add(user.scenario() + user.number());
                              BUY.record(() -> {});
                              PING.record(() -> {});
                            }))
            .execute();

    assertThat(usersOfA).as("3 of 4 users browse").hasSize(3).allMatch(u -> u.startsWith("browse"));
    assertThat(usersOfB).as("1 of 4 users buys").hasSize(1).allMatch(u -> u.startsWith("buy"));
    assertThat(s.scenarios()).extracting(ScenarioResult::name).containsExactly("browse", "buy");
    ScenarioResult browse = s.scenarios().get(0);
    ScenarioResult buy = s.scenarios().get(1);
    assertThat(browse.users()).isEqualTo(3);
    assertThat(buy.users()).isEqualTo(1);
    assertThat(browse.tests()).extracting(TestFigures::test).containsExactly(1, 3);
    assertThat(buy.tests()).extracting(TestFigures::test).containsExactly(2, 3);
    TestFigures ping = s.tests().stream().filter(t -> t.test() == 3).findFirst().orElseThrow();
    assertThat(ping.tests())
        .as("a test's figures merge its scenarios'")
        .isEqualTo(browse.tests().get(1).tests() + buy.tests().get(1).tests());
    assertThat(ping.successes().getTotalCount()).isEqualTo(ping.tests());
    assertThat(s.totals().tests()).isEqualTo(browse.totals().tests() + buy.totals().tests());
    assertThat(browse.totals().tests())
        .as("three users browse, one buys")
        .isGreaterThan(buy.totals().tests());
  }

  @org.junit.jupiter.api.Test
  void summary_results_json_report_and_data_log_show_each_scenario_and_a_run_of_one_shows_none(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    RunConfig config =
        quiet("files")
            .outputRoot(dir)
            .phase(
                Phase.of(
                    "once",
                    null,
                    ScenarioLoad.of("browse").users(2).withIterations(3),
                    ScenarioLoad.of("buy").users(1).withIterations(2)))
            .build();
    RunSummary s =
        Run.of(
                config,
                Map.of(
                    "browse", (Scenario) user -> BROWSE.record(() -> {}),
                    "buy", (Scenario) user -> BUY.record(() -> {})))
            .execute();
    java.nio.file.Path out = s.info().outputDirectory();
    String summary = java.nio.file.Files.readString(out.resolve("summary.txt"));
    assertThat(summary)
        .contains("Scenario browse (at most 2 users)\n", "Scenario buy (at most 1 user)\n");
    String browseSection =
        summary.substring(summary.indexOf("Scenario browse"), summary.indexOf("Scenario buy"));
    assertThat(browseSection).contains("Test 1").doesNotContain("Test 2");
    var json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(out.resolve("results.json").toFile());
    assertThat(json.path("scenarios")).hasSize(2);
    assertThat(json.path("scenarios").get(0).path("name").asText()).isEqualTo("browse");
    assertThat(json.path("scenarios").get(0).path("totals").path("tests").asLong()).isEqualTo(6);
    assertThat(json.path("scenarios").get(1).path("tests").get(0).path("test").asInt())
        .isEqualTo(2);
    assertThat(json.path("intervals").get(0).path("scenarios")).hasSize(2);
    assertThat(java.nio.file.Files.readString(out.resolve("report.html")))
        .contains("\"scenarios\"");
    java.nio.file.Path csv = out.resolve("data.csv");
    List<String> lines = java.nio.file.Files.readAllLines(csv);
    assertThat(lines.getFirst())
        .isEqualTo("Thread, Run, Test, Start time (ms since Epoch), Test time, Errors, Scenario");
    Map<String, Map<Integer, Long>> calls = new java.util.TreeMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] v = line.split(", ");
      calls
          .computeIfAbsent(v[v.length - 1], k -> new java.util.TreeMap<>())
          .merge(Integer.parseInt(v[2]), 1L, Long::sum);
    }
    for (ScenarioResult r : s.scenarios()) {
      Map<Integer, Long> expected = new java.util.TreeMap<>();
      r.tests().forEach(t -> expected.put(t.test(), t.tests() + t.errors()));
      assertThat(calls.get(r.name())).as(r.name() + "'s calls by test").isEqualTo(expected);
    }
    var analyzer = dev.grindstone.engine.analyze.DataLogAnalyzer.create();
    analyzer.add(csv);
    assertThat(analyzer.analyze(java.util.OptionalLong.empty()).totals().tests())
        .as("grindstone analyze reads the Scenario column as a registered one")
        .isEqualTo(s.totals().tests());

    RunSummary one =
        Run.of(
                quiet("one")
                    .outputRoot(dir)
                    .phase(new Phase("once", null, new LoadShape.Constant(1), null, null, 2, null))
                    .build(),
                user -> BROWSE.record(() -> {}))
            .execute();
    var oneJson =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(one.info().outputDirectory().resolve("results.json").toFile());
    assertThat(oneJson.has("scenarios")).isFalse();
    assertThat(oneJson.path("intervals").get(0).has("scenarios")).isFalse();
    assertThat(java.nio.file.Files.readString(one.info().outputDirectory().resolve("summary.txt")))
        .doesNotContain("Scenario ");
    assertThat(
            java.nio.file.Files.readAllLines(one.info().outputDirectory().resolve("data.csv"))
                .getFirst())
        .as("a run of one scenario keeps The Grinder's columns")
        .isEqualTo("Thread, Run, Test, Start time (ms since Epoch), Test time, Errors");
  }

  @org.junit.jupiter.api.Test
  void each_scenario_makes_its_own_iterations_and_the_phase_ends_when_all_are_done() {
    RunConfig config =
        quiet("iterations")
            .phase(
                Phase.of(
                    "once",
                    null,
                    ScenarioLoad.of("a").users(2).withIterations(3),
                    ScenarioLoad.of("b").users(1).withIterations(5)))
            .build();
    RunSummary s =
        Run.of(
                config,
                Map.of(
                    "a", (Scenario) user -> BROWSE.record(() -> {}),
                    "b", (Scenario) user -> BUY.record(() -> {})))
            .execute();
    assertThat(s.scenarios().get(0).totals().tests()).isEqualTo(6);
    assertThat(s.scenarios().get(1).totals().tests()).isEqualTo(5);
    assertThat(s.totals().tests()).isEqualTo(11);
  }

  @org.junit.jupiter.api.Test
  void a_closed_and_an_open_scenario_run_side_by_side() {
    RunConfig config =
        quiet("mixed")
            .phase(
                Phase.of(
                    "mixed",
                    Duration.ofMillis(1_000),
                    ScenarioLoad.of("arrivals").rate(40, 40),
                    ScenarioLoad.of("steady")
                        .users(1)
                        .withThinkTime(new ThinkTime.Constant(Duration.ofMillis(20)))))
            .build();
    RunSummary s =
        Run.of(
                config,
                Map.of(
                    "arrivals", (Scenario) user -> BROWSE.record(() -> {}),
                    "steady", (Scenario) user -> BUY.record(() -> {})))
            .execute();
    ScenarioResult arrivals = s.scenarios().get(0);
    assertThat(arrivals.totals().tests() + s.droppedStarts())
        .as("40 starts a second for 1 s")
        .isEqualTo(40);
    assertThat(s.scenarios().get(1).totals().tests()).isBetween(10L, 60L);
    assertThat(s.scenarios().get(1).users()).isEqualTo(1);
  }

  @org.junit.jupiter.api.Test
  void a_threshold_of_a_scenario_is_checked_on_its_figures_only() {
    RunConfig config =
        quiet("rules")
            .phase(
                Phase.of(
                    "once",
                    null,
                    ScenarioLoad.of("fast").users(1).withIterations(4),
                    ScenarioLoad.of("failing").users(1).withIterations(4)))
            .threshold("fast", "errors==0")
            .threshold("scenario failing: errors<1")
            .build();
    RunSummary s =
        Run.of(
                config,
                Map.of(
                    "fast", (Scenario) user -> BROWSE.record(() -> {}),
                    "failing",
                        (Scenario)
                            user ->
                                BUY.record(
                                    () -> {
                                      throw new IllegalStateException("down");
                                    })))
            .execute();
    assertThat(s.thresholds())
        .extracting(ThresholdResult::threshold, ThresholdResult::scope, ThresholdResult::passed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("scenario fast: errors==0", "fast: Test 1", true),
            org.assertj.core.groups.Tuple.tuple("scenario fast: errors==0", "fast: Totals", true),
            org.assertj.core.groups.Tuple.tuple(
                "scenario failing: errors<1", "failing: Test 2", false),
            org.assertj.core.groups.Tuple.tuple(
                "scenario failing: errors<1", "failing: Totals", false));
    assertThat(Run.exitCode(s)).isEqualTo(99);
  }

  @org.junit.jupiter.api.Test
  void a_paced_scenario_starts_its_iterations_on_a_schedule_however_long_they_take() {
    RunConfig config =
        quiet("paced")
            .phase(
                Phase.of(
                    "paced",
                    Duration.ofMillis(1_000),
                    ScenarioLoad.of("paced")
                        .users(1)
                        .withThinkTime(new ThinkTime.Pace(Duration.ofMillis(100))),
                    ScenarioLoad.of("free").users(1)))
            .build();
    RunSummary s =
        Run.of(
                config,
                Map.of(
                    "paced", (Scenario) user -> BROWSE.record(() -> sleep(30)),
                    "free", (Scenario) user -> BUY.record(() -> sleep(30))))
            .execute();
    assertThat(s.scenarios().get(0).totals().tests())
        .as("one start every 100 ms for 1 s")
        .isBetween(9L, 11L);
    assertThat(s.scenarios().get(1).totals().tests())
        .as("back to back, 30 ms each")
        .isGreaterThan(20);
  }

  @org.junit.jupiter.api.Test
  void a_pace_keeps_its_schedule_and_a_late_start_does_not_make_a_burst() {
    ThinkTime pace = new ThinkTime.Pace(Duration.ofMillis(100));
    long ms = 1_000_000;
    assertThat(pace.nextStartNanos(0, ms, 30 * ms, null)).as("on schedule").isEqualTo(100 * ms);
    assertThat(pace.nextStartNanos(100 * ms, 101 * ms, 250 * ms, null))
        .as("a long iteration: start at once")
        .isEqualTo(200 * ms);
    assertThat(pace.nextStartNanos(200 * ms, 350 * ms, 380 * ms, null))
        .as("an interval late: from its start")
        .isEqualTo(450 * ms);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @org.junit.jupiter.api.Test
  void users_per_scenario_show_on_the_live_line() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RunConfig config =
        RunConfig.builder("live")
            .outputRoot(null)
            .period(Duration.ofMillis(100))
            .phase(
                Phase.of(
                        "hold",
                        Duration.ofMillis(450),
                        ScenarioLoad.of("a").users(2),
                        ScenarioLoad.of("b").users(1))
                    .withThinkTime(new ThinkTime.Constant(Duration.ofMillis(10))))
            .build();
    Run.of(
            config,
            Map.of(
                "a",
                (Scenario) user -> BROWSE.record(() -> {}),
                "b",
                (Scenario) user -> BUY.record(() -> {})),
            new PrintStream(out, true))
        .execute();
    assertThat(out.toString()).contains("users 3      (a 2, b 1)");
  }

  @org.junit.jupiter.api.Test
  void scenarios_without_code_or_code_without_a_phase_are_refused_before_the_run() {
    RunConfig config =
        quiet("refused")
            .phase(
                Phase.of(
                    "p",
                    Duration.ofSeconds(1),
                    ScenarioLoad.of("a").users(1),
                    ScenarioLoad.of("b").users(1)))
            .build();
    assertThatThrownBy(() -> Run.of(config, Map.of("a", (Scenario) user -> {})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no code for the scenario b");
    assertThatThrownBy(
            () ->
                Run.of(
                    config,
                    Map.of(
                        "a",
                        (Scenario) user -> {},
                        "b",
                        (Scenario) user -> {},
                        "c",
                        (Scenario) user -> {})))
        .hasMessageContaining("No phase of run 'refused' runs the scenario c");
    assertThatThrownBy(() -> Run.of(config, user -> {}))
        .hasMessageContaining("run the scenarios a, b: give each its code");
    assertThatThrownBy(
            () ->
                quiet("x")
                    .phase(Phase.hold("p", Duration.ofSeconds(1), 1))
                    .threshold("z", "p99<1s")
                    .build())
        .hasMessageContaining(
            "is for scenario 'z', which no phase runs; the run has no named scenarios");
    assertThatThrownBy(() -> Phase.of("p", Duration.ofSeconds(1), ScenarioLoad.of("a")))
        .hasMessageContaining("Phase 'p' says nothing of the load");
    assertThatThrownBy(
            () ->
                quiet("x")
                    .phase(Phase.hold("one", Duration.ofSeconds(1), 1))
                    .phase(Phase.of("two", Duration.ofSeconds(1), ScenarioLoad.of("a").users(1)))
                    .build())
        .hasMessageContaining("Phase 'one' names no scenario, but other phases of run 'x' do");
    assertThatThrownBy(() -> Phase.of("p", null, ScenarioLoad.of("a").users(1)))
        .hasMessageContaining("for each of its scenarios, or it would never end");
    assertThatThrownBy(() -> ScenarioLoad.of("a").withWeight(0))
        .hasMessageContaining("weight must be a finite number above 0, got 0.0");
  }

  @org.junit.jupiter.api.Test
  void weighted_shares_are_whole_users_that_add_up() {
    assertThat(Phase.Share.apportion(100, new double[] {3, 1})).containsExactly(75, 25);
    assertThat(Phase.Share.apportion(10, new double[] {1, 1, 1})).containsExactly(4, 3, 3);
    assertThat(Phase.Share.apportion(1, new double[] {1, 2})).containsExactly(0, 1);
    assertThat(Phase.Share.apportion(0, new double[] {1, 2})).containsExactly(0, 0);
    List<Phase.Load> loads =
        Phase.hold("p", Duration.ofSeconds(1), 7)
            .withScenario(ScenarioLoad.of("a").withWeight(2))
            .withScenario(ScenarioLoad.of("b").users(3))
            .withScenario(ScenarioLoad.of("c"))
            .loads();
    assertThat(loads).extracting(l -> l.of(7)).containsExactly(5, 7, 2);
    assertThat(loads.get(1).shape()).isEqualTo(new LoadShape.Constant(3));
  }
}
