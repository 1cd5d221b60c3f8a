package dev.grindstone.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScenarioLoad;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.prometheus.internal.NativeBuckets;
import dev.grindstone.prometheus.testing.PrometheusProcess;
import dev.grindstone.stats.latency.LatencyBuckets;
import dev.grindstone.stats.results.TestFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runs remote-write into a real Prometheus (2.42 here), and what Prometheus then answers through
 * its query API is compared with the run's own summary.
 *
 * <p>What is asserted exactly: {@code sum(increase(grindstone_calls_total{...}[10m]))} evaluated at
 * the run's last sample equals the run's total. Every series starts with a 0 at the start of its
 * first period, and {@code increase()} extrapolates toward the range's start no further than to
 * where the counter would be 0 (here: not at all) and toward the end by the distance from the last
 * sample to the evaluation time (here: 0); so the result is last minus first, unscaled. The last
 * value, {@code sum(grindstone_calls_total{...})}, is asserted equal too.
 *
 * <p>What is asserted within a precision: {@code histogram_quantile(0.99, ...)} against the run's
 * p99 (an HdrHistogram value, 0.1%). Native histograms (schema 5) put it in a bucket 2.2% wide;
 * classic buckets in one at most 1.5 times as wide as its lower bound.
 */
class RemoteWriteToPrometheusTest {

  @BeforeAll
  static void prometheusIsInstalled() {
    assumeTrue(PrometheusProcess.binary().isPresent(), PrometheusProcess.MISSING);
  }

  private static final Test BROWSE = new Test(1, "Browse");
  private static final Test BUY = new Test(2, "Buy");

  /**
   * Mostly fast calls and 2% of 20 ms ones, so the p99 is a slow call; every seventh purchase
   * fails.
   */
  private static Run run(String name, Duration length, RemoteWriteSink sink) {
    RunConfig config =
        RunConfig.builder(name)
            .phase(Phase.hold("hold", length, 4))
            .period(Duration.ofMillis(200))
            .console(false)
            .build();
    return Run.of(config, user -> iteration()).sink(sink);
  }

  private static final AtomicLong PURCHASES = new AtomicLong();

  private static void iteration() throws Exception {
    long micros =
        ThreadLocalRandom.current().nextInt(100) < 2
            ? 20_000
            : 200 + ThreadLocalRandom.current().nextInt(300);
    BROWSE.record(
        () -> {
          Thread.sleep(Duration.ofNanos(micros * 1000));
          return null;
        });
    try {
      BUY.record(
          () -> {
            if (PURCHASES.incrementAndGet() % 7 == 0) {
              throw new IllegalStateException("out of stock");
            }
          });
    } catch (IllegalStateException expected) {
      // counted as an error of test 2
    }
    Thread.sleep(1);
  }

  private static RunSummary execute(Run run) {
    return run.execute();
  }

  /** The time of the run's last sample in Prometheus, epoch seconds. */
  private static double lastSample(PrometheusProcess prometheus, String runId) {
    return prometheus.scalar(
        "max(timestamp(grindstone_calls_total{run_id=\"" + runId + "\"}))", Double.NaN);
  }

