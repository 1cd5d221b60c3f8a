package dev.grindstone.server.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.Limits;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.latency.LatencyStripe;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.IntCountsHistogram;
import org.junit.jupiter.api.Test;

class HistogramDecoderTest {
  private static final int V2 = 0x1c849313;

  private static String encode(AbstractHistogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
  }

  /** A compressed histogram with any header and payload, as a hostile client could write it. */
  private static String craft(
      int cookie,
      int payloadLength,
      int offset,
      int digits,
      long lowest,
      long highest,
      double ratio,
      byte[] payload,
      int outerCookie,
      int extraCompressedBytes) {
    ByteBuffer inner = ByteBuffer.allocate(40 + payload.length);
    inner
        .putInt(cookie)
        .putInt(payloadLength)
        .putInt(offset)
        .putInt(digits)
        .putLong(lowest)
        .putLong(highest)
        .putDouble(ratio);
    inner.put(payload);
    Deflater d = new Deflater();
    d.setInput(inner.array());
    d.finish();
    byte[] out = new byte[inner.capacity() * 2 + 64];
    int n = d.deflate(out);
    d.end();
    ByteBuffer all = ByteBuffer.allocate(8 + n + extraCompressedBytes);
    all.putInt(outerCookie).putInt(n + extraCompressedBytes).put(out, 0, n);
    return Base64.getEncoder().encodeToString(all.array());
  }

  private static String craft(int digits, long lowest, long highest, byte[] payload) {
    return craft(V2, payload.length, 0, digits, lowest, highest, 1.0, payload, 0x1c849314, 0);
  }

