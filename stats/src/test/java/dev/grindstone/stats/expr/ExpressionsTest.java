package dev.grindstone.stats.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.management.ThreadMXBean;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.StatisticsSource;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionsTest {

  private final StatisticsSchema schema = StatisticsSchema.standard();
  private final StatisticsSet set = new StatisticsSet(schema);

  @BeforeEach
  void fill() {
    SampleIndex timed = schema.sampleIndex("timedTests");
    for (long ms : new long[] {10, 20, 30, 40}) {
      set.addSample(timed, ms * 1000); // stored in µs
    }
    set.setLong(schema.longIndex("errors"), 1);
    set.setLong(schema.longIndex("period"), 2000);
    set.setLong(schema.longIndex("userLong0"), 7);
    set.setDouble(schema.doubleIndex("userDouble0"), 2.5);
  }

  private Expression parse(String text) {
    return Expressions.parse(text, schema);
  }

  private double eval(String text) {
    return parse(text).getDoubleValue(set);
  }

  @Test
  void grinders_standard_expressions_give_the_worked_example() {
    assertThat(parse("(+ (count timedTests) untimedTests)").getLongValue(set)).isEqualTo(4);
    assertThat(eval("(/ (sum timedTests) (count timedTests))")).isCloseTo(25.0, within(1e-9));
    assertThat(eval("(sqrt (variance timedTests))")).isCloseTo(11.1803, within(1e-4));
    assertThat(eval("(* 1000 (/ (+ (count timedTests) untimedTests) period))")).isEqualTo(2.0);
    assertThat(eval("(* (/ errors period) 1000)")).isEqualTo(0.5);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "(+)                      | 0",
        "(*)                      | 1",
        "(+ 1 2 3)                | 6",
        "(* 2 3 4)                | 24",
        "(- 5)                    | -5",
        "(- 10 3 2)               | 5",
        "(/ 7 2)                  | 3.5",
        "(sqrt 16)                | 4",
        "userLong0                | 7",
        "(+ userLong0 userDouble0)| 9.5",
        "2.5                      | 2.5",
        "1e3                      | 1000",
        "-3                       | -3",
        "(count timedTests)       | 4",
        "(sum timedTests)         | 100",
        "(variance timedTests)    | 125",
        "(min timedTests)         | 10",
        "(max timedTests)         | 40",
      })
  void operators_and_leaves_evaluate_as_grinder_defines_them(String text, double expected) {
    assertThat(eval(text)).isCloseTo(expected, within(1e-9));
  }

  @Test
  void arithmetic_stays_long_unless_an_operand_is_double() {
    assertThat(parse("(+ 1 2)").isDouble()).isFalse();
    assertThat(parse("(* errors 3)").isDouble()).isFalse();
    assertThat(parse("(+ 1 2.0)").isDouble()).isTrue();
    assertThat(parse("(/ 4 2)").isDouble()).as("division is always double").isTrue();
    assertThat(parse("(sqrt 4)").isDouble()).isTrue();
    assertThat(parse("(count timedTests)").isDouble()).isFalse();
    assertThat(parse("(- (+ 1 2))").isDouble()).isFalse();
  }

  @Test
  void long_arithmetic_wraps_and_double_read_as_long_truncates() {
    assertThat(parse("(+ 9223372036854775807 1)").getLongValue(set)).isEqualTo(Long.MIN_VALUE);
    assertThat(parse("(/ 7 2)").getLongValue(set)).isEqualTo(3);
    assertThat(parse("(- 2.9)").getLongValue(set)).isEqualTo(-2);
  }

  @Test
  void division_by_zero_gives_infinity_or_nan() {
    assertThat(eval("(/ 1 0)")).isInfinite();
    assertThat(eval("(/ 0 0)")).isNaN();
  }

  @Test
  void to_string_is_normalized() {
    assertThat(parse("  (  +   (count   timedTests)untimedTests ) ").toString())
        .isEqualTo("(+ (count timedTests) untimedTests)");
    assertThat(parse("(percentile timedTests 99.9)").toString())
        .isEqualTo("(percentile timedTests 99.9)");
  }

  @Test
  void percentile_reads_the_sources_histogram_in_milliseconds() {
    Expression p = parse("(percentile timedTests 99)");
    assertThat(p.getDoubleValue(set)).as("no histogram: NaN").isNaN();
    org.HdrHistogram.Histogram h = dev.grindstone.stats.latency.Histograms.newHistogram();
    for (long ms : new long[] {10, 20, 30, 40}) {
      h.recordValue(ms * 1000L); // the same calls as the set's
    }
    StatisticsSource withHistogram =
        dev.grindstone.stats.results.TestFigures.of(1, "", false, 1000, set, h, null);
    assertThat(p.getDoubleValue(withHistogram)).as("never above the exact max").isEqualTo(40.0);
    assertThat(parse("(percentile timedTests 50)").getDoubleValue(withHistogram))
        .isCloseTo(20.0, within(0.03));
  }

  @Test
  void min_and_max_of_an_empty_sample_are_nan() {
    StatisticsSet empty = new StatisticsSet(schema);
    assertThat(parse("(min timedTests)").getDoubleValue(empty)).isNaN();
    assertThat(parse("(max timedTests)").getDoubleValue(empty)).isNaN();
  }

  @Test
  void the_variance_of_an_empty_sample_is_nan_like_its_mean() {
    StatisticsSet empty = new StatisticsSet(schema);
    empty.addLong(schema.longIndex("errors"), 3); // only failed calls: no time was recorded
    assertThat(parse("(/ (sum timedTests) (count timedTests))").getDoubleValue(empty)).isNaN();
    assertThat(parse("(variance timedTests)").getDoubleValue(empty)).isNaN();
    assertThat(parse("(sqrt (variance timedTests))").getDoubleValue(empty)).isNaN();
    StatisticsSet one = new StatisticsSet(schema);
    one.addSample(schema.sampleIndex("timedTests"), 5000);
    assertThat(parse("(sqrt (variance timedTests))").getDoubleValue(one))
        .as("one call: defined, 0")
        .isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      emptyValue = "",
      value = {
        "\"\"                   | 1  | the expression is empty",
        "(+ timedTest 1)      | 4  | unknown token 'timedTest'",
        "timedTests           | 1  | 'timedTests' is a sample statistic; read it with (sum"
            + " timedTests)",
        "(avg errors)         | 2  | unknown operator 'avg'",
        "(/ 1 2 3)            | 8  | '/' takes exactly 2 operands, found more",
        "(/ 1)                | 5  | '/' takes exactly 2 operands, found 1",
        "(-)                  | 3  | '-' takes at least 1 operand, found 0",
        "(+ 1 2               | 7  | expected ')' to close the '(' at character 1, but the"
            + " expression ended",
        "(sum errors)         | 6  | 'errors' is a basic long statistic; 'sum' needs a sample"
            + " statistic",
        "(sum timedTest)      | 6  | unknown sample statistic 'timedTest'",
        "errors errors        | 8  | unexpected 'errors' after the end of the expression",
        "()                   | 2  | expected an operator",
        "(percentile timedTests 101) | 24 | a number from 0 to 100",
        "sqrt                 | 1  | the operator 'sqrt' must follow '('",
        ")                    | 1  | unexpected ')'",
      })
  void parse_errors_name_the_position_the_token_and_what_was_expected(
      String text, int position, String message) {
    assertThatThrownBy(() -> parse(text))
        .isInstanceOf(ExpressionException.class)
        .hasMessageStartingWith("Parse exception: ")
        .hasMessageContaining(message)
        .hasMessageEndingWith(", at character " + position + " of '" + text + "'")
        .satisfies(e -> assertThat(((ExpressionException) e).position()).isEqualTo(position));
  }

  @Test
  void evaluation_does_not_allocate() {
    Expression[] expressions = {
      parse("(* 1000 (/ (+ (count timedTests) untimedTests) period))"),
      parse("(sqrt (variance timedTests))"),
      parse("(- (+ errors userLong0 (* 2 userDouble0)) 1 2)"),
      parse("(max timedTests)"),
    };
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    double sink = 0;
    for (int i = 0; i < 20_000; i++) { // warm up so the JIT's own work is done
      for (Expression e : expressions) {
        sink += e.getDoubleValue(set) + e.getLongValue(set);
      }
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 100_000; i++) {
      for (Expression e : expressions) {
        sink += e.getDoubleValue(set) + e.getLongValue(set);
      }
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(sink).isNotNaN();
    // 400,000 evaluations; any per-call allocation would be at least 6.4 MB.
    assertThat(allocated).as("bytes allocated by 400,000 evaluations").isLessThan(64 * 1024);
  }
}
