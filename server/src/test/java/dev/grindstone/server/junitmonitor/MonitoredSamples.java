package dev.grindstone.server.junitmonitor;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Launched in-process by {@link JUnitMonitorAgainstServerTest}; excluded from the normal run. */
@Tag("sample")
class MonitoredSamples {

  @Test
  void sleeps_a_little() throws InterruptedException {
    Thread.sleep(50);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void takes_a_number(int n) {
    if (n < 0) {
      throw new AssertionError();
    }
  }
}
