package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.Threshold;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.engine.sink.SummaryText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thresholds that stop a run, that look at one phase, and that look at a rolling window, in real
 * runs.
 */
class ThresholdRunTest {

  @TempDir Path dir;

  private static void pause(long millis) {
    LockSupport.parkNanos(millis * 1_000_000);
  }

  @org.junit.jupiter.api.Test
  void a_failing_rule_with_abort_on_fail_stops_the_run_and_says_why_everywhere() throws Exception {
    Test failing = new Test(1, "always fails");
    Runnable fails =
        () -> {
          pause(5);
          throw new IllegalStateException("down");
        };
    Runnable call = failing.wrap(fails);
    RunConfig config =
        RunConfig.builder("abort")
            .phase(Phase.hold("hold", Duration.ofSeconds(30), 2))
            .period(Duration.ofMillis(100))
            .outputRoot(dir)
            .console(false)
            .gracefulStop(Duration.ofSeconds(1))
            .threshold("errors<10% abort_on_fail delay_abort_eval=300ms")
            .threshold("tps>=0")
            .build();
    long start = System.nanoTime();
    RunSummary s =
        Run.of(
                config,
                user -> {
                  try {
                    call.run();
                  } catch (IllegalStateException expected) {
                    // counted as an error
                  }
                })
            .execute();
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(tookMillis).as("stopped long before the phase's 30 s").isLessThan(15_000);
    assertThat(s.interrupted()).isFalse();
    assertThat(s.abort()).isNotNull();
    assertThat(s.abort().threshold()).isEqualTo("errors<10% abort_on_fail delay_abort_eval=300ms");
    assertThat(s.abort().scope()).isEqualTo("Test 1");
    assertThat(s.abort().actual()).isEqualTo(100);
    assertThat(s.abort().atMillis()).as("not before the delay").isGreaterThanOrEqualTo(300);
    assertThat(Run.exitCode(s)).isEqualTo(Run.EXIT_THRESHOLDS_FAILED);
    assertThat(s.thresholds())
        .filteredOn(t -> t.threshold().startsWith("errors"))
        .allSatisfy(t -> assertThat(t.passed()).isFalse());

    String text = SummaryText.render(s);
    assertThat(text)
        .contains(", stopped by the threshold 'errors<10% abort_on_fail delay_abort_eval=300ms'")
        .contains("The run was stopped at ")
        .contains(
            "the threshold 'errors<10% abort_on_fail delay_abort_eval=300ms' failed for Test 1"
                + " (actual 100.00) and has abort_on_fail.")
        .contains(
            "FAIL  errors<10% abort_on_fail delay_abort_eval=300ms Test 1   actual 100.00  (failed"
                + " at ");
    Path out = s.info().outputDirectory();
    assertThat(Files.readString(out.resolve("summary.txt"))).contains("stopped by the threshold");
    JsonNode doc = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(doc.at("/run/abortedBy/threshold").asText()).isEqualTo(s.abort().threshold());
    assertThat(doc.at("/run/abortedBy/atMs").asLong()).isEqualTo(s.abort().atMillis());
    assertThat(doc.at("/run/interrupted").asBoolean()).isFalse();
    assertThat(Files.readString(out.resolve("report.html"))).contains("abortedBy");
  }

  @org.junit.jupiter.api.Test
  void a_rule_naming_a_phase_is_checked_on_that_phases_figures_only() {
    Test call = new Test(1, "call");
    RunConfig config =
        RunConfig.builder("phases")
            .phase(Phase.hold("slow", Duration.ofMillis(400), 1))
            .phase(Phase.hold("fast", Duration.ofMillis(400), 1))
            .period(Duration.ofMillis(100))
            .outputRoot(null)
            .console(false)
            .threshold("phase fast: p90<25ms")
            .threshold("phase slow: min>=30ms")
            .threshold("max<25ms")
            .build();
    RunSummary s =
        Run.of(config, user -> call.wrap(() -> pause(user.phase().equals("slow") ? 40 : 1)).run())
            .execute();

    assertThat(s.thresholds())
        .filteredOn(t -> t.threshold().startsWith("phase "))
        .as("each phase's own figures")
        .allSatisfy(t -> assertThat(t.passed()).as(t.toString()).isTrue());
    assertThat(s.thresholds())
        .filteredOn(t -> t.threshold().equals("max<25ms"))
        .as("the whole run holds the slow calls")
        .allSatisfy(t -> assertThat(t.passed()).isFalse());
  }

  @org.junit.jupiter.api.Test
  void a_windowed_rule_reports_its_worst_window_and_an_all_run_rule_would_hide_it() {
    Test call = new Test(1, "call");
    RunConfig config =
        RunConfig.builder("window")
            .phase(Phase.hold("stall", Duration.ofMillis(400), 1))
            .phase(Phase.hold("calm", Duration.ofMillis(1_600), 1))
            .period(Duration.ofMillis(100))
            .outputRoot(null)
            .console(false)
            .threshold("mean[300ms]<20ms")
            .threshold(Threshold.parse("phase calm: mean[300ms]<20ms"))
            .build();
    RunSummary s =
        Run.of(config, user -> call.wrap(() -> pause(user.phase().equals("stall") ? 50 : 1)).run())
            .execute();

    ThresholdResult whole =
        s.thresholds().stream()
            .filter(t -> t.threshold().equals("mean[300ms]<20ms") && t.scope().equals("Totals"))
            .findFirst()
            .orElseThrow();
    assertThat(whole.passed()).isFalse();
    assertThat(whole.actual()).as("the worst window is all stall").isGreaterThanOrEqualTo(40);
    assertThat(whole.detail()).startsWith("worst 300 ms window ended at ").contains("first failed");
    assertThat(s.totals().meanMillis()).as("over the whole run the stall hides").isLessThan(20);
    assertThat(s.thresholds())
        .filteredOn(t -> t.threshold().startsWith("phase calm"))
        .allSatisfy(t -> assertThat(t.passed()).as(t.toString()).isTrue());
  }
}
