package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.SinkRetry;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.OutputHealth;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink that throws is retried with a bounded backoff, and stopped only after failures in a row.
 */
class SinkRetryTest {

  @TempDir Path dir;

  /**
   * A user's sink: fails the attempts that {@link #fails} picks (counted from 1), keeps what it
   * took.
   */
  static final class Flaky implements Sink {
    final List<String> taken = new ArrayList<>();
    final java.util.function.IntPredicate fails;
    int attempts;

    Flaky(java.util.function.IntPredicate fails) {
      this.fails = fails;
    }

    @Override
    public void interval(IntervalSnapshot interval) {
      if (fails.test(++attempts)) {
        throw new IllegalStateException("store unavailable (attempt " + attempts + ")");
      }
      taken.add("interval " + interval.endEpochMillis());
    }

    @Override
    public void finish(RunSummary summary) {
      taken.add("finish");
    }

    @Override
    public String name() {
      return "flaky store";
    }
  }

  private RunSummary run(Sink sink, SinkRetry retry) {
    Test t = new Test(1, "Call");
    RunConfig config =
        RunConfig.builder("sinks")
            .phase(Phase.hold("hold", Duration.ofMillis(400), 1))
            .period(Duration.ofMillis(40))
            .outputRoot(dir)
            .sinkRetry(retry)
            .build();
    return Run.of(
            config,
            user -> t.record(() -> user.sleep(Duration.ofMillis(2))),
            new PrintStream(OutputStream.nullOutputStream()))
        .sink(sink)
        .execute();
  }

  @org.junit.jupiter.api.Test
  void a_sink_that_fails_once_gets_the_same_interval_again_and_every_later_event()
      throws Exception {
    Flaky sink = new Flaky(n -> n == 1);
    RunSummary s = run(sink, new SinkRetry(3, Duration.ofMillis(5), Duration.ofMillis(20)));

    OutputHealth health =
        s.outputs().stream().filter(o -> o.name().equals("flaky store")).findFirst().orElseThrow();
    assertThat(health.failures()).isEqualTo(1);
    assertThat(health.stopped()).isFalse();
    assertThat(health.lost()).isZero();
    assertThat(sink.attempts)
        .as("the failed interval was given again")
        .isEqualTo(sink.taken.size());
    assertThat(sink.taken).last().isEqualTo("finish");
    assertThat(sink.taken.size()).as("intervals after the failure").isGreaterThan(3);
    assertThat(health.delivered()).isEqualTo(sink.taken.size() + 1); // and the start
    String summary = Files.readString(s.info().outputDirectory().resolve("summary.txt"));
    assertThat(summary)
        .contains(
            "flaky store failed once and was retried after a backoff (last failure:"
                + " java.lang.IllegalStateException: store unavailable (attempt 1))");
  }

  @org.junit.jupiter.api.Test
  void a_sink_that_always_fails_is_stopped_after_the_failures_in_a_row_and_the_run_goes_on()
      throws Exception {
    Flaky sink = new Flaky(n -> true);
    RunSummary s = run(sink, new SinkRetry(3, Duration.ofMillis(1), Duration.ofMillis(2)));

    assertThat(sink.attempts).isEqualTo(3);
    assertThat(sink.taken).isEmpty();
    OutputHealth health =
        s.outputs().stream().filter(o -> o.name().equals("flaky store")).findFirst().orElseThrow();
    assertThat(health.stopped()).isTrue();
    assertThat(health.failures()).isEqualTo(3);
    assertThat(health.lost())
        .as("the interval it failed on, the later ones and the finish")
        .isGreaterThan(3);
    assertThat(s.totals().tests()).isPositive();
    String summary = Files.readString(s.info().outputDirectory().resolve("summary.txt"));
    assertThat(summary)
        .contains(
            "flaky store was stopped after 3 failures in a row (3 in all; last:"
                + " java.lang.IllegalStateException: store unavailable (attempt 3))");
    assertThat(s.outputs())
        .filteredOn(o -> !o.name().equals("flaky store"))
        .allSatisfy(o -> assertThat(o.failures()).as(o.name()).isZero());
  }

  @org.junit.jupiter.api.Test
  void backoff_doubles_up_to_its_bound_and_bad_settings_are_refused() {
    SinkRetry r = new SinkRetry(5, Duration.ofMillis(100), Duration.ofMillis(500));
    assertThat(List.of(r.backoff(1), r.backoff(2), r.backoff(3), r.backoff(4), r.backoff(40)))
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(500),
            Duration.ofMillis(500));
    assertThatThrownBy(() -> new SinkRetry(0, Duration.ofMillis(1), Duration.ofMillis(1)))
        .hasMessageContaining("max_consecutive_failures must be at least 1, got 0");
    assertThatThrownBy(() -> new SinkRetry(1, Duration.ofMillis(10), Duration.ofMillis(1)))
        .hasMessageContaining("must be at least the first");
  }
}
