package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.SummaryText;
import dev.grindstone.http.HttpClient;
import dev.grindstone.stats.results.TestFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
