package dev.grindstone.cli;

import java.io.IOException;
import java.time.Instant;

/**
 * An agent's clock against the server's, NTP-style: each sample brackets the server's reading with
 * two of the agent's, and the sample with the smallest round trip wins (its error is at most half
 * its round trip).
 *
 * @param offsetMillis server time minus agent time, ms
 * @param rttMillis the winning sample's round trip, ms
 */
record ClockOffset(double offsetMillis, double rttMillis) {

  /**
   * Skews this process's notion of the time by this many ms: a test-only setting (system property
   * {@code grindstone.agent.clockSkewMs}), to show that agents start together whatever their
   * clocks.
   */
  static final long TEST_SKEW_MILLIS = Long.getLong("grindstone.agent.clockSkewMs", 0);

  /** The agent's clock, in µs since the epoch (skewed by {@link #TEST_SKEW_MILLIS}). */
  static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000 + TEST_SKEW_MILLIS * 1000;
  }

  /** Reads the server's clock in µs; one round trip. */
  interface ServerClock {
    long serverMicros() throws IOException;
  }

  /** Takes {@code samples} samples and keeps the one with the smallest round trip. */
  static ClockOffset measure(ServerClock server, int samples) throws IOException {
    double bestRtt = Double.POSITIVE_INFINITY;
    double bestOffset = 0;
    for (int i = 0; i < samples; i++) {
      long t0 = nowMicros();
      long ts = server.serverMicros();
      long t1 = nowMicros();
      double rtt = (t1 - t0) / 1000.0;
      if (rtt < bestRtt) {
        bestRtt = rtt;
        bestOffset = (ts - (t0 + t1) / 2.0) / 1000.0;
      }
    }
    return new ClockOffset(bestOffset, bestRtt);
  }

  /** The server's time now, in ms, by this agent's clock corrected by the offset. */
  double serverNowMillis() {
    return nowMicros() / 1000.0 + offsetMillis;
  }
}
