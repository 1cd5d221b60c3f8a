package dev.grindstone.engine.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ConsoleSinkTest {

  private final StatisticsSchema schema = StatisticsSchema.standard();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final ConsoleSink sink =
      new ConsoleSink(new PrintStream(bytes, true, StandardCharsets.UTF_8));

  @Test
  void anIntervalWithLateStartsSaysSoOnItsLine() {
    sink.start(info());
    Histogram late = Histograms.newHistogram();
    late.recordValueWithCount(300, 990);
    late.recordValueWithCount(48_000, 10);

    sink.interval(interval(late, 10));

    assertThat(lastLine()).contains("users 5 ").endsWith("late starts 10 (max 48.03 ms)");
  }

  @Test
  void anIntervalOnScheduleHasNoLateStartsOnItsLine() {
    sink.start(info());
    Histogram onTime = Histograms.newHistogram();
    onTime.recordValueWithCount(300, 1_000);

    sink.interval(interval(onTime, 0));

    assertThat(lastLine()).contains("users 5 ").doesNotContain("late");
  }

  private String lastLine() {
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
    return lines[lines.length - 1];
  }

  private RunInfo info() {
    return new RunInfo(
        "console",
        0,
        List.of(),
        Duration.ofSeconds(1),
        null,
        schema,
        StandardViews.summary(schema));
  }

  private IntervalSnapshot interval(Histogram lateness, long lateStarts) {
    TestFigures totals =
        TestFigures.of(TestFigures.TOTALS, "", false, 1_000, new StatisticsSet(schema), null, null);
    return new IntervalSnapshot(
        0, "", -1, 0, 1_000, 1_000, 5, List.of(), totals, lateness, lateStarts);
  }
}
