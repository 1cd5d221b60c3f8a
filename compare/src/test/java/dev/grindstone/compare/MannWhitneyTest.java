package dev.grindstone.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Known answers computed independently with SciPy 1.17 ({@code scipy.stats.mannwhitneyu},
 * two-sided).
 */
class MannWhitneyTest {

  @Test
  void fully_separated_samples_of_five_give_the_smallest_exact_p() {
    MannWhitney.Result r =
        MannWhitney.test(
            new double[] {1.1, 2.3, 3.5, 4.2, 5.0}, new double[] {6.1, 7.2, 8.3, 9.4, 10.5});
    assertThat(r.exact()).isTrue();
    assertThat(r.u()).isZero();
    assertThat(r.p()).isCloseTo(0.007936507936507936, within(1e-12));
    assertThat(MannWhitney.smallestP(5, 5)).isCloseTo(r.p(), within(1e-12));
  }

  @Test
  void interleaved_samples_match_the_exact_distribution() {
    MannWhitney.Result r =
        MannWhitney.test(new double[] {19, 22, 16, 29, 24}, new double[] {20, 11, 17, 12});
    assertThat(r.u()).isEqualTo(17);
    assertThat(r.p()).isCloseTo(0.1111111111111111, within(1e-12));
  }

  @Test
  void twenty_against_twenty_five_match_the_exact_distribution() {
    double[] x = {
      9.488239, 11.022863, 9.547808, 9.369863, 8.139964, 9.573396, 12.223835, 10.848293, 12.073758,
      10.497805, 10.789539, 10.370653, 6.667875, 11.710502, 11.01277, 10.997636, 6.617271, 6.512224,
      8.220769, 9.063621
    };
    double[] y = {
      11.610892, 10.908177, 12.04195, 9.715531, 11.617406, 11.788309, 9.677725, 14.435061,
      12.113219, 13.39401, 9.759334, 9.520968, 10.311907, 10.787157, 12.264157, 11.496855, 10.10529,
      9.086175, 9.958819, 13.441843, 9.384107, 11.489517, 11.853038, 8.020514, 11.096949
    };
    MannWhitney.Result r = MannWhitney.test(x, y);
    assertThat(r.exact()).isTrue();
    assertThat(r.u()).isEqualTo(152);
    assertThat(r.p()).isCloseTo(0.02489470534509548, within(1e-10));
  }

  @Test
  void ties_use_the_normal_approximation_with_tie_and_continuity_corrections() {
    MannWhitney.Result r =
        MannWhitney.test(
            new double[] {5, 5, 6, 7, 7, 7, 8, 9, 9, 10, 12, 12},
            new double[] {6, 7, 8, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15});
    assertThat(r.exact()).isFalse();
    assertThat(r.u()).isEqualTo(40);
    // The error function is good to ~1e-7 relative; p-values are compared to a level, not printed
    // to 8 digits.
    assertThat(r.p()).isCloseTo(0.04024722315026072, within(1e-6));
  }

  @Test
  void large_samples_use_the_normal_approximation() {
    double[] x = new double[60];
    double[] y = new double[70];
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = 1000 + random.nextInt(1000);
    }
    MannWhitney.Result r = MannWhitney.test(x, y);
    assertThat(r.exact()).isFalse();
    assertThat(r.p()).isLessThan(1e-10);
  }

  @Test
  void identical_samples_show_no_difference() {
    MannWhitney.Result r = MannWhitney.test(new double[] {3, 3, 3, 3}, new double[] {3, 3, 3});
    assertThat(r.p()).isEqualTo(1.0);
  }

  @Test
  void the_test_is_symmetric_in_its_samples() {
    double[] x = {1, 4, 9, 16, 25, 36};
    double[] y = {2, 3, 5, 7, 11, 13, 17};
    assertThat(MannWhitney.test(x, y).p()).isCloseTo(MannWhitney.test(y, x).p(), within(1e-12));
  }

  @Test
  void smallest_p_says_when_a_sample_is_too_small_to_ever_be_significant() {
    assertThat(MannWhitney.smallestP(3, 3)).isCloseTo(0.1, within(1e-12));
    assertThat(MannWhitney.smallestP(4, 4)).isCloseTo(2.0 / 70, within(1e-12));
    assertThat(MannWhitney.smallestP(1, 1)).isEqualTo(1.0);
  }

  @Test
  void rejects_empty_samples_and_non_finite_values() {
    assertThatThrownBy(() -> MannWhitney.test(new double[0], new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one value");
    assertThatThrownBy(() -> MannWhitney.test(new double[] {Double.NaN}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite");
  }

  @Test
  void the_error_function_matches_known_values() {
    assertThat(MannWhitney.erfc(0)).isCloseTo(1.0, within(1e-7));
    assertThat(MannWhitney.erfc(1)).isCloseTo(0.157299207050285, within(1e-7));
    assertThat(MannWhitney.upperTail(1.959963984540054)).isCloseTo(0.025, within(1e-8));
  }
}
