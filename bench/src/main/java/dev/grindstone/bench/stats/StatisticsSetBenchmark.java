package dev.grindstone.bench.stats;

import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.http.load.HttpPlugin;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-call cost of {@link StatisticsSet}: adding one timed sample (what every successful call
 * does) and merging two sets with the HTTP statistics (what every report interval does per test).
 * Both must not allocate.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StatisticsSetBenchmark {

  /** The standard statistics and the HTTP plug-in's, as an HTTP run has them. */
  private static final PluginSchema HTTP = PluginSchema.of(List.of(HttpPlugin.INSTANCE));

  private final StatisticsSchema schema = HTTP.statistics();
  private final SampleIndex timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
  private final LongIndex errors = schema.longIndex(StatisticsSchema.ERRORS);
  private final LongIndex length = schema.longIndex(HttpPlugin.RESPONSE_LENGTH.name());
  private StatisticsSet set;
  private StatisticsSet other;
  private long value;

  @Setup
  public void setUp() {
    set = new StatisticsSet(schema);
    other = new StatisticsSet(schema);
    for (int i = 0; i < 100; i++) {
      other.addSample(timed, 1_000 + i * 37L);
      other.addLong(length, 512);
    }
    other.addLong(errors, 3);
  }

  /** One call's time, in µs; the value varies so the variance update cannot be folded away. */
  @Benchmark
  public StatisticsSet addSample() {
    value = (value + 7919) & 0xFFFFF;
    set.addSample(timed, value);
    return set;
  }

  /** Pooled merge of a set of 100 samples with HTTP statistics into another. */
  @Benchmark
  public StatisticsSet merge() {
    set.add(other);
    return set;
  }
}
