package dev.grindstone.server.runs;

import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.Limits;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.latency.LatencyStripe;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.HdrHistogram.AbstractHistogram;

/**
 * Reads a latency histogram in HdrHistogram's compressed V2 form (base64) within bounds: the header
 * is inflated and checked before anything is sized from it, and the counts are streamed into the
 * target histograms, so no counts array of the size the header declares is ever made.
 *
 * <p>Why not {@code Histogram.decodeFromCompressedByteBuffer}: it allocates the counts array and a
 * payload buffer from the header's declared range and precision before reading a count. A valid
 * 60-byte histogram declaring 5 significant digits and a range up to 2^62 becomes a 48 MB array.
 *
 * <p>The bounds are those of what Grindstone's agents send ({@code Histograms}: µs, 3 significant
 * digits, lowest discernible value 1, calls clamped to {@link
 * LatencyStripe#HIGHEST_TRACKABLE_MICROS} so an auto-resized histogram declares at most 2^32 − 1):
 *
 * <ul>
 *   <li>the V2 encoding (HdrHistogram 2.1 and later), an integer histogram (conversion ratio 1),
 *       not shifted (normalizing index offset 0);
 *   <li>at most {@link #MAX_SIGNIFICANT_DIGITS} significant digits;
 *   <li>lowest discernible value at least 1, highest trackable value at least twice that and at
 *       most {@link #MAX_HIGHEST_TRACKABLE} (a counts array of at most 23,552 entries);
 *   <li>the payload no longer than its counts can take (9 bytes each), present in full and nothing
 *       after it; every count within the array; the total at most {@link Limits#MAX_COUNT}.
 * </ul>
 *
 * Thread-safe (no state); each call allocates its inflater and the payload (bounded as above).
 */
final class HistogramDecoder {
  /** Significant decimal digits a histogram may declare (Grindstone sends 3). */
  static final int MAX_SIGNIFICANT_DIGITS = Histograms.SIGNIFICANT_DIGITS;

  /**
   * The highest trackable value a histogram may declare, in µs: 2^32 − 1 (about 71.6 minutes), what
   * an auto-resizing histogram holding the agents' one-hour clamp declares.
   */
  static final long MAX_HIGHEST_TRACKABLE =
      (Long.highestOneBit(LatencyStripe.HIGHEST_TRACKABLE_MICROS) << 1) - 1;

  private static final int COMPRESSED_V2_COOKIE = 0x1c849314;
  private static final int V2_COOKIE = 0x1c849313;
  private static final int HEADER_BYTES = 40;
  private static final int MAX_BYTES_PER_COUNT = 9;

  private HistogramDecoder() {}

  /**
   * Bytes of decoded payload left to one request, so many histograms cannot add up without bound.
   */
  static final class Budget {
    private long remaining;

    Budget(long bytes) {
      remaining = bytes;
    }

    void take(long bytes, String field) {
      if (bytes > remaining) {
        throw bad(
            field,
            "the histograms of this snapshot decode to more than "
                + Limits.MAX_HISTOGRAM_BYTES_PER_SNAPSHOT
                + " bytes of counts; send fewer tests per snapshot");
      }
      remaining -= bytes;
    }
  }

  /** Takes a decoded histogram's counts, one non-empty bucket at a time. */
  @FunctionalInterface
  interface Counts {
    /**
     * @param value the bucket's lowest value (µs), as HdrHistogram records it
     * @param count its count, above 0
     */
    void add(long value, long count);
  }

  /**
   * Checks {@code base64} and adds its counts to every histogram of {@code into} (none: only
   * checks). Returns the histogram's total count.
   *
   * @throws ApiError 400 naming {@code field} when the histogram is beyond the bounds above
   */
  static long decode(String base64, String field, Budget budget, AbstractHistogram... into) {
    return decode(
        base64,
        field,
        budget,
        into.length == 0
            ? null
            : (value, count) -> {
              for (AbstractHistogram h : into) {
                h.recordValueWithCount(value, count);
              }
            });
  }

