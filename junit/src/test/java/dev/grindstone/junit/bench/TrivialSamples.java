package dev.grindstone.junit.bench;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;

/**
 * 2,000 tests that do nearly nothing: what remains of their time is the runner's and the monitor's.
 */
@Tag("sample")
class TrivialSamples {
  static volatile int sink;

  @RepeatedTest(2000)
  void trivial() {
    sink++;
  }
}
