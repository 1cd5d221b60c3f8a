package dev.grindstone.bench.stats;

import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.http.load.HttpPlugin;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.expr.Expression;
import dev.grindstone.stats.expr.Expressions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Evaluating each of The Grinder's five standard summary expressions over a set, as every table,
 * snapshot and console update does. Evaluation must not allocate.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ExpressionBenchmark {

  /** The standard statistics and the HTTP plug-in's, as an HTTP run has them. */
  private static final PluginSchema HTTP = PluginSchema.of(List.of(HttpPlugin.INSTANCE));

  /**
   * The summary columns: Tests, Errors, Mean Test Time (ms), Test Time Standard Deviation (ms),
   * TPS.
   */
  @Param({"tests", "errors", "mean", "sd", "tps"})
  public String column;

  private StatisticsSet set;
  private Expression expression;

  @Setup
  public void setUp() {
    StatisticsSchema schema = HTTP.statistics();
    SampleIndex timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
    LongIndex errors = schema.longIndex(StatisticsSchema.ERRORS);
    set = new StatisticsSet(schema);
    for (int i = 0; i < 1000; i++) {
      set.addSample(timed, 10_000 + (i * 7919L) % 50_000);
    }
    set.addLong(errors, 12);
    set.setLong(schema.longIndex(StatisticsSchema.PERIOD), 60_000);
    String text =
        switch (column) {
          case "tests" -> "(+ (count timedTests) untimedTests)";
          case "errors" -> "errors";
          case "mean" -> "(/ (sum timedTests) (count timedTests))";
          case "sd" -> "(sqrt (variance timedTests))";
          case "tps" -> "(* 1000 (/ (+ (count timedTests) untimedTests) period))";
          default -> throw new IllegalArgumentException("Unknown column " + column);
        };
    expression = Expressions.parse(text, schema);
  }

  @Benchmark
  public double evaluate() {
    return expression.getDoubleValue(set);
  }
}
