package dev.grindstone.server.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SampleTest {
  private static Sample of(double... xs) {
    double sum = 0;
    for (double x : xs) {
      sum += x;
    }
    double m = sum / xs.length;
    double v = 0;
    for (double x : xs) {
      v += (x - m) * (x - m);
    }
    return new Sample(xs.length, sum, v / xs.length);
  }

  @Test
  void variance_of_merged_sets_equals_variance_of_their_union() {
    Sample merged = of(1, 2, 3, 4).merge(of(10, 20));
    Sample union = of(1, 2, 3, 4, 10, 20);
    assertThat(merged.count()).isEqualTo(6);
    assertThat(merged.sum()).isEqualTo(40);
    assertThat(merged.variance()).isCloseTo(union.variance(), within(1e-12));
    // Known answer: E[x^2] - E[x]^2 = 530/6 - (40/6)^2.
    assertThat(merged.variance()).isCloseTo(530.0 / 6 - (40.0 / 6) * (40.0 / 6), within(1e-9));
  }

  @Test
  void merging_with_an_empty_set_yields_the_other() {
    Sample a = of(5, 7);
    assertThat(a.merge(Sample.EMPTY)).isEqualTo(a);
    assertThat(Sample.EMPTY.merge(a)).isEqualTo(a);
  }
}
