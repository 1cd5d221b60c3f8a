package dev.grindstone.stats.latency;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * How Grindstone makes, encodes and reads latency histograms: microseconds, 3 significant digits,
 * auto-resizing (no upper bound to configure, no value clipped).
 */
public final class Histograms {

  /** Significant decimal digits kept: values are exact to 0.1%. */
  public static final int SIGNIFICANT_DIGITS = 3;

  private Histograms() {}

  /** A new empty histogram of microseconds. */
  public static Histogram newHistogram() {
    Histogram h = new Histogram(SIGNIFICANT_DIGITS);
    h.setAutoResize(true);
    return h;
  }

  /** HdrHistogram's compressed form, in base64 (the form its interval logs use). */
  public static String encode(Histogram histogram) {
    ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int length = histogram.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  /**
   * Reads the form written by {@link #encode}; throws IllegalArgumentException when it is not one.
   */
  public static Histogram decode(String base64) {
    try {
      byte[] bytes = Base64.getDecoder().decode(base64);
      Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
      h.setAutoResize(true);
      return h;
    } catch (DataFormatException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Not a compressed HdrHistogram in base64 (" + e.getMessage() + ")", e);
    }
  }

  /** Value at a percentile in milliseconds (stored µs), NaN when empty. */
  public static double percentileMillis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  public static double minMillis(Histogram h) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getMinValue() / 1000.0;
  }

  public static double maxMillis(Histogram h) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
  }
}
