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
 * {@code RESULT key=value ...} line, whose format {@link FlowLoad} shares ({@link #result}).
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
    System.out.println(
        result(
            n1 - n0,
            e1 - e0,
            (t1 - t0) / 1e9,
            cpu1 - cpu0,
            alloc0 >= 0 && alloc1 >= 0 ? alloc1 - alloc0 : -1,
            h,
            extra.get()));
  }

  /**
   * The {@code RESULT key=value ...} line of a measured window: requests per second over {@code
   * seconds}, requests per CPU-second, heap bytes allocated per request (-1 when unknown), and the
   * latencies' median, 99th percentile and maximum (µs) read from {@code latencies}.
   *
   * @param cpuTicks the process's CPU time over the window, in clock ticks (USER_HZ, 100 on Linux)
   * @param allocatedBytes the heap bytes the process allocated over the window, or -1 when unknown
   * @param latencies the window's call times in µs
   * @param extra appended to the line, such as {@code " connections=50"}
   */
  static String result(
      long requests,
      long errors,
      double seconds,
      long cpuTicks,
      long allocatedBytes,
      Histogram latencies,
      String extra) {
    double cpu = cpuTicks / 100.0; // USER_HZ is 100 on Linux
    return String.format(
        Locale.ROOT,
        "RESULT requests=%d errors=%d seconds=%.3f rps=%.0f cpuSeconds=%.2f"
            + " perCpuSecond=%.0f allocBytesPer=%.0f p50us=%d p99us=%d maxus=%d%s",
        requests,
        errors,
        seconds,
        requests / seconds,
        cpu,
        cpu > 0 ? requests / cpu : 0.0,
        requests > 0 && allocatedBytes >= 0 ? (double) allocatedBytes / requests : -1.0,
        latencies.getValueAtPercentile(50),
        latencies.getValueAtPercentile(99),
        latencies.getMaxValue(),
        extra);
  }

  /**
   * Ends the process (status 2) unless {@code host} is the loopback interface: the load generators
   * send load to this machine only.
   *
   * @param program the generator's name, for the message
   * @param host a URL's host, an IPv6 address with or without its brackets
   */
  static void requireLoopback(String program, String host) {
    if (!List.of("127.0.0.1", "localhost", "::1", "[::1]").contains(host)) {
      System.err.println(program + " sends load to loopback targets only, not to " + host);
      System.exit(2);
    }
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
