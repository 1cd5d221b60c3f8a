package dev.grindstone.bench.engine;

import dev.grindstone.engine.Test;
import dev.grindstone.engine.internal.DataLogRing;
import dev.grindstone.engine.internal.Recording;
import dev.grindstone.engine.internal.WorkerContext;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.engine.spi.TestStatistics;
import dev.grindstone.http.load.HttpPlugin;
import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticsSchema;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * One wrapped, reported no-op Test call on one thread, in <em>CPU time</em> per call: without the
 * data log; with it (a thread drains the ring as the data-log writer does, parking 2 ms when it is
 * empty); and with a call listener, the call telling its request as the HTTP plug-in does. The ring
 * holds 2^20 rows so that the drain keeps up even on a loaded machine (a dropped row costs less
 * than a kept one; the drops are printed). Each figure is the median of 11 rounds of 2 million
 * calls, after 5 warm-up rounds.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar
 * dev.grindstone.bench.engine.DataLogCpuTimeBench}
 */
public final class DataLogCpuTimeBench {

  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static final int CALLS = 2_000_000;
  private static final String URL = "http://127.0.0.1:8080/items/42?page=2";
  private static volatile boolean stop;

  private enum Output {
    NONE,
    DATA_LOG,
    DATA_LOG_AND_LISTENER
  }

  public static void main(String[] args) throws Exception {
    for (Output o : Output.values()) {
      measure(o);
    }
  }

  private static void measure(Output output) throws Exception {
    PluginSchema plugins = PluginSchema.of(List.of(HttpPlugin.INSTANCE));
    StatisticsSchema schema = plugins.statistics();
    boolean listener = output == Output.DATA_LOG_AND_LISTENER;
    DataLogRing ring = output == Output.NONE ? null : new DataLogRing(schema, 1 << 20, listener);
    Recording recording =
        new Recording(
            plugins,
            ring,
            System.nanoTime(),
            System.currentTimeMillis(),
            StandardViews.summary(schema),
            true,
            listener ? List.of("db") : List.of(),
            List.of("bench"));
    stop = false;
    Thread drainer =
        ring == null
            ? null
            : Thread.ofPlatform()
                .daemon()
                .start(
                    () -> {
                      while (!stop) {
                        if (ring.drain(row -> {}) == 0) {
                          LockSupport.parkNanos(2_000_000);
                        }
                      }
                    });
    Runnable call =
        listener
            ? new Test(1, "no-op").wrap(() -> TestStatistics.current().request("GET", URL, 200, 12))
            : new Test(1, "no-op").wrap(() -> {});
    WorkerContext context = new WorkerContext(recording, 0);
    context.attach();
    double[] rounds = new double[11];
    try {
      for (int r = 0; r < 5 + rounds.length; r++) {
        long before = MX.getCurrentThreadCpuTime();
        for (int i = 0; i < CALLS; i++) {
          call.run();
        }
        long cpu = MX.getCurrentThreadCpuTime() - before;
        if (r >= 5) {
          rounds[r - 5] = (double) cpu / CALLS;
        }
        while (ring != null && ring.backlog() > 0) {
          Thread.onSpinWait(); // every round starts with an empty ring
        }
      }
    } finally {
      context.detach();
      stop = true;
      if (drainer != null) {
        drainer.join();
      }
    }
    Arrays.sort(rounds);
    System.out.printf(
        Locale.ROOT,
        "%-24s %6.1f CPU ns per call (median), rows dropped %d%n",
        output,
        rounds[rounds.length / 2],
        ring == null ? 0 : ring.dropped());
  }
}
