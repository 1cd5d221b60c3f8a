package dev.grindstone.bench.http;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The measured window of {@link HttpLoad} and {@link WebSocketLoad}: after the warm-up, the calls
 * completed, the errors, the process's CPU time ({@code /proc/self/stat}), the bytes the whole
 * process allocated on the heap, and the latencies recorded, over {@code seconds}. Prints one
 * {@code RESULT key=value ...} line.
 */
final class LoadWindow {
  private LoadWindow() {}

  /**
   * Sleeps through the warm-up, measures the window, waits for the users to end and prints the
   * result.
   *
   * @param extra appended to the line, such as {@code " connections=50"}
   */
  static void measure(
      Recorder recorder,
      LongAdder calls,
      LongAdder errors,
      List<Thread> users,
      int warmup,
      int seconds,
      java.util.function.Supplier<String> extra)
      throws Exception {
    Thread.sleep(warmup * 1000L);
    long cpu0 = cpuTicks();
    long alloc0 = allocatedBytes();
    long n0 = calls.sum();
    long e0 = errors.sum();
    long t0 = System.nanoTime();
    recorder.getIntervalHistogram(); // drop the warm-up's latencies
    Thread.sleep(seconds * 1000L);
    long t1 = System.nanoTime();
    long n1 = calls.sum();
    long e1 = errors.sum();
    long cpu1 = cpuTicks();
    long alloc1 = allocatedBytes();
    Histogram h = recorder.getIntervalHistogram();
    for (Thread t : users) {
      t.join();
    }
    double window = (t1 - t0) / 1e9;
    double cpu = (cpu1 - cpu0) / 100.0; // USER_HZ is 100 on Linux
    long n = n1 - n0;
    System.out.printf(
        Locale.ROOT,
        "RESULT requests=%d errors=%d seconds=%.3f rps=%.0f cpuSeconds=%.2f"
            + " perCpuSecond=%.0f allocBytesPer=%.0f p50us=%d p99us=%d maxus=%d%s%n",
        n,
        e1 - e0,
        window,
        n / window,
        cpu,
        cpu > 0 ? n / cpu : 0.0,
        n > 0 && alloc0 >= 0 ? (double) (alloc1 - alloc0) / n : -1.0,
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(99),
        h.getMaxValue(),
        extra.get());
  }

  /**
   * Bytes allocated on the heap by every thread of the process so far (virtual threads included:
   * they allocate in their carriers' buffers), or -1 when the JVM cannot tell.
   */
  static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()
        && t.isThreadAllocatedMemoryEnabled()) {
      return t.getTotalThreadAllocatedBytes();
    }
    return -1;
  }

  /** utime + stime of this process, in clock ticks. */
  static long cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
