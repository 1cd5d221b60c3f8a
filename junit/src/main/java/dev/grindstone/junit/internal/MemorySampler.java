package dev.grindstone.junit.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak memory of the process while each test runs. One daemon thread reads the resident set size
 * ({@code VmRSS} in {@code /proc/self/status}) at a fixed interval and raises the peak of every
 * test in flight; a test's peak also starts from, and ends no lower than, the latest reading, so a
 * test shorter than the interval still gets a figure. Tests never read {@code /proc} themselves:
 * that read costs tens of microseconds. Where {@code /proc} is absent (macOS, Windows) the figure
 * is the JVM's committed heap plus non-heap memory instead. Never starts a process. Thread-safe.
 */
public final class MemorySampler implements AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");

  private final boolean procAvailable;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final Set<Probe> inFlight = ConcurrentHashMap.newKeySet();
  private final long baselineBytes;
  private final Thread thread;
  private volatile long last;
  private volatile boolean running = true;

  /** A test's peak, raised by the sampler while the test runs. */
  public static final class Probe {
    private final AtomicLong peak;

    private Probe(long start) {
      this.peak = new AtomicLong(start);
    }

    void raise(long v) {
      long p;
      while (v > (p = peak.get()) && !peak.compareAndSet(p, v)) {
        // another sample raced us; retry with the new peak
      }
    }
  }

  public MemorySampler(Duration interval) {
    this.procAvailable = readProcRss() >= 0;
    this.baselineBytes = currentBytes();
    this.last = baselineBytes;
    long sleepMillis = Math.max(1, interval.toMillis());
    this.thread =
        Thread.ofPlatform()
            .daemon()
            .name("grindstone-monitor-memory")
            .unstarted(
                () -> {
                  while (running) {
                    long v = currentBytes();
                    last = v;
                    for (Probe p : inFlight) p.raise(v);
                    try {
                      Thread.sleep(sleepMillis);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    thread.start();
  }

  /** True when figures are resident set sizes; false when they are JVM committed memory. */
  public boolean measuresRss() {
    return procAvailable;
  }

  /** Memory at the start of the session, in bytes. */
  public long baselineBytes() {
    return baselineBytes;
  }

  /** Starts following one test. */
  public Probe begin() {
    Probe p = new Probe(last);
    inFlight.add(p);
    return p;
  }

  /** Stops following the test; returns its peak minus the session baseline, in MiB. */
  public double endMiB(Probe p) {
    inFlight.remove(p);
    p.raise(last);
    return (p.peak.get() - baselineBytes) / (1024.0 * 1024.0);
  }

  /** Memory now, in bytes. */
  public long currentBytes() {
    if (procAvailable) {
      long v = readProcRss();
      if (v >= 0) return v;
    }
    return memory.getHeapMemoryUsage().getCommitted()
        + memory.getNonHeapMemoryUsage().getCommitted();
  }

  private static long readProcRss() {
    try {
      String s = Files.readString(STATUS, StandardCharsets.US_ASCII);
      int i = s.indexOf("VmRSS:");
      if (i < 0) return -1;
      int j = i + "VmRSS:".length();
      while (j < s.length() && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) j++;
      long kb = 0;
      while (j < s.length() && Character.isDigit(s.charAt(j))) kb = kb * 10 + (s.charAt(j++) - '0');
      return kb * 1024;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
