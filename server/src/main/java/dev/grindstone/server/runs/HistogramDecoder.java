package dev.grindstone.server.runs;

import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.Limits;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.latency.LatencyStripe;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
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
    Payload p = payload(base64, field, budget);
    return into == null
        ? walk(p.counts(), p.layout(), field, null, null)
        : counts(p.counts(), p.layout(), field, into);
  }

  /**
   * Checks {@code base64} and adds its counts to {@code into}, range by range of {@code ranges}
   * ({@code into[b]} takes the counts of range b). Returns its total count.
   *
   * @throws ApiError 400 naming {@code field} when the histogram is beyond the bounds above; {@code
   *     into} may have been given counts by then
   */
  static long decode(String base64, String field, Budget budget, Ranges ranges, long[] into) {
    if (into.length != ranges.bounds.length) {
      throw new IllegalArgumentException(
          "into: must have " + ranges.bounds.length + " slots, got " + into.length);
    }
    Payload p = payload(base64, field, budget);
    return walk(p.counts(), p.layout(), field, ranges.ends(p.layout()), into);
  }

  /** A histogram's checked layout and its counts as encoded (V2's payload). */
  private record Payload(byte[] counts, Layout layout) {}

  private static Payload payload(String base64, String field, Budget budget) {
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
      Layout layout = Layout.of(digits, lowest, highest);
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
      return new Payload(payload, layout);
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
   * Ranges of values that {@link #decode(String, String, Budget, Ranges, long[])} counts calls in:
   * range b holds the values from {@code bounds[b - 1]} (0 for the first) to below {@code
   * bounds[b]}, the last bound being {@link Long#MAX_VALUE}. Each histogram's layout (precision and
   * unit) turns them into ranges of its counts' indexes once, then kept. Thread-safe.
   */
  static final class Ranges {
    private final long[] bounds;

    /** Each layout's first index beyond each range, by precision and unit magnitude. */
    private final ConcurrentHashMap<Long, long[]> ends = new ConcurrentHashMap<>();

    /**
     * @param bounds increasing, the last {@link Long#MAX_VALUE}
     */
    Ranges(long[] bounds) {
      if (bounds.length == 0 || bounds[bounds.length - 1] != Long.MAX_VALUE) {
        throw new IllegalArgumentException("bounds: the last must be Long.MAX_VALUE");
      }
      for (int b = 1; b < bounds.length; b++) {
        if (bounds[b] <= bounds[b - 1]) {
          throw new IllegalArgumentException(
              "bounds: must increase, got " + bounds[b] + " at " + b);
        }
      }
      this.bounds = bounds.clone();
    }

    private long[] ends(Layout layout) {
      // At most 4 precisions times 32 unit magnitudes within the bounds above.
      return ends.computeIfAbsent(
          (long) layout.digits << 32 | layout.unitMagnitude, k -> endsOf(layout));
    }

    /** For each range, the first index of the layout whose value is beyond it. */
    private long[] endsOf(Layout layout) {
      // Indexes map to values the same way whatever the highest trackable value.
      Layout widest = new Layout(layout.digits, 1L << layout.unitMagnitude, MAX_HIGHEST_TRACKABLE);
      long[] out = new long[bounds.length];
      for (int b = 0; b < bounds.length; b++) {
        int lo = 0;
        int hi = widest.countsLength; // values at indexes from hi on are never decoded
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (widest.valueFromIndex(mid) >= bounds[b]) {
            hi = mid;
          } else {
            lo = mid + 1;
          }
        }
        out[b] = lo == widest.countsLength ? Long.MAX_VALUE : lo;
      }
      return out;
    }
  }

  /**
   * Walks V2's payload as {@link #counts} does, adding each count to {@code into[r]} for the range
   * r whose indexes, from {@code ends[r - 1]} to below {@code ends[r]}, hold it (both null: only
   * checks). A count or a run of empty indexes that takes one byte, as most of a latency
   * histogram's do, is taken without a branch on its sign: the data decides it, and no prediction
   * can.
   */
  private static long walk(byte[] payload, Layout layout, String field, long[] ends, long[] into) {
    Varints in = new Varints(payload, field);
    long countsLength = layout.countsLength;
    long index = 0;
    long total = 0;
    int range = 0;
    long rangeStart = 0; // the total when the range began
    long next = ends == null ? Long.MAX_VALUE : ends[0];
    int pos = 0; // a local, not the reader's field, in the loop over one-byte values
    while (pos < payload.length) {
      if (index >= next) { // a count from here on is in a later range
        into[range] += total - rangeStart;
        rangeStart = total;
        do {
          range++;
        } while (index >= ends[range]);
        next = ends[range];
      }
      long value = payload[pos];
      if (value >= 0) {
        pos++;
        value = (value >>> 1) ^ -(value & 1); // from -64 to 63
        long run = value >> 63; // -1 for a run of empty indexes, 0 for a count
        total += value & ~run;
        index += (run & -value) | (~run & 1);
        if (index > countsLength) {
          throw beyond(field, layout);
        }
        if (total > Limits.MAX_COUNT) {
          throw tooMany(field);
        }
      } else {
        in.pos = pos;
        value = in.next();
        pos = in.pos;
        if (value < 0) {
          index = skip(index, -value, field, layout);
        } else {
          total = add(index, total, value, field, layout);
          index++;
        }
      }
    }
    if (into != null) {
      into[range] += total - rangeStart;
    }
    return total;
  }

  /**
   * Walks V2's payload: ZigZag LEB128 longs (at most 9 bytes), a count for the next index when 0 or
   * more, a run of that many empty indexes when negative.
   */
  private static long counts(byte[] payload, Layout layout, String field, Counts into) {
    Varints in = new Varints(payload, field);
    long index = 0;
    long total = 0;
    while (in.pos < payload.length) {
      long value = in.next();
      if (value < 0) {
        index = skip(index, -value, field, layout);
        continue;
      }
      total = add(index, total, value, field, layout);
      if (value > 0) {
        into.add(layout.valueFromIndex((int) index), value);
      }
      index++;
    }
    return total;
  }

  /** The index after a run of {@code zeros} empty indexes from {@code index}. */
  private static long skip(long index, long zeros, String field, Layout layout) {
    if (zeros < 0 || zeros > layout.countsLength - index) {
      throw beyond(field, layout);
    }
    return index + zeros;
  }

  /** The total with a count of {@code value} at {@code index}. */
  private static long add(long index, long total, long value, String field, Layout layout) {
    if (index >= layout.countsLength) {
      throw beyond(field, layout);
    }
    if (value > Limits.MAX_COUNT - total) {
      throw tooMany(field);
    }
    return total + value;
  }

  private static ApiError beyond(String field, Layout layout) {
    return bad(field, "has counts beyond the " + layout.countsLength + " its header allows");
  }

  private static ApiError tooMany(String field) {
    return bad(field, "holds more than " + Limits.MAX_COUNT + " values (2^53 - 1)");
  }

  /** Reads ZigZag LEB128 longs of at most 9 bytes from a payload. Not thread-safe. */
  private static final class Varints {
    private final byte[] bytes;
    private final String field;
    int pos;

    Varints(byte[] bytes, String field) {
      this.bytes = bytes;
      this.field = field;
    }

    long next() {
      long raw = 0;
      for (int shift = 0; ; shift += 7) {
        if (pos >= bytes.length) {
          throw bad(field, "ends in the middle of a count");
        }
        int b = bytes[pos++] & 0xff;
        if (shift == 56) {
          raw |= (long) b << 56;
          break;
        }
        raw |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          break;
        }
      }
      return (raw >>> 1) ^ -(raw & 1);
    }
  }

  /**
   * HdrHistogram's bucket layout for a precision and range (as its AbstractHistogram computes it).
   */
  private static final class Layout {
    /** The layouts met so far, by precision and range: agents send few, each a thousand times. */
    private static final ConcurrentHashMap<Key, Layout> KNOWN = new ConcurrentHashMap<>();

    private record Key(int digits, long lowest, long highest) {}

    final int digits;
    final int unitMagnitude;
    final int subBucketHalfCountMagnitude;
    final int subBucketHalfCount;
    final int countsLength;

    Layout(int digits, long lowest, long highest) {
      this.digits = digits;
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

    /** The layout of that precision and range, made once (it takes logarithms). */
    static Layout of(int digits, long lowest, long highest) {
      if (KNOWN.size() > 1000) {
        KNOWN.clear(); // a server sent many ranges does not keep them all
      }
      return KNOWN.computeIfAbsent(
          new Key(digits, lowest, highest), k -> new Layout(digits, lowest, highest));
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
