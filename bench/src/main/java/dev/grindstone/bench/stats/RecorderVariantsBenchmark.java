package dev.grindstone.bench.stats;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What a latency record costs, part by part, on one thread: one atomic increment (the unit every
 * wait-free recorder pays several of), HdrHistogram's {@code Recorder} over an auto-resizing
 * concurrent histogram, over a fixed-range atomic histogram, and a {@code SingleWriterRecorder}:
 * the designs {@code LatencyRecorder}'s striped plain histograms replaced. Read with {@link
 * LatencyRecorderBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class RecorderVariantsBenchmark {

  private final AtomicLong counter = new AtomicLong();
  private final Recorder resizing = new Recorder(3);
  private final Recorder fixedRange = new Recorder(1, 3_600_000_000L, 3);
  private final SingleWriterRecorder singleWriter = new SingleWriterRecorder(3);

  @Benchmark
  public long atomicIncrement() {
    return counter.incrementAndGet();
  }

  @Benchmark
  public void resizingConcurrentRecorder(LatencyRecorderBenchmark.Values values) {
    resizing.recordValue(values.next());
  }

  @Benchmark
  public void fixedRangeAtomicRecorder(LatencyRecorderBenchmark.Values values) {
    fixedRange.recordValue(values.next());
  }

  @Benchmark
  public void singleWriterRecorder(LatencyRecorderBenchmark.Values values) {
    singleWriter.recordValue(values.next());
  }
}
