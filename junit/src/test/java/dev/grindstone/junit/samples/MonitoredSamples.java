package dev.grindstone.junit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tests with known resource profiles, run by the monitor's tests through an in-process launcher.
 */
@Tag("sample")
public class MonitoredSamples {
  /** Keeps allocations reachable so the JIT cannot remove them. */
  public static volatile Object sink;

  @Test
  void fast() {
    sink = "fast";
  }

  @Test
  void sleeps() throws InterruptedException {
    Thread.sleep(300);
  }

  @Test
  void burnsCpu() {
    // Burns 300 ms of this thread's own CPU time, however busy the machine is.
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long end = threads.getCurrentThreadCpuTime() + 300_000_000L;
    long x = 0;
    while (threads.getCurrentThreadCpuTime() < end) {
      for (int i = 0; i < 10_000; i++) x += i * 31L ^ x;
    }
    sink = x;
  }

  @Test
  void allocates100MiB() {
    for (int i = 0; i < 100; i++) sink = new byte[1024 * 1024];
  }

  @ParameterizedTest
  @CsvSource({"1, a", "2, b"})
  void param(int number, String letter) {
    sink = number + letter;
  }

  @Test
  void fails() {
    assertThat(1 + 1).as("a deliberate failure").isEqualTo(3);
  }

  @Test
  @Disabled("a deliberately disabled test")
  void disabled() {}

  @TestFactory
  Stream<DynamicTest> dynamic() {
    return List.of("first", "second").stream().map(n -> DynamicTest.dynamicTest(n, () -> sink = n));
  }
}
