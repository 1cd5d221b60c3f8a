package dev.grindstone.junit.internal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU, allocation and GC counters of the current thread and of the process. Each reading returns -1
 * (or 0 for allocation) where the JVM does not support it. Thread-safe.
 */
public final class CpuClock {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.ThreadMXBean sunThreads =
      threads instanceof com.sun.management.ThreadMXBean t ? t : null;
  private final com.sun.management.OperatingSystemMXBean os =
      ManagementFactory.getOperatingSystemMXBean()
              instanceof com.sun.management.OperatingSystemMXBean o
          ? o
          : null;
  private final List<GarbageCollectorMXBean> collectors =
      ManagementFactory.getGarbageCollectorMXBeans();
  private final boolean threadCpu;

  public CpuClock() {
    boolean ok = false;
    try {
      ok = threads.isCurrentThreadCpuTimeSupported();
      if (ok && !threads.isThreadCpuTimeEnabled()) threads.setThreadCpuTimeEnabled(true);
    } catch (UnsupportedOperationException | SecurityException e) {
      ok = false;
    }
    this.threadCpu = ok;
    if (sunThreads != null) {
      try {
        if (sunThreads.isThreadAllocatedMemorySupported()
            && !sunThreads.isThreadAllocatedMemoryEnabled()) {
          sunThreads.setThreadAllocatedMemoryEnabled(true);
        }
      } catch (UnsupportedOperationException | SecurityException e) {
        // allocation figures stay 0
      }
    }
  }

  /** CPU time (user + kernel) of the current thread, ns; -1 when unsupported. */
  public long threadCpuNanos() {
    return threadCpu ? threads.getCurrentThreadCpuTime() : -1;
  }

  /** The last real reading of a thread's user time, and its total CPU time then. */
  private static final class UserReading {
    long total = -1;
    long user;
  }

  private static final long USER_REUSE_NANOS = 1_000_000;
  private final ThreadLocal<UserReading> userReadings = ThreadLocal.withInitial(UserReading::new);

  /**
   * User CPU time of the current thread, ns; -1 when unsupported. On Linux the JVM reads it from
   * {@code /proc} (tens of microseconds, in 10 ms ticks), so while the thread has used less than 1
   * ms of CPU since the last real reading, that reading plus the CPU used since is returned: an
   * error under 1 ms, below the figure's own resolution.
   *
   * @param totalNow the thread's total CPU time now, from {@link #threadCpuNanos()}
   */
  public long threadUserNanos(long totalNow) {
    if (!threadCpu || totalNow < 0) return -1;
    UserReading r = userReadings.get();
    long since = totalNow - r.total;
    if (r.total >= 0 && since >= 0 && since < USER_REUSE_NANOS) return r.user + since;
    long user = threads.getCurrentThreadUserTime();
    r.total = totalNow;
    r.user = user;
    return user;
  }

  /** Bytes allocated so far by the current thread; 0 when unsupported. */
  public long threadAllocatedBytes() {
    if (sunThreads == null) return 0;
    try {
      long v = sunThreads.getCurrentThreadAllocatedBytes();
      return Math.max(v, 0);
    } catch (UnsupportedOperationException e) {
      return 0;
    }
  }

  /** Bytes allocated so far by all threads of the JVM; 0 when unsupported. */
  public long processAllocatedBytes() {
    if (sunThreads == null) return 0;
    try {
      return Math.max(sunThreads.getTotalThreadAllocatedBytes(), 0);
    } catch (UnsupportedOperationException e) {
      return 0;
    }
  }

  /**
   * CPU time of the process split into {@code {user, kernel}} ns. The total comes from the JVM; the
   * split follows the user/system tick ratio of {@code /proc/self/stat} where present (else all is
   * counted as user time).
   */
  public long[] processCpuNanos() {
    long total = os == null ? -1 : os.getProcessCpuTime();
    if (total < 0) return new long[] {-1, -1};
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
      // Fields after the command name (which may contain spaces) start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      long utime = Long.parseLong(f[11]);
      long stime = Long.parseLong(f[12]);
      if (utime + stime == 0) return new long[] {total, 0};
      long user = Math.round(total * ((double) utime / (utime + stime)));
      return new long[] {user, total - user};
    } catch (java.io.IOException | RuntimeException e) {
      return new long[] {total, 0};
    }
  }

  /** Milliseconds spent in all collectors so far. */
  public long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean c : collectors) sum += Math.max(c.getCollectionTime(), 0);
    return sum;
  }

  /** Collections so far, all collectors. */
  public long gcCount() {
    long sum = 0;
    for (GarbageCollectorMXBean c : collectors) sum += Math.max(c.getCollectionCount(), 0);
    return sum;
  }
}
