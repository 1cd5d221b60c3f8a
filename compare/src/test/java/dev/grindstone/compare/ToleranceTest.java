package dev.grindstone.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.stats.BadInputException;
import org.junit.jupiter.api.Test;

class ToleranceTest {

  @Test
  void latencies_take_a_percentage_or_a_time() {
    Tolerance relative = Tolerance.parse(Metric.P99, "--max-p99-increase", "10%");
    assertThat(relative.relative()).isTrue();
    assertThat(relative.rule()).isEqualTo("p99 increase at most 10%");
    Tolerance seconds = Tolerance.parse(Metric.MEAN, "--max-mean-increase", "1.5s");
    assertThat(seconds.relative()).isFalse();
    assertThat(seconds.limit()).isEqualTo(1500);
    assertThat(seconds.rule()).isEqualTo("mean increase at most 1500 ms");
    assertThat(Tolerance.parse(Metric.P50, "--max-p50-increase", "500us").limit()).isEqualTo(0.5);
  }

  @Test
  void tps_takes_a_percentage_or_a_number_and_error_rates_take_points() {
    assertThat(Tolerance.parse(Metric.TPS, "--max-tps-decrease", "50").rule())
        .isEqualTo("TPS decrease at most 50");
    assertThat(Tolerance.parse(Metric.ERROR_RATE, "--max-error-rate-increase", "0.5%").rule())
        .isEqualTo("error rate increase at most 0.5 pts");
  }

  @Test
  void bad_values_are_refused_with_the_accepted_forms() {
    assertThatThrownBy(() -> Tolerance.parse(Metric.P99, "--max-p99-increase", "ten"))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "--max-p99-increase takes a percentage of the baseline's figure (10%) or a time (20ms,"
                + " 1s, 500us), got 'ten'");
    assertThatThrownBy(() -> Tolerance.parse(Metric.P99, "--max-p99-increase", "10"))
        .isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("(add % or a unit)");
    assertThatThrownBy(() -> Tolerance.parse(Metric.ERROR_RATE, "--max-error-rate-increase", "0.5"))
        .isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("(add %)");
    assertThatThrownBy(
            () -> Tolerance.parse(Metric.ERROR_RATE, "--max-error-rate-increase", "150%"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("at most 100 points");
    assertThatThrownBy(() -> Tolerance.parse(Metric.TPS, "--max-tps-decrease", "5ms"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("TPS is not a time");
    assertThatThrownBy(() -> Tolerance.parse(Metric.TPS, "--max-tps-decrease", "1e999%"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("beyond the largest number");
  }
}
