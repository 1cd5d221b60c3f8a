package dev.grindstone.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.grindstone.compare.Comparison.Options;
import dev.grindstone.compare.Noise.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {

  /** 30 intervals of 10.0 to 10.4 ms at 100 to 102 TPS, no errors. */
  static List<Figures> steady(double base) {
    return Runs.intervals(30, i -> Runs.figures(100 + i % 3, 0, 100 + i % 3, base + (i % 5) * 0.1));
  }

  static TestResults test(int n, String description, Figures run, List<Figures> intervals) {
    return new TestResults(n, description, run, intervals);
  }

  static RunResults run(String id, double base, Figures figures, Figures test2) {
    TestResults t1 = test(1, "Log in", figures, steady(base));
    List<TestResults> tests =
        test2 == null ? List.of(t1) : List.of(t1, test(2, "Search", test2, steady(base)));
    return Runs.run(id, "checkout", tests, new TestResults(-1, "", figures, steady(base)));
  }

  static Options tolerances(String... p99AndTps) {
    return new Options(
        0.01,
        List.of(
            Tolerance.parse(Metric.P99, "--max-p99-increase", p99AndTps[0]),
            Tolerance.parse(Metric.TPS, "--max-tps-decrease", p99AndTps[1])),
        false);
  }

  @Test
  void a_shift_beyond_the_interval_spread_is_significant_and_breaks_the_tolerance() {
    RunResults a =
        run("a", 10, new Figures(3000, 0, 100, 10.2, 10.2, 12, 15, 20), Runs.figures(10, 0, 1, 5));
    RunResults b = run("b", 13, new Figures(3000, 0, 100, 13.2, 13.2, 15.6, 19.5, 26), null);
    Comparison c = Comparison.of(a, b, tolerances("10%", "5%"));

    Comparison.TestComparison t1 = c.tests().get(0);
    Change p99 = t1.change(Metric.P99);
    assertThat(p99.relativePercent()).isCloseTo(30, within(1e-9));
    assertThat(p99.describe()).isEqualTo("+30.00%");
    assertThat(p99.noise().verdict()).isEqualTo(Verdict.SIGNIFICANT);
    assertThat(p99.noise().intervalsA()).isEqualTo(30);
    // The TPS intervals are the same in both runs: no evidence of a change.
    assertThat(t1.change(Metric.TPS).noise().verdict()).isEqualTo(Verdict.WITHIN_NOISE);
    assertThat(t1.change(Metric.TPS).noise().p()).isEqualTo(1.0);
    assertThat(t1.change(Metric.COUNT).noise().verdict()).isEqualTo(Verdict.NOT_TESTED);

    assertThat(c.tests())
        .extracting(Comparison.TestComparison::scope)
        .containsExactly("Test 1", "Totals");
    assertThat(c.onlyInA()).extracting(TestResults::test).containsExactly(2);
    assertThat(c.tolerances())
        .extracting(RuleResult::scope, RuleResult::passed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Test 1 \"Log in\"", false),
            org.assertj.core.groups.Tuple.tuple("Totals", false),
            org.assertj.core.groups.Tuple.tuple("Test 1 \"Log in\"", true),
            org.assertj.core.groups.Tuple.tuple("Totals", true));
    RuleResult broken = c.tolerances().get(0);
    assertThat(broken.rule()).isEqualTo("p99 increase at most 10%");
    assertThat(broken.actual()).isEqualTo("+30.00% (15.00 ms -> 19.50 ms)");
    assertThat(broken.expected()).isEqualTo("an increase of at most 10%");
    assertThat(broken.message())
        .contains("beyond an increase of at most 10%")
        .contains("significant (p < 0.0001)");
    assertThat(c.regressed()).isTrue();
  }

  @Test
  void a_change_within_the_noise_keeps_the_tolerance_unless_noise_is_ignored() {
    RunResults a = run("a", 10, new Figures(3000, 0, 100, 10.2, 10.2, 12, 15, 20), null);
    RunResults b = run("b", 10, new Figures(3000, 0, 100, 10.2, 10.2, 12, 16.8, 20), null);
    Comparison c = Comparison.of(a, b, tolerances("10%", "5%"));
    RuleResult p99 = c.tolerances().get(0);
    assertThat(p99.passed()).isTrue();
    assertThat(p99.message())
        .contains("+12.00%")
        .contains("within noise (p = 1.00): not counted as a regression");
    assertThat(c.regressed()).isFalse();

    Comparison strict =
        Comparison.of(a, b, new Options(0.01, tolerances("10%", "5%").tolerances(), true));
    assertThat(strict.tolerances().get(0).passed()).isFalse();
    assertThat(strict.regressed()).isTrue();
  }

  @Test
  void with_too_few_intervals_a_breach_counts_as_it_is() {
    List<Figures> three = Runs.intervals(3, i -> Runs.figures(100, 0, 100, 10));
    RunResults a =
        Runs.run(
            "a",
            "x",
            List.of(test(1, "", Runs.figures(300, 0, 100, 10), three)),
            test(-1, "", Runs.figures(300, 0, 100, 10), three));
    RunResults b =
        Runs.run(
            "b",
            "x",
            List.of(test(1, "", Runs.figures(300, 0, 100, 12), three)),
            test(-1, "", Runs.figures(300, 0, 100, 12), three));
    Comparison c = Comparison.of(a, b, tolerances("10%", "5%"));
    Change p99 = c.tests().get(0).change(Metric.P99);
    assertThat(p99.noise().verdict()).isEqualTo(Verdict.TOO_FEW_INTERVALS);
    assertThat(p99.noise().describe()).isEqualTo("too few intervals (3 and 3)");
    assertThat(c.tolerances().get(0).passed()).isFalse();
  }

  @Test
  void error_rates_change_in_points_and_tps_tolerances_look_at_decreases() {
    List<Figures> iv = steady(10);
    RunResults a =
        Runs.run(
            "a",
            "x",
            List.of(test(1, "", new Figures(990, 10, 100, 10, 10, 10, 10, 10), iv)),
            test(-1, "", new Figures(990, 10, 100, 10, 10, 10, 10, 10), iv));
    RunResults b =
        Runs.run(
            "b",
            "x",
            List.of(test(1, "", new Figures(1170, 30, 120, 10, 10, 10, 10, 10), iv)),
            test(-1, "", new Figures(1170, 30, 120, 10, 10, 10, 10, 10), iv));
    Options options =
        new Options(
            0.01,
            List.of(
                Tolerance.parse(Metric.ERROR_RATE, "--max-error-rate-increase", "0.5%"),
                Tolerance.parse(Metric.TPS, "--max-tps-decrease", "1%")),
            true);
    Comparison c = Comparison.of(a, b, options);
    Change errors = c.tests().get(0).change(Metric.ERROR_RATE);
    assertThat(errors.a()).isCloseTo(1.0, within(1e-12));
    assertThat(errors.b()).isCloseTo(2.5, within(1e-12));
    assertThat(errors.describe()).isEqualTo("+1.50 pts");
    assertThat(c.tolerances().get(0).passed()).isFalse();
    assertThat(c.tolerances().get(0).actual()).isEqualTo("+1.50 pts (1.00% -> 2.50%)");
    // TPS went up by 20%: no decrease, so the TPS tolerance holds.
    assertThat(c.tolerances().get(2).passed()).isTrue();
  }

  @Test
  void tests_that_changed_description_or_exist_in_one_run_only_are_noted() {
    List<Figures> iv = steady(10);
    RunResults a =
        Runs.run(
            "a",
            "checkout",
            List.of(test(1, "Log in", Runs.figures(1, 0, 1, 1), iv)),
            test(-1, "", Runs.figures(1, 0, 1, 1), iv));
    RunResults b =
        Runs.run(
            "b",
            "checkout-v2",
            List.of(
                test(1, "Sign in", Runs.figures(1, 0, 1, 1), iv),
                test(4, "New", Runs.figures(1, 0, 1, 1), iv)),
            test(-1, "", Runs.figures(1, 0, 1, 1), iv));
    Comparison c = Comparison.of(a, b, Options.defaults());
    assertThat(c.onlyInB()).extracting(TestResults::test).containsExactly(4);
    assertThat(c.notes())
        .containsExactly(
            "The runs have different names: 'checkout' (A) and 'checkout-v2' (B).",
            "Test 1 is \"Log in\" in A and \"Sign in\" in B.");
    assertThat(c.tolerances()).isEmpty();
    assertThat(c.regressed()).isFalse();
  }

  @Test
  void a_test_with_no_successful_call_in_b_fails_its_latency_tolerance() {
    List<Figures> iv = steady(10);
    Figures none =
        new Figures(0, 50, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    RunResults a =
        Runs.run(
            "a",
            "x",
            List.of(test(1, "", Runs.figures(100, 0, 10, 10), iv)),
            test(-1, "", Runs.figures(100, 0, 10, 10), iv));
    RunResults b =
        Runs.run("b", "x", List.of(test(1, "", none, List.of())), test(-1, "", none, List.of()));
    Comparison c = Comparison.of(a, b, tolerances("10%", "50%"));
    RuleResult p99 = c.tolerances().get(0);
    assertThat(p99.passed()).isFalse();
    assertThat(p99.message())
        .isEqualTo("Test 1: p99 has no figure in B (no successful call), against 15.00 ms in A");
  }

  @Test
  void options_are_checked_when_made() {
    assertThatThrownBy(() -> new Options(1, List.of(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("above 0 and below 1, got 1.0");
  }
}