  /** ZigZag LEB128 as HdrHistogram's V2 payload writes it. */
  private static byte[] varints(long... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long v : values) {
      long z = (v << 1) ^ (v >> 63);
      for (int i = 0; i < 8 && (z & ~0x7fL) != 0; i++) {
        out.write((int) ((z & 0x7f) | 0x80));
        z >>>= 7;
      }
      out.write((int) z);
    }
    return out.toByteArray();
  }

  private static List<long[]> recorded(AbstractHistogram h) {
    List<long[]> out = new ArrayList<>();
    for (HistogramIterationValue v : h.recordedValues()) {
      out.add(new long[] {v.getValueIteratedTo(), v.getCountAtValueIteratedTo()});
    }
    return out;
  }

  private static void decodesLikeHdrHistogram(AbstractHistogram source) throws Exception {
    String b64 = encode(source);
    Histogram ours = new Histogram(3);
    ours.setAutoResize(true);
    long total = HistogramDecoder.decode(b64, "h", null, ours);
    Histogram theirs =
        Histogram.decodeFromCompressedByteBuffer(
            ByteBuffer.wrap(Base64.getDecoder().decode(b64)), 0);
    Histogram merged = new Histogram(3);
    merged.setAutoResize(true);
    merged.add(theirs);
    assertThat(total).isEqualTo(source.getTotalCount());
    assertThat(recorded(ours)).usingRecursiveComparison().isEqualTo(recorded(merged));
    assertThat(ours.getMaxValue()).isEqualTo(merged.getMaxValue());
    assertThat(ours.getMinValue()).isEqualTo(merged.getMinValue());
    for (double p : new double[] {50, 90, 99, 99.9}) {
      assertThat(ours.getValueAtPercentile(p)).isEqualTo(merged.getValueAtPercentile(p));
    }
  }

  @Test
  void decodes_what_the_agents_send_exactly_as_hdrhistogram_does() throws Exception {
    Random r = new Random(7);
    Histogram lognormal = Histograms.newHistogram();
    for (int i = 0; i < 50_000; i++) {
      lognormal.recordValue(LatencyStripe.clamp((long) Math.exp(7 + r.nextGaussian() * 2)));
    }
    decodesLikeHdrHistogram(lognormal);
    Histogram clamped = Histograms.newHistogram();
    clamped.recordValue(LatencyStripe.HIGHEST_TRACKABLE_MICROS);
    clamped.recordValue(0);
    clamped.recordValue(1);
    decodesLikeHdrHistogram(clamped);
    Histogram corrected = Histograms.newHistogram();
    corrected.recordValueWithExpectedInterval(10_000_000, 1000);
    decodesLikeHdrHistogram(corrected);
    IntCountsHistogram stripe =
        new IntCountsHistogram(1, LatencyStripe.HIGHEST_TRACKABLE_MICROS, 3);
    stripe.recordValueWithCount(5000, 7);
    Histogram fromStripe = Histograms.newHistogram();
    fromStripe.add(stripe);
    decodesLikeHdrHistogram(fromStripe);
    decodesLikeHdrHistogram(Histograms.newHistogram());
  }

  @Test
  void decodes_other_precisions_and_units_within_the_bounds() throws Exception {
    Random r = new Random(3);
    for (AbstractHistogram h :
        List.of(
            new Histogram(1, 1L << 31, 2),
            new Histogram(1000, 3_600_000_000L, 3),
            new Histogram(7, 1L << 30, 1),
            new Histogram(1, 2, 0))) {
      for (int i = 0; i < 5000; i++) {
        h.recordValue(
            Math.min(
                h.getHighestTrackableValue(),
                (long) (r.nextDouble() * r.nextDouble() * h.getHighestTrackableValue())));
      }
      decodesLikeHdrHistogram(h);
    }
  }

  @Test
  void refuses_the_precision_and_range_the_agents_never_send_before_allocating_their_array() {
    Histogram fiveDigits = new Histogram(5);
    fiveDigits.setAutoResize(true);
    fiveDigits.recordValue(Long.MAX_VALUE / 2);
    String evil = encode(fiveDigits);
    assertThat(Base64.getDecoder().decode(evil).length).isLessThan(64);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    assertThatThrownBy(() -> HistogramDecoder.decode(evil, "tests[0].histogram", null))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.field()).isEqualTo("tests[0].histogram");
              assertThat(e.getMessage()).contains("5 significant digits").contains("at most 3");
            });
    assertThat(threads.getCurrentThreadAllocatedBytes() - before)
        .as("bytes allocated to refuse it")
        .isLessThan(1 << 20);

    Histogram wide = new Histogram(3);
    wide.setAutoResize(true);
    wide.recordValue(Long.MAX_VALUE / 2);
    assertRefused(encode(wide), "highest trackable value of 4611686018427387903");
    Histogram justAbove = new Histogram(1, 1L << 32, 3);
    assertRefused(encode(justAbove), "highest trackable value of 4294967296");
    Histogram fourDigits = new Histogram(1, 1000, 4);
    assertRefused(encode(fourDigits), "4 significant digits");
    assertThat(HistogramDecoder.decode(encode(new Histogram(1, (1L << 32) - 1, 3)), "h", null))
        .isZero();
  }

  @Test
  void refuses_headers_and_payloads_that_do_not_hold_together() {
    byte[] one = varints(-1000, 3);
    assertThat(HistogramDecoder.decode(craft(3, 1, 3000, one), "h", null)).isEqualTo(3);
    assertRefused(craft(3, 0, 3000, one), "lowest discernible value of 0");
    assertRefused(craft(3, 1000, 1500, one), "from twice the lowest");
    assertRefused(craft(-1, 1, 3000, one), "-1 significant digits");
    assertRefused(craft(V2, one.length, 2, 3, 1, 3000, 1.0, one, 0x1c849314, 0), "shifted");
    assertRefused(
        craft(V2, one.length, 0, 3, 1, 3000, 0.001, one, 0x1c849314, 0), "conversion ratio");
    assertRefused(
        craft(0x1c849301 | 0x20, one.length, 0, 3, 1, 3000, 1.0, one, 0x1c849314, 0), "V2");
    assertRefused(
        craft(V2, one.length, 0, 3, 1, 3000, 1.0, one, 0x1c849302 | 0x80, 0), "compressed V2");
    assertRefused(craft(V2, one.length, 0, 3, 1, 3000, 1.0, one, 0x0c72124f, 0), "compressed V2");
    assertRefused(craft(V2, one.length + 10, 0, 3, 1, 3000, 1.0, one, 0x1c849314, 0), "cut short");
    assertRefused(craft(V2, one.length - 1, 0, 3, 1, 3000, 1.0, one, 0x1c849314, 0), "more than");
    assertRefused(
        craft(V2, Integer.MAX_VALUE, 0, 3, 1, 3000, 1.0, one, 0x1c849314, 0), "take at most");
    assertRefused(craft(V2, -5, 0, 3, 1, 3000, 1.0, one, 0x1c849314, 0), "bytes of counts");
    assertRefused(craft(V2, one.length, 0, 3, 1, 3000, 1.0, one, 0x1c849314, 3), "declares");
    assertRefused(craft(3, 1, 3000, varints(-100_000, 1)), "beyond");
    assertRefused(craft(3, 1, 3000, varints(-3072, 1)), "beyond");
    assertRefused(craft(3, 1, 3000, varints(Long.MIN_VALUE)), "beyond");
    long[] runs = new long[49]; // runs of 64 empty indexes, one byte each, up to the last index
    java.util.Arrays.fill(runs, -64);
    runs[48] = 1;
    assertRefused(craft(3, 1, 3000, varints(runs)), "beyond the 3072");
    runs[47] = 1;
    assertThat(HistogramDecoder.decode(craft(3, 1, 3000, varints(runs)), "h", null)).isEqualTo(2);
    assertRefused(
        craft(3, 1, 3000, varints(Limits.MAX_COUNT - 1, 2)), "more than 9007199254740991");
    assertRefused(craft(3, 1, 3000, new byte[] {(byte) 0x80}), "middle of a count");
    assertRefused(craft(3, 1, 3000, varints(Limits.MAX_COUNT, 1)), "more than 9007199254740991");
    assertRefused(craft(3, 1, 3000, varints(Long.MAX_VALUE)), "more than 9007199254740991");
    assertRefused("not base64!", "not base64");
    assertRefused("AAAA", "too short");
    assertRefused(
        Base64.getEncoder()
            .encodeToString(ByteBuffer.allocate(12).putInt(0x1c849314).putInt(4).putInt(7).array()),
        "not valid compressed data");
    assertThat(HistogramDecoder.decode(craft(3, 1, 3000, varints(Limits.MAX_COUNT)), "h", null))
        .isEqualTo(Limits.MAX_COUNT);
  }

  @Test
  void a_budget_bounds_what_many_histograms_decode_to_together() {
    long[] dense = new long[3072];
    java.util.Arrays.fill(dense, 1L << 38);
    String big = craft(3, 1, (1L << 12) - 1, varints(dense));
    HistogramDecoder.Budget budget =
        new HistogramDecoder.Budget(Limits.MAX_HISTOGRAM_BYTES_PER_SNAPSHOT);
    int decoded = 0;
    try {
      while (decoded < 10_000) {
        HistogramDecoder.decode(big, "tests[" + decoded + "].histogram", budget);
        decoded++;
      }
    } catch (ApiError e) {
      assertThat(e.field()).isEqualTo("tests[" + decoded + "].histogram");
      assertThat(e.getMessage())
          .contains("more than " + Limits.MAX_HISTOGRAM_BYTES_PER_SNAPSHOT + " bytes");
    }
    assertThat((long) decoded * varints(dense).length)
        .isLessThanOrEqualTo(Limits.MAX_HISTOGRAM_BYTES_PER_SNAPSHOT);
    assertThat(decoded).isBetween(1000, 9999);
  }

  /** Refused for the same reason whether only checked, decoded into a histogram or into ranges. */
  private static void assertRefused(String base64, String because) {
    String field = "tests[3].errorHistogram";
    Histogram into = new Histogram(3);
    into.setAutoResize(true);
    HistogramDecoder.Ranges ranges = new HistogramDecoder.Ranges(new long[] {100, Long.MAX_VALUE});
    List<String> messages = new ArrayList<>();
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable decode :
        List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
            () -> HistogramDecoder.decode(base64, field, null),
            () -> HistogramDecoder.decode(base64, field, null, into),
            () -> HistogramDecoder.decode(base64, field, null, ranges, new long[2]))) {
      assertThatThrownBy(decode)
          .isInstanceOfSatisfying(
              ApiError.class,
              e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.field()).isEqualTo(field);
                assertThat(e.getMessage()).contains(because);
                messages.add(e.getMessage());
              });
    }
    assertThat(messages).as("the same words on every path").containsOnly(messages.getFirst());
  }

  @Test
  void a_posted_snapshots_metrics_buckets_equal_those_of_its_histogram_decoded_and_added()
      throws Exception {
    Random random = new Random(7);
    for (int layout = 0; layout < 4; layout++) {
      int digits = Math.min(3, layout + 1);
      long lowest = layout < 3 ? 1 : 1000; // buckets of 512 µs and more at the lowest
      Histogram h = new Histogram(lowest, LatencyStripe.HIGHEST_TRACKABLE_MICROS, digits);
      for (int i = 0; i < 5_000; i++) {
        h.recordValue((long) Math.exp(random.nextDouble() * 21)); // 1 µs to about 20 minutes
      }
      for (long bound = 1; bound < 80_000_000; bound *= 10) {
        for (long v : new long[] {bound - 1, bound, bound + 1, bound * 3 / 2, bound * 7}) {
          h.recordValue(Math.max(1, v)); // at and beside the buckets' bounds
        }
      }
      String json = "[{\"number\":1,\"statistics\":{},\"histogram\":\"" + encode(h) + "\"}]";
      List<TestEntry> posted =
          SnapshotTests.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
      Histogram decoded = new Histogram(HistogramDecoder.MAX_SIGNIFICANT_DIGITS);
      decoded.setAutoResize(true);
      HistogramDecoder.decode(encode(h), "h", null, decoded);
      long[] expected = new long[dev.grindstone.stats.latency.LatencyBuckets.count()];
      dev.grindstone.stats.latency.LatencyBuckets.add(decoded, expected);
      assertThat(posted.getFirst().buckets())
          .as("%d digits, lowest %d", digits, lowest)
          .containsExactly(expected);
    }
  }
}
