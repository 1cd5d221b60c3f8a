package dev.grindstone.bench.engine;

import dev.grindstone.engine.Test;
import dev.grindstone.engine.internal.DataLogRing;
import dev.grindstone.engine.internal.Recording;
import dev.grindstone.engine.internal.TestRecorder;
import dev.grindstone.engine.internal.WorkerContext;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.engine.spi.TestStatistics;
import dev.grindstone.http.load.HttpPlugin;
import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticsSchema;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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
 * into the bounded queue, drained by a thread that, like the data-log writer, takes every row
 * published and then waits 2 ms (the run fails if the ring ever dropped a row). Target: ≤ 100 ns/op
 * and 0 B/op with {@code -prof gc}, for 1 and 4 threads.
 *
 * <p>With {@code -p listener=true} the run has a call listener: the ring carries each call's route
 * and request, and the call tells its request (method, URL, status, bytes) as the HTTP plug-in
 * does. The records themselves are made on the consumer's thread, not measured here.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TestCallBenchmark {

  @State(Scope.Benchmark)
  public static class Run {
    @Param({"false", "true"})
    public boolean dataLog;

    @Param({"false"})
    public boolean listener;

    Recording recording;
    TestRecorder recorder;
    DataLogRing ring;
    Thread drainer;
    volatile boolean stop;
    final AtomicInteger users = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      PluginSchema plugins = PluginSchema.of(List.of(HttpPlugin.INSTANCE));
      StatisticsSchema schema = plugins.statistics();
      ring = dataLog || listener ? new DataLogRing(schema, 1 << 16, listener) : null;
      recording =
          new Recording(
              plugins,
              ring,
              System.nanoTime(),
              System.currentTimeMillis(),
              StandardViews.summary(schema),
              true,
              listener ? List.of("db") : List.of(),
              List.of("bench"));
      recorder = new TestRecorder(2, "report only", schema);
      if (ring != null) {
        drainer =
            Thread.ofPlatform()
                .daemon()
                .start(
                    () -> {
                      while (!stop) {
                        if (ring.drain(row -> {}) == 0) {
                          LockSupport.parkNanos(
                              2_000_000); // as the data-log writer does when it caught up
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
        if (ring.dropped() > 0) {
          throw new IllegalStateException(
              "the ring dropped "
                  + ring.dropped()
                  + " rows: the figure would not include every row's cost");
        }
      }
    }
  }

  private static final String URL = "http://127.0.0.1:8080/items/42?page=2";

  @State(Scope.Thread)
  public static class User {
    WorkerContext context;
    Runnable call;

    @Setup(Level.Trial)
    public void setUp(Run run) {
      context = new WorkerContext(run.recording, run.users.getAndIncrement());
      context.attach();
      call =
          run.listener
              ? new Test(1, "no-op")
                  .wrap(() -> TestStatistics.current().request("GET", URL, 200, 12))
              : new Test(1, "no-op").wrap(() -> {});
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

  /** The report alone: one call's time into the test's stripes and histogram. */
  @Benchmark
  public void reportOnly(Run run) {
    run.recorder.recordSuccess(null, 1_234, 0);
  }

  /** The floor under any timed call: the two clock reads alone, measured side by side. */
  @Benchmark
  public long twoClockReads() {
    long start = System.nanoTime();
    return System.nanoTime() - start;
  }
}
