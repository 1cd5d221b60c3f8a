package dev.grindstone.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.grindstone.stats.BadInputException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Load shapes are pure functions of the time into the phase: checked here on a fake timeline. */
class LoadShapeTest {

  private static Duration s(double seconds) {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  @Test
  void linear_ramp_goes_up_and_down_over_the_phase() {
    LoadShape up = new LoadShape.Ramp(0, 100);
    assertThat(up.usersAt(s(0), s(10))).isZero();
    assertThat(up.usersAt(s(2.5), s(10))).isEqualTo(25);
    assertThat(up.usersAt(s(10), s(10))).isEqualTo(100);
    LoadShape down = new LoadShape.Ramp(50, 0);
    assertThat(down.usersAt(s(0), s(10))).isEqualTo(50);
    assertThat(down.usersAt(s(5), s(10))).isEqualTo(25);
    assertThat(down.usersAt(s(11), s(10))).isZero();
  }

  @Test
  void gradual_add_steps_repeat_the_last_value_until_max() {
    var steps = new LoadShape.Steps(1, 10, List.of(2, 3), null, List.of(s(1), s(2)), false);
    assertThat(steps.schedule())
        .containsExactly(
            new LoadShape.Steps.Step(s(0), 1),
            new LoadShape.Steps.Step(s(1), 3),
            new LoadShape.Steps.Step(s(3), 6),
            new LoadShape.Steps.Step(s(5), 9),
            new LoadShape.Steps.Step(s(7), 10));
    assertThat(steps.usersAt(s(0.5), s(60))).isEqualTo(1);
    assertThat(steps.usersAt(s(3), s(60))).isEqualTo(6);
    assertThat(steps.usersAt(s(100), s(60))).isEqualTo(10);
  }

  @Test
  void gradual_multiply_steps_multiply_and_cap_at_max() {
    var steps = new LoadShape.Steps(1, 10, null, List.of(2.0, 3.0), List.of(s(1)), false);
    assertThat(steps.schedule())
        .extracting(LoadShape.Steps.Step::users)
        .containsExactly(1, 2, 6, 10);
    assertThat(steps.schedule())
        .extracting(LoadShape.Steps.Step::at)
        .containsExactly(s(0), s(1), s(2), s(3));
  }

  @Test
  void as_in_gradual_a_step_multiplying_by_one_or_adding_nothing_keeps_the_count() {
    // gradual's own example: ramp_up_multiply [1, 2, 3], ramp_up_wait [1, 2, 3], 1 to 10
    var multiply =
        new LoadShape.Steps(1, 10, null, List.of(1.0, 2.0, 3.0), List.of(s(1), s(2), s(3)), false);
    assertThat(multiply.schedule())
        .containsExactly(
            new LoadShape.Steps.Step(s(0), 1),
            new LoadShape.Steps.Step(s(3), 2),
            new LoadShape.Steps.Step(s(6), 6),
            new LoadShape.Steps.Step(s(9), 10));
    var stays = new LoadShape.Steps(1, 10, null, List.of(1.0), List.of(s(1)), false);
    assertThat(stays.schedule()).containsExactly(new LoadShape.Steps.Step(s(0), 1));
    var addsNothing = new LoadShape.Steps(3, 10, List.of(0), null, null, false);
    assertThat(addsNothing.usersAt(s(100), s(100))).isEqualTo(3);
  }

  @Test
  void run_once_waves_apply_one_step_per_wave_as_gradual_does() {
    // gradual's example again: a step multiplying by 1 is a wave of the same size, not skipped
    var multiply =
        new LoadShape.Steps(1, 10, null, List.of(1.0, 2.0, 3.0), List.of(s(1), s(2), s(3)), true);
    assertThat(java.util.stream.IntStream.range(0, 6).map(multiply::waveUsers))
        .containsExactly(1, 1, 2, 6, 10, 10);
    var add = new LoadShape.Steps(2, 7, List.of(0, 2), null, null, true);
    assertThat(java.util.stream.IntStream.range(0, 5).map(add::waveUsers))
        .containsExactly(2, 2, 4, 6, 7);
    assertThat(add.wavesGrowAfter(3)).isTrue();
    assertThat(add.wavesGrowAfter(4)).as("at max_concurrency").isFalse();
    var stays = new LoadShape.Steps(0, 5, null, List.of(1.0), null, true);
    assertThat(stays.waveUsers(3)).isZero();
    assertThat(stays.wavesGrowAfter(0)).as("multiplying 0 by 1 never grows").isFalse();
  }

  @Test
  void steps_without_waits_use_the_default_wait_and_without_increments_jump_to_max() {
    var steps = new LoadShape.Steps(2, 5, null, null, null, false);
    assertThat(steps.schedule())
        .containsExactly(
            new LoadShape.Steps.Step(s(0), 2),
            new LoadShape.Steps.Step(LoadShape.Steps.DEFAULT_WAIT, 5));
  }

  @Test
  void invalid_shapes_name_the_setting() {
    assertThatThrownBy(() -> new LoadShape.Steps(1, 10, List.of(1), List.of(2.0), null, false))
        .hasMessageContaining("ramp_up_add or ramp_up_multiply");
    assertThatThrownBy(() -> new LoadShape.Steps(5, 2, null, null, null, false))
        .hasMessageContaining("max_concurrency must be at least 5");
    assertThatThrownBy(() -> new LoadShape.Constant(-1))
        .hasMessageContaining("users must be at least 0");
    assertThatThrownBy(() -> new LoadShape.ArrivalRate(-1, 1, 1))
        .hasMessageContaining("arrival rate");
  }

  @Test
  void constant_arrivals_are_evenly_spaced() {
    var rate = new LoadShape.ArrivalRate(100, 100, 10);
    assertThat(rate.startOf(0, 10)).isZero();
    assertThat(rate.startOf(1, 10)).isCloseTo(0.01, within(1e-12));
    assertThat(rate.startOf(999, 10)).isCloseTo(9.99, within(1e-9));
    assertThat(rate.startOf(1000, 10)).as("past the phase").isCloseTo(10.0, within(1e-9));
    assertThat(rate.startOf(1001, 10)).isInfinite();
  }

  @Test
  void ramping_arrivals_follow_the_integral_of_the_rate() {
    // 0 → 100/s over 10 s: 500 starts in all, 125 in the first 5 s.
    var rate = new LoadShape.ArrivalRate(0, 100, 10);
    assertThat(rate.startOf(125, 10)).isCloseTo(5.0, within(1e-9));
    assertThat(rate.startOf(500, 10)).isCloseTo(10.0, within(1e-9));
    assertThat(rate.startOf(501, 10)).isInfinite();
    var down = new LoadShape.ArrivalRate(100, 0, 10);
    assertThat(down.startOf(375, 10))
        .as("375 starts in the first 5 s")
        .isCloseTo(5.0, within(1e-9));
  }

  @Test
  void normal_think_time_follows_grinders_variation() {
    var think = new ThinkTime.Normal(Duration.ofMillis(1000), 0.2);
    SplittableRandom r = new SplittableRandom(1);
    double sum = 0;
    double sq = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      double ms = think.next(r).toNanos() / 1e6;
      sum += ms;
      sq += ms * ms;
    }
    double mean = sum / n;
    double sd = Math.sqrt(sq / n - mean * mean);
    assertThat(mean).isCloseTo(1000, within(5.0));
    assertThat(sd).as("σ = mean × variation / 3").isCloseTo(66.7, within(3.0));
  }

