package dev.grindstone.bench.stats;

import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.http.load.HttpPlugin;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.expr.Expression;
import dev.grindstone.stats.expr.Expressions;
import dev.grindstone.stats.latency.LatencyRecorder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The statistics benchmarks measured in <em>CPU time</em> per operation (the thread's CPU time over
 * a loop of operations) rather than JMH's elapsed time. On a shared machine whose cores are busy
 * with other work, elapsed time counts the time a thread waits for a core; CPU time does not, so it
 * approaches what the operation costs on a quiet machine. Each figure is the median of 15 runs of 2
 * million operations, after 10 warm-up runs. A complement to the JMH benchmarks, not a replacement:
 * JMH guards against dead-code elimination and other measurement traps; here every loop's result is
 * consumed.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.grindstone.bench.stats.CpuTimeBench [NAME
 * PART]}
 */
public final class CpuTimeBench {

  /** The standard statistics and the HTTP plug-in's, as an HTTP run has them. */
  private static final PluginSchema HTTP = PluginSchema.of(List.of(HttpPlugin.INSTANCE));

  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static final int OPS = 2_000_000;
  private static volatile long sink;

  /**
   * A loop of one operation; each subclass holds its own loop so every call site stays monomorphic.
   */
  abstract static class Op {
    final String name;

    Op(String name) {
      this.name = name;
    }

    abstract long run(int n);
  }

  public static void main(String[] args) throws Exception {
    StatisticsSchema schema = HTTP.statistics();
    SampleIndex timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
    LongIndex errors = schema.longIndex(StatisticsSchema.ERRORS);
    LongIndex length = schema.longIndex(HttpPlugin.RESPONSE_LENGTH.name());
    StatisticsSet data = new StatisticsSet(schema);
    for (int i = 0; i < 1000; i++) {
      data.addSample(timed, 10_000 + (i * 7919L) % 50_000);
      data.addLong(length, 512);
    }
    data.addLong(errors, 12);
    data.setLong(schema.longIndex(StatisticsSchema.PERIOD), 60_000);

    List<Op> ops = new ArrayList<>();
    ops.add(
        new Op("StatisticsSet.addSample") {
          final StatisticsSet set = new StatisticsSet(schema);
          long v;

          long run(int n) {
            for (int i = 0; i < n; i++) {
              v = (v + 7919) & 0xFFFFF;
              set.addSample(timed, v);
            }
            return set.getSum(timed);
          }
        });
    ops.add(
        new Op("StatisticsSet.merge") {
          final StatisticsSet set = new StatisticsSet(schema);

          long run(int n) {
            for (int i = 0; i < n; i++) {
              set.add(data);
            }
            return set.getCount(timed);
          }
        });
    String[][] expressions = {
      {"tests", "(+ (count timedTests) untimedTests)"},
      {"errors", "errors"},
      {"mean", "(/ (sum timedTests) (count timedTests))"},
      {"sd", "(sqrt (variance timedTests))"},
      {"tps", "(* 1000 (/ (+ (count timedTests) untimedTests) period))"},
    };
    for (String[] e : expressions) {
      Expression x = Expressions.parse(e[1], schema);
      ops.add(
          new Op("Expression.evaluate " + e[0]) {
            long run(int n) {
              double total = 0;
              for (int i = 0; i < n; i++) {
                total += x.getDoubleValue(data);
              }
              return (long) total;
            }
          });
    }
    ops.add(
        new Op("AtomicLong.incrementAndGet") {
          final AtomicLong counter = new AtomicLong();

          long run(int n) {
            for (int i = 0; i < n; i++) {
              counter.incrementAndGet();
            }
            return counter.get();
          }
        });
    LatencyRecorder shared = new LatencyRecorder();
    ops.add(recordOp("LatencyRecorder.recordSuccess, 1 thread", shared));
    Recorder resizing = new Recorder(3);
    ops.add(
        new Op("HdrHistogram Recorder, auto-resizing concurrent histogram") {
          long v = 1;

          long run(int n) {
            for (int i = 0; i < n; i++) {
              v = v * 6364136223846793005L + 1442695040888963407L;
              resizing.recordValue(1 + ((v >>> 33) & 0xFFFFF));
            }
            return v;
          }
        });
    Recorder fixed = new Recorder(1, LatencyRecorder.HIGHEST_TRACKABLE_MICROS, 3);
    ops.add(
        new Op("HdrHistogram Recorder, fixed-range atomic histogram") {
          long v = 1;

          long run(int n) {
            for (int i = 0; i < n; i++) {
              v = v * 6364136223846793005L + 1442695040888963407L;
              fixed.recordValue(1 + ((v >>> 33) & 0xFFFFF));
            }
            return v;
          }
        });
    SingleWriterRecorder single = new SingleWriterRecorder(3);
    ops.add(
        new Op("HdrHistogram SingleWriterRecorder (one writer only)") {
          long v = 1;

          long run(int n) {
            for (int i = 0; i < n; i++) {
              v = v * 6364136223846793005L + 1442695040888963407L;
              single.recordValue(1 + ((v >>> 33) & 0xFFFFF));
            }
            return v;
          }
        });

    System.out.printf(
        "| operation | threads | CPU ns/op (median of 15) | min | max"
            + " |%n|---|---:|---:|---:|---:|%n");
    String only = args.length > 0 ? args[0] : "";
    for (Op op : ops) {
      if (op.name.contains(only)) {
        report(op.name, 1, measure(List.of(op)));
      }
    }
    if (!"LatencyRecorder".contains(only) && !only.isEmpty()) {
      return;
    }
    List<Op> four = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      four.add(recordOp("LatencyRecorder.recordSuccess", shared));
    }
    report("LatencyRecorder.recordSuccess, 4 threads sharing one recorder", 4, measure(four));
  }

  private static Op recordOp(String name, LatencyRecorder recorder) {
    return new Op(name) {
      long v = 1;

      long run(int n) {
        for (int i = 0; i < n; i++) {
          v = v * 6364136223846793005L + 1442695040888963407L;
          recorder.recordSuccess(1 + ((v >>> 33) & 0xFFFFF));
        }
        return v;
      }
    };
  }

  /** CPU ns per operation of each run: every thread runs its op, CPU times are summed. */
  private static double[] measure(List<Op> ops) throws Exception {
    int runs = 25;
    int warmup = 10;
    double[] perOp = new double[runs - warmup];
    long[] cpu = new long[ops.size()];
    CyclicBarrier start = new CyclicBarrier(ops.size());
    CyclicBarrier done = new CyclicBarrier(ops.size() + 1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < ops.size(); t++) {
      int index = t;
      threads.add(
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try {
                      for (int r = 0; r < runs; r++) {
                        start.await();
                        long c0 = MX.getCurrentThreadCpuTime();
                        sink += ops.get(index).run(OPS);
                        cpu[index] = MX.getCurrentThreadCpuTime() - c0;
                        done.await();
                        done.await();
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (int r = 0; r < runs; r++) {
      done.await();
      long total = Arrays.stream(cpu).sum();
      if (r >= warmup) {
        perOp[r - warmup] = (double) total / ((long) OPS * ops.size());
      }
      done.await();
    }
    for (Thread t : threads) {
      t.join();
    }
    return perOp;
  }

  private static void report(String name, int threads, double[] perOp) {
    double[] sorted = perOp.clone();
    Arrays.sort(sorted);
    System.out.println(
        String.format(
            Locale.ROOT,
            "| %s | %d | %.1f | %.1f | %.1f |",
            name,
            threads,
            sorted[sorted.length / 2],
            sorted[0],
            sorted[sorted.length - 1]));
  }
}