  @org.junit.jupiter.api.Test
  void counters_arrive_exactly_and_native_histograms_give_the_p99_within_their_bucket()
      throws Exception {
    try (PrometheusProcess prometheus = PrometheusProcess.builder().nativeHistograms().start()) {
      ByteArrayOutputStream messages = new ByteArrayOutputStream();
      RemoteWriteSink sink =
          RemoteWriteSink.builder(prometheus.remoteWriteUrl())
              .tag("env", "test")
              .messages(new PrintStream(messages, true, StandardCharsets.UTF_8))
              .build();
      RunSummary summary = execute(run("native", Duration.ofSeconds(2), sink));
      String runId = summary.info().id();

      assertThat(sink.report().droppedSamples()).as(messages.toString()).isZero();
      assertThat(sink.report().histograms()).isEqualTo(HistogramMode.NATIVE);
      double at = lastSample(prometheus, runId);
      String run = "run_id=\"" + runId + "\",env=\"test\"";
      assertThat(
              prometheus.scalar(
                  "sum(increase(grindstone_calls_total{" + run + ",outcome=\"success\"}[10m]))",
                  at))
          .isEqualTo((double) summary.totals().tests());
      assertThat(
              prometheus.scalar("sum(grindstone_calls_total{" + run + ",outcome=\"success\"})", at))
          .isEqualTo((double) summary.totals().tests());
      assertThat(
              prometheus.scalar(
                  "sum(increase(grindstone_calls_total{" + run + ",outcome=\"error\"}[10m]))", at))
          .isEqualTo((double) summary.totals().errors())
          .isPositive();
      assertThat(
              prometheus.scalar(
                  "sum(increase(grindstone_calls_total{"
                      + run
                      + ",test=\"2\",description=\"Buy\",outcome=\"error\"}[10m]))",
                  at))
          .isEqualTo((double) summary.tests().get(1).errors());

      TestFigures browse = summary.tests().get(0);
      double p99 = browse.percentileMillis(99) / 1000;
      double estimate =
          prometheus.scalar(
              "histogram_quantile(0.99, sum(grindstone_call_duration_seconds{"
                  + run
                  + ",test=\"1\"}))",
              at);
      assertThat(p99).as("the p99 is one of the slow calls").isGreaterThan(0.019);
      int bucket = NativeBuckets.indexOf(p99);
      assertThat(estimate)
          .as("p99 %s s lies in native bucket %d", p99, bucket)
          .isBetween(
              NativeBuckets.upperBound(bucket - 1) * (1 - 1e-3),
              NativeBuckets.upperBound(bucket) * (1 + 1e-3));
      assertThat(
              prometheus.scalar(
                  "histogram_count(sum(grindstone_call_duration_seconds{" + run + ",test=\"1\"}))",
                  at))
          .isEqualTo((double) browse.successes().getTotalCount());
      assertThat(prometheus.scalar("grindstone_late_starts_total{" + run + "}", at))
          .isEqualTo(summary.lateStarts());
      assertThat(messages.toString()).contains("samples in").doesNotContain("DROPPED");
    }
  }

