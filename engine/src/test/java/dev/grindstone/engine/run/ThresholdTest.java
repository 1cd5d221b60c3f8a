package dev.grindstone.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.stats.BadInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ThresholdTest {

  @Test
  void a_rule_may_name_a_phase_a_window_and_abort_on_fail_with_a_delay() {
    Threshold t =
        Threshold.parse(
            "test 2: phase 'ramp up': p99[30s]<500ms abort_on_fail delay_abort_eval=10s");
    assertThat(t.test()).isEqualTo(2);
    assertThat(t.phase()).isEqualTo("ramp up");
    assertThat(t.metric()).isEqualTo("p99");
    assertThat(t.window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(t.limit()).isEqualTo(500);
    assertThat(t.abortOnFail()).isTrue();
    assertThat(t.delayAbortEval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(t.isLive()).isTrue();
    assertThat(Threshold.parse(t.text())).as("the text parses to the same rule").isEqualTo(t);

    Threshold plain = Threshold.parse("phase steady: errors<1%");
    assertThat(plain.phase()).isEqualTo("steady");
    assertThat(plain.window()).isNull();
    assertThat(plain.abortOnFail()).isFalse();
    assertThat(plain.isLive()).isFalse();
    assertThat(Threshold.parse("test3: mean<5").test())
        .as("as before, the space is optional")
        .isEqualTo(3);
  }

  @Test
  void abort_on_fail_can_be_added_in_code() {
    Threshold t = Threshold.parse("max<2s").abortingOnFail(Duration.ofMillis(1500));
    assertThat(t.text()).isEqualTo("max<2s abort_on_fail delay_abort_eval=1500ms");
    assertThat(t.abortingOnFail(Duration.ZERO).text()).isEqualTo("max<2s abort_on_fail");
  }

  @Test
  void bad_windows_options_and_selectors_are_refused_with_what_to_write() {
    assertThatThrownBy(() -> Threshold.parse("p99[soon]<5ms"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "the window 'soon' is not a duration; write it as 500ms, 30s, 5m or 1h");
    assertThatThrownBy(() -> Threshold.parse("p99[0s]<5ms"))
        .hasMessageContaining("the window must be longer than 0");
    assertThatThrownBy(() -> Threshold.parse("p99<5ms abort"))
        .hasMessageContaining("'abort' is not an option");
    assertThatThrownBy(() -> Threshold.parse("p99<5ms delay_abort_eval=5s"))
        .hasMessageContaining("delay_abort_eval delays abort_on_fail");
    assertThatThrownBy(() -> Threshold.parse("phase a: phase b: p99<5ms"))
        .hasMessageContaining("names two phases");
    assertThatThrownBy(() -> Threshold.parse("phase : p99<5ms"))
        .hasMessageContaining("'phase:' needs a phase name");
  }

  @Test
  void a_run_refuses_a_rule_on_a_phase_it_has_not_and_a_window_shorter_than_its_period() {
    assertThatThrownBy(
            () ->
                RunConfig.builder("r")
                    .phase(Phase.hold("hold", Duration.ofSeconds(1), 1))
                    .threshold("phase steady: p99<1s")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Threshold 'phase steady: p99<1s' names the phase 'steady', but the run has no such"
                + " phase; its phases are hold");
    assertThatThrownBy(
            () ->
                RunConfig.builder("r")
                    .phase(Phase.hold("hold", Duration.ofSeconds(1), 1))
                    .threshold("p99[500ms]<1s")
                    .build())
        .hasMessageContaining(
            "the window (500 ms) is shorter than the collection period (1000 ms)");
  }
}
