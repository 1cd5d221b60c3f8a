package dev.grindstone.bench.engine;

import dev.grindstone.engine.Test;
import dev.grindstone.engine.internal.Recording;
import dev.grindstone.engine.internal.WorkerContext;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.http.load.HttpPlugin;
import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticsSchema;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

/**
 * One wrapped, reported no-op Test call (as {@link TestCallBenchmark}, without the data log) and
 * the two clock reads it needs, measured in <em>CPU time</em> per call with 1 and 4 threads. With
 * more threads than cores, JMH's elapsed time per call counts the time each thread waits for a
 * core; the CPU time a call takes does not depend on that. Each figure is the median over the
 * threads of 11 rounds of 2 million calls per thread, after 5 warm-up rounds.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.grindstone.bench.engine.CallCpuTimeBench}
 */
public final class CallCpuTimeBench {

  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static final int CALLS = 2_000_000;
  private static final int WARM_UP = 5;
  private static final int ROUNDS = 11;
  private static volatile long sink;

  public static void main(String[] args) throws Exception {
    System.out.printf(
        Locale.ROOT, "%-8s %-30s %s%n", "threads", "what", "CPU ns per call (median)");
    for (int threads : new int[] {1, 4}) {
      System.out.printf(
          Locale.ROOT,
          "%-8d %-30s %.1f%n",
          threads,
          "two System.nanoTime() reads",
          median(threads, false));
      System.out.printf(
          Locale.ROOT, "%-8d %-30s %.1f%n", threads, "wrapped no-op call", median(threads, true));
    }
  }

  /** The median CPU time per call over every thread's measured rounds. */
  private static double median(int threads, boolean call) throws Exception {
    PluginSchema plugins = PluginSchema.of(List.of(HttpPlugin.INSTANCE));
    StatisticsSchema schema = plugins.statistics();
    Recording recording =
        new Recording(
            plugins,
            null,
            System.nanoTime(),
            System.currentTimeMillis(),
            StandardViews.summary(schema));
    Runnable noOp = new Test(1, "no-op").wrap(() -> {});
    CyclicBarrier rounds = new CyclicBarrier(threads);
    double[][] perThread = new double[threads][ROUNDS];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    WorkerContext context = new WorkerContext(recording, id);
                    context.attach();
                    try {
                      for (int r = 0; r < WARM_UP + ROUNDS; r++) {
                        rounds.await(); // every thread runs each round at the same time
                        long before = MX.getCurrentThreadCpuTime();
                        long consumed = call ? calls(noOp) : clockReads();
                        long cpu = MX.getCurrentThreadCpuTime() - before;
                        sink += consumed;
                        if (r >= WARM_UP) {
                          perThread[id][r - WARM_UP] = (double) cpu / CALLS;
                        }
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    } finally {
                      context.detach();
                    }
                  }));
    }
    for (Thread w : workers) {
      w.join();
    }
    double[] all = Arrays.stream(perThread).flatMapToDouble(Arrays::stream).sorted().toArray();
    return all[all.length / 2];
  }

  private static long calls(Runnable noOp) {
    for (int i = 0; i < CALLS; i++) {
      noOp.run();
    }
    return CALLS;
  }

  private static long clockReads() {
    long sum = 0;
    for (int i = 0; i < CALLS; i++) {
      long start = System.nanoTime();
      sum += System.nanoTime() - start;
    }
    return sum;
  }
}
