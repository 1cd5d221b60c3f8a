package dev.grindstone.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanPointTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private static final List<Phase> PLAN =
      List.of(
          Phase.ramp("ramp", Duration.ofSeconds(10), 0, 10),
          Phase.hold("hold", Duration.ofSeconds(20), 10),
          Phase.rate("open", Duration.ofSeconds(10), 50, 20));

  private static PlanPoint at(List<Phase> plan, Duration wait, long millis) {
    return PlanPoint.at(plan, wait, SECOND, Duration.ofMillis(millis));
  }

  @Test
  void the_start_is_the_first_phase_with_no_interval_taken() {
    PlanPoint p = at(PLAN, Duration.ZERO, 0);
    assertThat(p.phase()).isZero();
    assertThat(p.inside()).isTrue();
    assertThat(p.intervals()).isZero();
  }

  @Test
  void a_point_inside_a_later_phase_skips_the_ended_ones_and_counts_their_cuts() {
    PlanPoint p = at(PLAN, Duration.ZERO, 12_500);
    assertThat(p.phase()).isEqualTo(1);
    assertThat(p.phaseStart()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.inside()).isTrue();
    // 12 period boundaries, and the cut at the start of "hold".
    assertThat(p.intervals()).isEqualTo(13);

    PlanPoint open = at(PLAN, Duration.ZERO, 30_000);
    assertThat(open.phase()).as("a phase starts at its start").isEqualTo(2);
    assertThat(open.intervals()).isEqualTo(30 + 2);
  }

  @Test
  void a_point_in_the_wait_between_phases_waits_for_the_next_without_its_cut() {
    PlanPoint p = at(PLAN, Duration.ofSeconds(5), 12_000);
    assertThat(p.phase()).isEqualTo(1);
    assertThat(p.phaseStart()).isEqualTo(Duration.ofSeconds(15));
    assertThat(p.inside()).isFalse();
    assertThat(p.intervals()).isEqualTo(12);
  }

  @Test
  void a_point_after_the_plan_is_past_its_last_phase() {
    PlanPoint p = at(PLAN, Duration.ZERO, 45_000);
    assertThat(p.phase()).isEqualTo(PLAN.size());
    assertThat(p.intervals()).isEqualTo(45 + 2);
  }

  @Test
  void a_phase_bounded_by_iterations_holds_every_later_point() {
    List<Phase> plan =
        List.of(
            Phase.hold("warm", Duration.ofSeconds(2), 4),
            new Phase("batch", null, new LoadShape.Constant(4), null, null, 100, null),
            Phase.hold("after", Duration.ofSeconds(5), 4));
    PlanPoint p = at(plan, Duration.ZERO, 60_000);
    assertThat(p.phase()).as("time cannot place a point past it").isEqualTo(1);
    assertThat(p.phaseStart()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.inside()).isTrue();
  }

  @Test
  void rejects_a_negative_time_and_a_period_not_positive() {
    assertThatThrownBy(() -> at(PLAN, Duration.ZERO, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("elapsed must be 0 or more");
    assertThatThrownBy(() -> PlanPoint.at(PLAN, Duration.ZERO, Duration.ZERO, SECOND))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period must be longer than 0");
  }
}
