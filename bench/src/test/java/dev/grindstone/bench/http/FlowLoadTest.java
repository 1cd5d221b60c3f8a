package dev.grindstone.bench.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.http.load.HttpFlow;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class FlowLoadTest {

  private static final long START = 1_700_000_000_000L;

  @Test
  void run_file_is_one_checked_get_by_every_user_over_a_connection_each_without_outputs() {
    FlowLoad.Plan plan = FlowLoad.plan("http://127.0.0.1:8080/ping", 7, 12);

    assertThat(plan.flow().steps()).hasSize(1);
    HttpFlow.Call call = (HttpFlow.Call) plan.flow().steps().getFirst();
    assertThat(call.request().method()).isEqualTo("GET");
    Object url = call.request().url(); // its text is the template's source
    assertThat(url).hasToString("http://127.0.0.1:8080/ping");
    assertThat(call.request().checks())
        .extracting(c -> c.name())
        .containsExactly("status in [200]");
    assertThat(plan.flow().client().maxConnectionsPerHost()).isEqualTo(7);
    assertThat(plan.config().phases()).hasSize(1);
    Phase phase = plan.config().phases().getFirst();
    assertThat(phase.duration()).isEqualTo(Duration.ofSeconds(12));
    assertThat(phase.shape()).isEqualTo(new LoadShape.Constant(7));
    assertThat(phase.thinkTime()).isEqualTo(ThinkTime.NONE);
    assertThat(plan.config().console()).isFalse();
    assertThat(plan.config().dataLog()).isFalse();
    assertThat(plan.config().outputRoot()).isNull();
  }

  @Test
  void rate_makes_an_open_model_and_pause_a_zero_pause_before_the_call() {
    FlowLoad.Plan plan =
        FlowLoad.plan(FlowLoad.runFile("http://127.0.0.1:8080/ping", 7, 12, 500, true), null);

    assertThat(plan.config().phases().getFirst().shape())
        .isEqualTo(new LoadShape.ArrivalRate(500, 500, 7));
    assertThat(plan.flow().steps()).hasSize(2);
    assertThat(plan.flow().steps().getFirst()).isEqualTo(new HttpFlow.Pause(Duration.ZERO));
    assertThat(plan.flow().steps().get(1)).isInstanceOf(HttpFlow.Call.class);
  }

  @Test
  void with_a_results_folder_the_run_writes_its_data_log_there() {
    java.nio.file.Path results = java.nio.file.Path.of("results-of-flow-load");

    FlowLoad.Plan plan =
        FlowLoad.plan(FlowLoad.runFile("http://127.0.0.1:8080/ping", 7, 12), results);

    assertThat(plan.config().dataLog()).isTrue();
    assertThat(plan.config().outputRoot()).isEqualTo(results);
    assertThat(plan.config().console()).isFalse();
  }

  @Test
  void window_adds_up_the_intervals_that_start_after_the_warm_up_and_before_the_end()
      throws Exception {
    FlowLoad.Window window = new FlowLoad.Window(1_000, 3_000);
    window.start(info());
    window.interval(interval(0, 0, 1_000, 100, 0, 5_000)); // warm-up
    window.interval(interval(1, 1_000, 2_000, 30, 1, 100));
    window.interval(interval(2, 2_000, 3_004, 70, 2, 300));
    window.interval(interval(3, 3_004, 3_010, 9, 0, 9_000)); // the stop's tail

    String line = window.result(" mode=flow");

    assertThat(line)
        .startsWith("RESULT requests=103 errors=3 seconds=2.004 rps=51 cpuSeconds=")
        .contains(" p50us=300 ")
        .contains(" maxus=300 ")
        .endsWith(" mode=flow intervals=2");
  }

  @Test
  void window_refuses_to_measure_when_the_sink_missed_a_snapshot() throws Exception {
    FlowLoad.Window window = new FlowLoad.Window(1_000, 3_000);
    window.start(info());
    window.interval(interval(0, 0, 1_000, 100, 0, 100));
    window.interval(interval(2, 2_000, 3_000, 70, 0, 100));

    assertThat(window.result("")).isNull();
  }

  @Test
  void window_without_an_interval_measures_nothing() throws Exception {
    FlowLoad.Window window = new FlowLoad.Window(1_000, 3_000);
    window.start(info());
    window.interval(interval(0, 0, 1_000, 100, 0, 100));

    assertThat(window.result("")).isNull();
  }

  private static RunInfo info() {
    return new RunInfo(
        "flow-load",
        START,
        List.of(new RunInfo.PlannedPhase("load", Duration.ofSeconds(3))),
        Duration.ofSeconds(1),
        null,
        StatisticsSchema.standard(),
        null);
  }

  /** An interval of {@code ok} calls of {@code micros} each and {@code errors} failed ones. */
  private static IntervalSnapshot interval(
      long sequence, long from, long to, int ok, int errors, long micros) {
    StatisticsSchema schema = StatisticsSchema.standard();
    StatisticsSet s = new StatisticsSet(schema);
    Histogram succeeded = Histograms.newHistogram();
    Histogram failed = Histograms.newHistogram();
    for (int i = 0; i < ok; i++) {
      s.addSample(schema.sampleIndex(StatisticsSchema.TIMED_TESTS), micros);
      succeeded.recordValue(micros);
    }
    for (int i = 0; i < errors; i++) {
      failed.recordValue(micros);
    }
    s.addLong(schema.longIndex(StatisticsSchema.ERRORS), errors);
    TestFigures totals =
        TestFigures.of(TestFigures.TOTALS, "", false, to - from, s, succeeded, failed);
    return new IntervalSnapshot(
        sequence,
        "load",
        0,
        START + from,
        START + to,
        to,
        7,
        List.of(totals.as(1, "GET")),
        totals,
        Histograms.newHistogram(),
        0);
  }
}
