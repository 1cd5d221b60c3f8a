package dev.grindstone.engine.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SummaryTextTest {

  @Test
  void aFewLateStartsAreCountedWithoutAdvice() {
    // 1,000 starts, 5 of them 50 ms late: 0.5%, so p99 stays on time (HdrHistogram shows 50 ms as
    // 50.02).
    List<String> notes = SummaryText.notes(summary(lateness(995, 200, 5, 50_000), 5));

    assertThat(notes)
        .singleElement()
        .asString()
        .startsWith(
            "5 iterations started more than 10 ms late (lateness p99 0.20 ms, max 50.02 ms).")
        .doesNotContain("ramp");
  }

  @Test
  void moreThanOnePercentLateSaysTheLoadWasLowerAndWhatToDo() {
    // 1,000 starts, 30 of them 50 ms late: 3%, so p99 is late.
    List<String> notes = SummaryText.notes(summary(lateness(970, 200, 30, 50_000), 30));

    assertThat(notes)
        .singleElement()
        .asString()
        .startsWith(
            "30 iterations started more than 10 ms late (lateness p99 50.02 ms, max 50.02 ms).")
        .contains("less load than planned")
        .contains("start them with a ramp");
  }

  @Test
  void noLateStartsNoNote() {
    assertThat(SummaryText.notes(summary(lateness(1_000, 200, 0, 0), 0))).isEmpty();
  }

  private static Histogram lateness(int onTime, long onTimeMicros, int late, long lateMicros) {
    Histogram h = Histograms.newHistogram();
    h.recordValueWithCount(onTimeMicros, onTime);
    if (late > 0) {
      h.recordValueWithCount(lateMicros, late);
    }
    return h;
  }

  private static RunSummary summary(Histogram lateness, long lateStarts) {
    StatisticsSchema schema = StatisticsSchema.standard();
    RunInfo info =
        new RunInfo(
            "late",
            0,
            List.of(),
            Duration.ofSeconds(1),
            null,
            schema,
            StandardViews.summary(schema));
    TestFigures totals =
        TestFigures.of(TestFigures.TOTALS, "", false, 1_000, new StatisticsSet(schema), null, null);
    return new RunSummary(
        info,
        1_000,
        List.of(),
        totals,
        List.of(),
        List.of(),
        lateness,
        lateStarts,
        0,
        Map.of(),
        0,
        List.of(),
        false);
  }
}
