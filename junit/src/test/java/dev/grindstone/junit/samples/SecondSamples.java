package dev.grindstone.junit.samples;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A second class, with a nested one, for class-level rows. */
@Tag("sample")
public class SecondSamples {
  @Test
  void quick() {
    MonitoredSamples.sink = "quick";
  }

  @Nested
  class Inner {
    @Test
    void innerTest() {
      MonitoredSamples.sink = "inner";
    }
  }
}
