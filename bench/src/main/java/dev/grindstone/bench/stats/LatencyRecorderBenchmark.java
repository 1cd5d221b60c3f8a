package dev.grindstone.bench.stats;

import dev.grindstone.stats.latency.LatencyRecorder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Recording one call's latency into a test's {@link LatencyRecorder} (striped plain histograms
 * behind one compare-and-set), from one, two and four threads sharing the recorder, as virtual
 * users of one test do. Recording must not allocate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LatencyRecorderBenchmark {

  private final LatencyRecorder recorder = new LatencyRecorder();

  /** Each thread's own sequence of values, 1 µs to about 1 s. */
  @State(Scope.Thread)
  public static class Values {
    long value = 1;

    long next() {
      value = (value * 6364136223846793005L + 1442695040888963407L);
      return 1 + ((value >>> 33) & 0xFFFFF);
    }
  }

  @Benchmark
  @Threads(1)
  public void recordOneThread(Values values) {
    recorder.recordSuccess(values.next());
  }

  @Benchmark
  @Threads(2)
  public void recordTwoThreads(Values values) {
    recorder.recordSuccess(values.next());
  }

  @Benchmark
  @Threads(4)
  public void recordFourThreads(Values values) {
    recorder.recordSuccess(values.next());
  }
}