  @org.junit.jupiter.api.Test
  void a_run_of_several_scenarios_writes_each_one_s_series_with_a_scenario_label()
      throws Exception {
    try (PrometheusProcess prometheus = PrometheusProcess.builder().nativeHistograms().start()) {
      RemoteWriteSink sink =
          RemoteWriteSink.builder(prometheus.remoteWriteUrl())
              .messages(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
              .build();
      RunConfig config =
          RunConfig.builder("scenarios")
              .phase(
                  Phase.of(
                      "mixed",
                      Duration.ofSeconds(2),
                      ScenarioLoad.of("browse").users(3),
                      ScenarioLoad.of("buy").users(1)))
              .period(Duration.ofMillis(200))
              .console(false)
              .build();
      RunSummary summary =
          Run.of(
                  config,
                  Map.of(
                      "browse", (Scenario) user -> iteration(),
                      "buy",
                          (Scenario)
                              user ->
                                  BUY.record(
                                      () -> {
                                        Thread.sleep(2);
                                        return null;
                                      })))
              .sink(sink)
              .execute();
      String runId = summary.info().id();
      assertThat(sink.report().droppedSamples()).isZero();
      double at = lastSample(prometheus, runId);
      assertThat(summary.scenarios()).hasSize(2);
      for (ScenarioResult r : summary.scenarios()) {
        String series = "run_id=\"" + runId + "\",scenario=\"" + r.name() + "\"";
        for (TestFigures t : r.tests()) {
          String test = series + ",test=\"" + t.test() + "\"";
          assertThat(
                  prometheus.scalar(
                      "sum(increase(grindstone_calls_total{"
                          + test
                          + ",outcome=\"success\"}[10m]))",
                      at))
              .as(r.name() + ", test " + t.test())
              .isEqualTo((double) t.tests());
          assertThat(
                  prometheus.scalar(
                      "sum(grindstone_calls_total{" + test + ",outcome=\"error\"})", at))
              .isEqualTo((double) t.errors());
          assertThat(
                  prometheus.scalar(
                      "histogram_count(sum(grindstone_call_duration_seconds{" + test + "}))", at))
              .isEqualTo((double) t.successes().getTotalCount());
        }
        assertThat(
                prometheus.scalar(
                    "sum(grindstone_calls_total{" + series + ",outcome=\"success\"})", at))
            .as(r.name() + "'s totals")
            .isEqualTo((double) r.totals().tests());
      }
      TestFigures buy = summary.tests().get(1);
      assertThat(
              prometheus.scalar(
                  "sum(grindstone_calls_total{run_id=\""
                      + runId
                      + "\",test=\"2\",outcome=\"success\"})",
                  at))
          .as("summed over the scenarios, a test's figures are the run's")
          .isEqualTo((double) buy.tests());
    }
  }

  @org.junit.jupiter.api.Test
  void a_receiver_without_native_histograms_gets_classic_buckets_instead() throws Exception {
    try (PrometheusProcess prometheus = PrometheusProcess.builder().start()) {
      ByteArrayOutputStream messages = new ByteArrayOutputStream();
      RemoteWriteSink sink =
          RemoteWriteSink.builder(prometheus.remoteWriteUrl())
              .messages(new PrintStream(messages, true, StandardCharsets.UTF_8))
              .build();
      RunSummary summary = execute(run("classic", Duration.ofSeconds(2), sink));
      String runId = summary.info().id();

      assertThat(messages.toString())
          .contains("does not take native histograms")
          .contains("classic");
      assertThat(sink.report().droppedSamples()).as(messages.toString()).isZero();
      assertThat(sink.report().histograms()).isEqualTo(HistogramMode.CLASSIC);
      double at = lastSample(prometheus, runId);
      String run = "run_id=\"" + runId + "\"";
      assertThat(
              prometheus.scalar(
                  "sum(increase(grindstone_calls_total{" + run + ",outcome=\"success\"}[10m]))",
                  at))
          .isEqualTo((double) summary.totals().tests());
      TestFigures browse = summary.tests().get(0);
      double p99 = browse.percentileMillis(99) / 1000;
      double estimate =
          prometheus.scalar(
              "histogram_quantile(0.99, sum by (le) (grindstone_call_duration_seconds_bucket{"
                  + run
                  + ",test=\"1\"}))",
              at);
      int bucket = LatencyBuckets.bucketOf(Math.round(p99 * 1e6));
      assertThat(p99).as("the p99 is one of the slow calls").isGreaterThan(0.019);
      assertThat(estimate)
          .as("p99 %s s lies in classic bucket %d", p99, bucket)
          .isBetween(
              bucket == 0 ? 0 : LatencyBuckets.upperBoundSeconds(bucket - 1) * (1 - 1e-3),
              LatencyBuckets.upperBoundSeconds(bucket) * (1 + 1e-3));
      assertThat(
              prometheus.scalar(
                  "sum(grindstone_call_duration_seconds_count{" + run + ",test=\"1\"})", at))
          .isEqualTo((double) browse.successes().getTotalCount());
      assertThat(
              prometheus.scalar(
                  "sum(grindstone_call_duration_seconds_sum{" + run + ",test=\"1\"})", at))
          .isCloseTo(browse.meanMillis() * browse.successes().getTotalCount() / 1000, within(1e-6));
    }
  }

  @org.junit.jupiter.api.Test
  void a_receiver_that_stops_mid_run_neither_fails_nor_holds_up_the_run_and_the_drops_are_reported()
      throws Exception {
    try (PrometheusProcess prometheus = PrometheusProcess.builder().nativeHistograms().start()) {
      ByteArrayOutputStream messages = new ByteArrayOutputStream();
      RemoteWriteSink sink =
          RemoteWriteSink.builder(prometheus.remoteWriteUrl())
              .messages(new PrintStream(messages, true, StandardCharsets.UTF_8))
              .flushTimeout(Duration.ofMillis(500))
              .build();
      Thread stopper =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      Thread.sleep(800);
                    } catch (InterruptedException e) {
                      return;
                    }
                    prometheus.stop();
                  });
      long t0 = System.nanoTime();
      RunSummary summary = execute(run("receiver-down", Duration.ofSeconds(2), sink));
      long tookMillis = (System.nanoTime() - t0) / 1_000_000;
      stopper.join();

      RemoteWriteReport report = sink.report();
      assertThat(summary.sinkProblems()).isEmpty();
      assertThat(summary.totals().tests()).isPositive();
      assertThat(report.samples()).as("delivered before the stop").isPositive();
      assertThat(report.droppedSamples()).isPositive();
      assertThat(report.lastProblem()).contains("is the receiver up");
      assertThat(messages.toString())
          .contains(
              "DROPPED "
                  + String.format(java.util.Locale.ROOT, "%,d", report.droppedSamples())
                  + " samples");
      // Not a speed test: a run that waited on the receiver would take its time-outs (10 s each).
      assertThat(tookMillis).as("the run's wall time, ms").isLessThan(2_000 + 500 + 8_000);
    }
  }

  @SuppressWarnings("unused")
  private static JsonNode debug(PrometheusProcess p, String q) {
    return p.query(q, Double.NaN);
  }
}
