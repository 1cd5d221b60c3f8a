package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScenarioLoad;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.engine.sink.SummaryText;
import dev.grindstone.http.HttpClient;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinated-omission stall scenario, against the demo service on loopback: one closed-model
 * user calls {@code /stall}, which holds one call for 1 s (from 1.5 s to 2.5 s after the service
 * starts) and answers every other one at once. The raw p99 hides the stall; the run says so and
 * shows corrected percentiles beside the raw ones.
 */
class CoordinatedOmissionTest {

  @TempDir Path dir;

  private RunSummary run(Phase phase) {
    try (DemoService demo = DemoService.start();
        HttpClient client = HttpStatistics.clientBuilder().build()) {
      Test call = new Test(1, "stall");
      String url = demo.url() + "/stall?every=1500ms&for=1s";
      RunConfig config =
          RunConfig.builder("stall").phase(phase).outputRoot(dir).console(false).build();
      return Run.of(config, user -> call.record(() -> client.get(url)))
          .plugin(HttpPlugin.INSTANCE)
          .execute();
    }
  }

  @org.junit.jupiter.api.Test
  void a_closed_model_stall_is_reported_with_corrected_percentiles_beside_the_raw_ones()
      throws Exception {
    RunSummary s = run(Phase.hold("hold", Duration.ofMillis(2_500), 1));
    TestFigures raw = s.tests().getFirst();
    assertThat(raw.maxMillis()).as("the stalled call").isGreaterThan(900);
    // p90 rather than p99: on a busy machine the run may make too few calls for p99 to hide one
    // stall.
    assertThat(raw.percentileMillis(90)).as("raw p90 hides the stall").isLessThan(100);

    assertThat(s.omission().tests())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.corrected().percentileMillis(90)).as("corrected p90").isGreaterThan(100);
              assertThat(c.corrected().percentileMillis(99)).as("corrected p99").isGreaterThan(500);
              assertThat(c.corrected().maxMillis()).isEqualTo(raw.maxMillis());
              assertThat(c.corrected().tests())
                  .as("counts stay as measured")
                  .isEqualTo(raw.tests());
              assertThat(c.stalls()).as("calls that held back at least one call").isPositive();
              assertThat(c.omittedCalls()).isPositive();
              assertThat(c.cycle()).startsWith("median call ");
            });
    String summary = Files.readString(s.info().outputDirectory().resolve("summary.txt"));
    assertThat(summary)
        .isEqualTo(SummaryText.render(s))
        .contains("Percentiles corrected for coordinated omission (closed model; see the notes)")
        .contains("Coordinated omission in test 1 \"stall\": the longest call took ")
        .contains(" against an intended cycle of median call ")
        .contains("(HdrHistogram's expected interval) moves p99 from ");
    JsonNode doc =
        new ObjectMapper().readTree(s.info().outputDirectory().resolve("results.json").toFile());
    JsonNode co = doc.get("coordinatedOmission");
    assertThat(co.at("/tests/0/p99").asDouble())
        .isEqualTo(s.omission().tests().getFirst().corrected().percentileMillis(99));
    assertThat(co.at("/tests/0/intendedCycle").asText()).startsWith("median call ");
    assertThat(doc.at("/tests/0/p99").asDouble())
        .as("the raw figures stay raw")
        .isEqualTo(raw.percentileMillis(99));
    assertThat(Files.readString(s.info().outputDirectory().resolve("report.html")))
        .contains("Corrected for coordinated omission")
        .contains("\"coordinatedOmission\"");
  }

  @org.junit.jupiter.api.Test
  void each_scenario_of_a_phase_is_corrected_with_its_own_pace_and_the_run_adds_them()
      throws Exception {
    RunSummary s;
    try (DemoService demo = DemoService.start();
        HttpClient client = HttpStatistics.clientBuilder().build()) {
      Test call = new Test(1, "stall");
      String url = demo.url() + "/stall?every=1500ms&for=1s";
      Scenario scenario = user -> call.record(() -> client.get(url));
      RunConfig config =
          RunConfig.builder("stall")
              .phase(
                  Phase.of(
                      "mixed",
                      Duration.ofMillis(2_500),
                      ScenarioLoad.of("fast").users(1).withThinkTime(pace(50)),
                      ScenarioLoad.of("slow").users(1).withThinkTime(pace(100))))
              .outputRoot(dir)
              .console(false)
              .build();
      s =
          Run.of(config, Map.of("fast", scenario, "slow", scenario))
              .plugin(HttpPlugin.INSTANCE)
              .execute();
    }
    Histogram expected = Histograms.newHistogram();
    for (String name : List.of("fast", "slow")) {
      long paceMicros = name.equals("fast") ? 50_000 : 100_000;
      Histogram raw = scenario(s, name).tests().getFirst().successes();
      assertThat(raw.getMaxValue()).as(name + ": the stalled call").isGreaterThan(500_000);
      Histogram theirs = raw.copyCorrectedForCoordinatedOmission(paceMicros);
      expected.add(theirs);
      RunSummary.ScenarioOmission o =
          s.omission().scenarios().stream()
              .filter(x -> x.name().equals(name))
              .findFirst()
              .orElseThrow(() -> new AssertionError(name + " is not reported"));
      assertThat(o.tests())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.cycle()).isEqualTo("pace %d.00 ms", paceMicros / 1000);
                assertThat(c.corrected().successes())
                    .as(name + ": corrected with its own pace, bucket by bucket as HdrHistogram")
                    .isEqualTo(theirs);
                assertThat(c.omittedCalls())
                    .isEqualTo(theirs.getTotalCount() - raw.getTotalCount())
                    .isPositive();
              });
      assertThat(o.totals().successes().getTotalCount()).isEqualTo(theirs.getTotalCount());
    }
    RunSummary.CorrectedTest merged = s.omission().tests().getFirst();
    assertThat(merged.corrected().successes())
        .as("the run's corrected test adds the scenarios' corrected histograms")
        .isEqualTo(expected);
    assertThat(merged.cycle()).isEqualTo("fast: pace 50.00 ms; slow: pace 100.00 ms");
    assertThat(s.omission().totals().successes().getTotalCount())
        .isEqualTo(expected.getTotalCount());
    assertThat(merged.corrected().tests())
        .as("counts as measured")
        .isEqualTo(s.tests().getFirst().tests());

    Path out = s.info().outputDirectory();
    assertThat(Files.readString(out.resolve("summary.txt")))
        .isEqualTo(SummaryText.render(s))
        .contains("Percentiles corrected for coordinated omission, all scenarios")
        .contains("Scenario fast: percentiles corrected for coordinated omission")
        .contains("Scenario slow: percentiles corrected for coordinated omission")
        .contains("Coordinated omission in scenario fast, test 1 \"stall\"")
        .contains("against an intended cycle of pace 100.00 ms");
    JsonNode co =
        new ObjectMapper()
            .readTree(out.resolve("results.json").toFile())
            .get("coordinatedOmission");
    assertThat(co.at("/tests/0/p99").asDouble()).isEqualTo(merged.corrected().percentileMillis(99));
    for (int k = 0; k < 2; k++) {
      RunSummary.ScenarioOmission o = s.omission().scenarios().get(k);
      assertThat(co.at("/scenarios/" + k + "/name").asText()).isEqualTo(o.name());
      assertThat(co.at("/scenarios/" + k + "/tests/0/p99").asDouble())
          .isEqualTo(o.tests().getFirst().corrected().percentileMillis(99));
      assertThat(co.at("/scenarios/" + k + "/totals/p90").asDouble())
          .isEqualTo(o.totals().percentileMillis(90));
    }
    assertThat(Files.readString(out.resolve("report.html")))
        .contains("corrected for coordinated omission")
        .contains("pace 50.00 ms");
  }

  private static ThinkTime pace(long millis) {
    return new ThinkTime.Pace(Duration.ofMillis(millis));
  }

  private static ScenarioResult scenario(RunSummary s, String name) {
    return s.scenarios().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  @org.junit.jupiter.api.Test
  void a_paced_user_reports_the_stall_as_late_and_skipped_starts_and_corrects_with_the_pace() {
    RunSummary s =
        run(Phase.hold("paced", Duration.ofMillis(2_500), 1).withPace(Duration.ofMillis(100)));
    TestFigures raw = s.tests().getFirst();
    assertThat(raw.tests()).as("about one call per 100 ms, but for the stall").isBetween(10L, 26L);
    assertThat(s.omission().skippedPacedStarts())
        .as("the 1 s stall ran past about 9 starts")
        .isBetween(7L, 10L);
    assertThat(s.lateStarts()).as("the start after the stall is late").isPositive();
    assertThat(s.omission().tests())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.cycle()).isEqualTo("pace 100.00 ms");
              assertThat(c.omittedCalls()).as("900, 800, ... 100 ms").isBetween(8L, 9L);
              assertThat(c.corrected().percentileMillis(90))
                  .isGreaterThan(raw.percentileMillis(90) + 100);
            });
    assertThat(SummaryText.render(s))
        .contains("paced starts were skipped because iterations took longer than the" + " pace")
        .contains("iterations started more than 10 ms late");
  }
}