  /**
   * Checks {@code base64} and hands its counts to {@code into} (null: only checks), so a caller
   * that needs them in another form reads the histogram once. Returns its total count.
   *
   * @throws ApiError 400 naming {@code field} when the histogram is beyond the bounds above; {@code
   *     into} may have been given counts by then
   */
  static long decode(String base64, String field, Budget budget, Counts into) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw bad(field, "is not base64: " + e.getMessage());
    }
    if (bytes.length < 8) {
      throw bad(
          field, "is " + bytes.length + " bytes long, too short for a compressed HdrHistogram");
    }
    ByteBuffer outer = ByteBuffer.wrap(bytes);
    if (outer.getInt(0) != COMPRESSED_V2_COOKIE) {
      throw bad(
          field,
          "is not an HdrHistogram in compressed V2 form (encodeIntoCompressedByteBuffer of"
              + " HdrHistogram 2.1 or later, integer values)");
    }
    int compressed = outer.getInt(4);
    if (compressed != bytes.length - 8) {
      throw bad(
          field, "declares " + compressed + " compressed bytes but holds " + (bytes.length - 8));
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(bytes, 8, compressed);
      byte[] head = new byte[HEADER_BYTES];
      if (inflate(inflater, head) < HEADER_BYTES) {
        throw bad(field, "is cut short: its header is incomplete");
      }
      ByteBuffer h = ByteBuffer.wrap(head);
      int cookie = h.getInt();
      int payloadLength = h.getInt();
      int normalizingIndexOffset = h.getInt();
      int digits = h.getInt();
      long lowest = h.getLong();
      long highest = h.getLong();
      double ratio = h.getDouble();
      if (cookie != V2_COOKIE) {
        throw bad(field, "holds an encoding other than HdrHistogram's V2 form");
      }
      if (digits < 0 || digits > MAX_SIGNIFICANT_DIGITS) {
        throw bad(
            field,
            "declares "
                + digits
                + " significant digits; at most "
                + MAX_SIGNIFICANT_DIGITS
                + " are accepted (Grindstone's agents record "
                + Histograms.SIGNIFICANT_DIGITS
                + ")");
      }
      if (lowest < 1 || lowest > MAX_HIGHEST_TRACKABLE / 2) {
        throw bad(
            field,
            "declares a lowest discernible value of "
                + lowest
                + "; it must be from 1 to "
                + MAX_HIGHEST_TRACKABLE / 2);
      }
      if (highest < 2 * lowest || highest > MAX_HIGHEST_TRACKABLE) {
        throw bad(
            field,
            "declares a highest trackable value of "
                + highest
                + " µs; it must be from twice the lowest ("
                + 2 * lowest
                + ") to "
                + MAX_HIGHEST_TRACKABLE
                + " µs (2^32 - 1; agents clamp calls at one hour)");
      }
      if (normalizingIndexOffset != 0) {
        throw bad(
            field,
            "is shifted (normalizing index offset "
                + normalizingIndexOffset
                + "); send an unshifted histogram");
      }
      if (ratio != 1.0) {
        throw bad(
            field,
            "declares a value conversion ratio of "
                + ratio
                + "; send an integer histogram of µs (ratio 1)");
      }
      Layout layout = new Layout(digits, lowest, highest);
      long most = (long) layout.countsLength * MAX_BYTES_PER_COUNT;
      if (payloadLength < 0 || payloadLength > most) {
        throw bad(
            field,
            "declares "
                + payloadLength
                + " bytes of counts; its "
                + layout.countsLength
                + " counts take at most "
                + most);
      }
      if (budget != null) {
        budget.take(payloadLength, field);
      }
      byte[] payload = new byte[payloadLength];
      int got = inflate(inflater, payload);
      if (got < payloadLength) {
        throw bad(
            field,
            "is cut short: it declares " + payloadLength + " bytes of counts and holds " + got);
      }
      if (inflate(inflater, new byte[1]) > 0 || !inflater.finished()) {
        throw bad(field, "holds more than the " + payloadLength + " bytes of counts it declares");
      }
      if (inflater.getRemaining() > 0) {
        throw bad(
            field,
            "declares "
                + compressed
                + " compressed bytes but its data ends "
                + inflater.getRemaining()
                + " bytes earlier");
      }
      return counts(payload, layout, field, into);
    } catch (DataFormatException e) {
      throw bad(field, "is not valid compressed data (" + e.getMessage() + ")");
    } finally {
      inflater.end();
    }
  }

  private static int inflate(Inflater inflater, byte[] into) throws DataFormatException {
    int n = 0;
    while (n < into.length) {
      int k = inflater.inflate(into, n, into.length - n);
      if (k == 0) {
        break; // finished, or needs input that is not there
      }
      n += k;
    }
    return n;
  }

  /**
   * Walks V2's payload: ZigZag LEB128 longs (at most 9 bytes), a count for the next index when 0 or
   * more, a run of that many empty indexes when negative.
   */
  private static long counts(byte[] payload, Layout layout, String field, Counts into) {
    int pos = 0;
    long index = 0;
    long total = 0;
    while (pos < payload.length) {
      long raw = payload[pos++];
      if (raw < 0) { // more than one byte (most counts and runs of a latency histogram take one)
        raw &= 0x7f;
        for (int shift = 7; ; shift += 7) {
          if (pos >= payload.length) {
            throw bad(field, "ends in the middle of a count");
          }
          int b = payload[pos++] & 0xff;
          if (shift == 56) {
            raw |= (long) b << 56;
            break;
          }
          raw |= (long) (b & 0x7f) << shift;
          if ((b & 0x80) == 0) {
            break;
          }
        }
      }
      long value = (raw >>> 1) ^ -(raw & 1);
      if (value < 0) {
        long zeros = -value;
        if (zeros < 0 || zeros > layout.countsLength - index) {
          throw bad(field, "has counts beyond the " + layout.countsLength + " its header allows");
        }
        index += zeros;
        continue;
      }
      if (index >= layout.countsLength) {
        throw bad(field, "has counts beyond the " + layout.countsLength + " its header allows");
      }
      if (value > 0) {
        if (value > Limits.MAX_COUNT - total) {
          throw bad(field, "holds more than " + Limits.MAX_COUNT + " values (2^53 - 1)");
        }
        total += value;
        if (into != null) {
          into.add(layout.valueFromIndex((int) index), value);
        }
      }
      index++;
    }
    return total;
  }

  /**
   * HdrHistogram's bucket layout for a precision and range (as its AbstractHistogram computes it).
   */
  private static final class Layout {
    final int unitMagnitude;
    final int subBucketHalfCountMagnitude;
    final int subBucketHalfCount;
    final int countsLength;

    Layout(int digits, long lowest, long highest) {
      long largestValueWithSingleUnitResolution = 2 * (long) Math.pow(10, digits);
      unitMagnitude = (int) Math.floor(Math.log(lowest) / Math.log(2));
      int subBucketCountMagnitude =
          (int) Math.ceil(Math.log(largestValueWithSingleUnitResolution) / Math.log(2));
      subBucketHalfCountMagnitude = Math.max(subBucketCountMagnitude, 1) - 1;
      int subBucketCount = 1 << (subBucketHalfCountMagnitude + 1);
      subBucketHalfCount = subBucketCount / 2;
      long smallestUntrackable = (long) subBucketCount << unitMagnitude;
      int buckets = 1;
      while (smallestUntrackable <= highest) {
        smallestUntrackable <<= 1;
        buckets++;
      }
      countsLength = (buckets + 1) * subBucketHalfCount;
    }

    long valueFromIndex(int index) {
      int bucketIndex = (index >> subBucketHalfCountMagnitude) - 1;
      int subBucketIndex = (index & (subBucketHalfCount - 1)) + subBucketHalfCount;
      if (bucketIndex < 0) {
        subBucketIndex -= subBucketHalfCount;
        bucketIndex = 0;
      }
      return (long) subBucketIndex << (bucketIndex + unitMagnitude);
    }
  }

  private static ApiError bad(String field, String problem) {
    return ApiError.badRequest(field, "'" + field + "' " + problem);
  }
}