  @Test
  void thresholds_parse_units_scopes_and_reject_nonsense() {
    Threshold p99 = Threshold.parse("p99<250ms");
    assertThat(p99.metric()).isEqualTo("p99");
    assertThat(p99.limit()).isEqualTo(250);
    assertThat(p99.passes(249.9)).isTrue();
    assertThat(p99.passes(250)).isFalse();
    assertThat(Threshold.parse("max<2s").limit()).isEqualTo(2000);
    Threshold errors = Threshold.parse("errors<1%");
    assertThat(errors.percent()).isTrue();
    Threshold scoped = Threshold.parse("test 3: p99.9<=1s");
    assertThat(scoped.test()).isEqualTo(3);
    assertThat(scoped.metric()).isEqualTo("p99.9");
    assertThat(Threshold.parse("tps>=100").passes(100)).isTrue();
    assertThatThrownBy(() -> Threshold.parse("p99 under 3"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'p99<250ms'");
    assertThatThrownBy(() -> Threshold.parse("tps>5ms")).hasMessageContaining("not a time");
    assertThatThrownBy(() -> Threshold.parse("p99<5%")).hasMessageContaining("only errors");
  }

  @Test
  void thresholds_with_numbers_out_of_range_are_rejected_with_the_range() {
    assertThatThrownBy(() -> Threshold.parse("test 99999999999: mean<5"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("test number 99999999999 is out of range")
        .hasMessageContaining("2147483647");
    assertThatThrownBy(() -> Threshold.parse("test 2147483648: p99<5ms"))
        .hasMessageContaining("out of range");
    assertThat(Threshold.parse("test 2147483647: p99<5ms").test()).isEqualTo(Integer.MAX_VALUE);
    assertThat(Threshold.parse("test 007: p99<5ms").test()).isEqualTo(7);
    assertThatThrownBy(() -> Threshold.parse("mean<1e999ms"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("finite");
    assertThatThrownBy(() -> Threshold.parse("tps>1e400")).hasMessageContaining("finite");
    assertThatThrownBy(() -> Threshold.parse("max<1e308s")).hasMessageContaining("longest time");
    assertThatThrownBy(() -> Threshold.parse("errors<150%"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("at most 100%");
    assertThatThrownBy(() -> Threshold.parse("errors<=100.5%"))
        .hasMessageContaining("at most 100%");
    assertThat(Threshold.parse("errors<=100%").limit()).isEqualTo(100);
    assertThat(Threshold.parse("errors<1e6").limit()).as("a count may be large").isEqualTo(1e6);
  }

  @Test
  void an_arrival_rate_that_never_starts_an_iteration_is_rejected() {
    assertThatThrownBy(() -> new LoadShape.ArrivalRate(0, 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starts no iteration");
    assertThatThrownBy(() -> new LoadShape.ArrivalRate(-1, 5, 10)).hasMessageContaining("≥ 0");
    assertThatThrownBy(() -> new LoadShape.ArrivalRate(Double.NaN, 5, 10))
        .hasMessageContaining("≥ 0");
    assertThat(new LoadShape.ArrivalRate(0, 5, 10).peakUsers()).isEqualTo(10);
  }
}
