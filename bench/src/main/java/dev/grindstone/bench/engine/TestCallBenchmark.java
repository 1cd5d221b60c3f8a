package dev.grindstone.bench.engine;

import dev.grindstone.engine.Test;
import dev.grindstone.engine.internal.DataLogRing;
import dev.grindstone.engine.internal.Recording;
import dev.grindstone.engine.internal.WorkerContext;
import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticsSchema;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one wrapped, reported no-op Test call on a virtual user's context: two clock reads,
 * the report into the striped accumulators and the latency histogram, and (with the data log) a row
 * into the bounded queue, drained by a writer thread as in a real run. Target: ≤ 100 ns/op and
 * 0 B/op with {@code -prof gc}, for 1 and 4 threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TestCallBenchmark {

  @State(Scope.Benchmark)
  public static class Run {
    @Param({"false", "true"})
    public boolean dataLog;

    Recording recording;
    DataLogRing ring;
    Thread drainer;
    volatile boolean stop;
    final AtomicInteger users = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      StatisticsSchema schema = StatisticsSchema.withHttp();
      ring = dataLog ? new DataLogRing(schema, 1 << 16) : null;
      recording = new Recording(schema, ring, System.nanoTime(), System.currentTimeMillis(),
          StandardViews.summary(schema));
      if (ring != null) {
        drainer = Thread.ofPlatform().daemon().start(() -> {
          while (!stop) {
            if (ring.drain(row -> { }) == 0) {
              Thread.onSpinWait();
            }
          }
        });
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
      stop = true;
      if (drainer != null) {
        drainer.join();
      }
    }
  }

  @State(Scope.Thread)
  public static class User {
    WorkerContext context;
    Runnable call;

    @Setup(Level.Trial)
    public void setUp(Run run) {
      context = new WorkerContext(run.recording, run.users.getAndIncrement());
      context.attach();
      call = new Test(1, "no-op").wrap(() -> { });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      context.detach();
    }
  }

  @Benchmark
  public void wrappedNoOpCall(User user) {
    user.call.run();
  }
}
