package dev.grindstone.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;
import dev.grindstone.stats.latency.LatencyBuckets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Validates the {@code tests} array of an interval snapshot, as posted or as stored, into {@link
 * TestEntry}s. The same rules hold on the way in and on the way out, so a figure the server prints
 * was checked whatever the age of the row it comes from.
 *
 * <p>The rules: at most {@link Limits#MAX_TESTS_PER_SNAPSHOT} tests; {@code errors}, {@code
 * untimedTests} and {@code timedTests.count} are integers from 0 to {@link Limits#MAX_COUNT};
 * {@code timedTests.sum} (µs) is from 0 to {@code count} times the longest call a histogram can
 * hold, and at most 2^62 (it is kept in whole µs), and its {@code variance} (µs², population) from
 * 0 to a quarter of that longest call squared (the largest variance of values in that range);
 * {@code timedTests.min} and {@code timedTests.max}, the exact fastest and slowest call (µs), may
 * be absent (snapshots written before they were sent), else both are integers from 0 to the longest
 * call with {@code min <= max}, and only when {@code count} is above 0; every other statistic is a
 * finite number of magnitude at most {@link Limits#MAX_COUNT} (the {@code httpplugin.*} ones 0 or
 * more), or a sample of the same shape; histograms within {@link HistogramDecoder}'s bounds.
 */
final class SnapshotTests {
  private static final double LONGEST_CALL_MICROS = HistogramDecoder.MAX_HIGHEST_TRACKABLE;

  /**
   * The bucket layout of a histogram of the agents' precision; only its arithmetic is used (it
   * holds no counts), so sharing it is thread-safe.
   */
  private static final Histogram LAYOUT = new Histogram(HistogramDecoder.MAX_SIGNIFICANT_DIGITS);

  /**
   * The {@link LatencyBuckets} as ranges of decoded values: each HdrHistogram bucket counts at its
   * highest equivalent value at the agents' precision, where {@link LatencyBuckets#add} counts it,
   * so the counts are those of decoding into a histogram of that precision and adding it. Bucket b
   * ends at the lowest value whose highest equivalent is beyond its bound.
   */
  private static final HistogramDecoder.Ranges BUCKETS = buckets();

  /** The largest {@code timedTests.sum}: whole µs in a long, with room to add snapshots up. */
  private static final double MAX_SUM_MICROS = 0x1p62;

  private SnapshotTests() {}

  /**
   * The entries of {@code tests} as posted, checked, with their {@code /metrics} buckets ({@link
   * TestEntry#buckets}) counted as their histograms are checked: each histogram is read once.
   *
   * @throws ApiError 400 naming the first field at fault
   */
  static List<TestEntry> parse(JsonNode tests) {
    return parse(tests, "tests");
  }

  /**
   * The entries of {@code tests} as posted, checked, {@code field} naming the array in messages,
   * with their {@code /metrics} buckets counted.
   *
   * @throws ApiError 400 naming the first field at fault
   */
  static List<TestEntry> parse(JsonNode tests, String field) {
    return parse(tests, field, true);
  }

  /** A stored array of entries, checked again, without {@code /metrics} buckets. */
  static List<TestEntry> parseStored(JsonNode tests) {
    return parse(tests, "tests", false);
  }

  private static List<TestEntry> parse(JsonNode tests, String field, boolean buckets) {
    if (tests == null || tests.isNull()) {
      throw ApiError.badRequest(
          field, "missing required field '" + field + "' (an array, may be empty)");
    }
    if (!tests.isArray()) {
      throw ApiError.badRequest(
          field, "'" + field + "' must be a JSON array, got " + JsonBody.kind(tests));
    }
    if (tests.size() > Limits.MAX_TESTS_PER_SNAPSHOT) {
      throw ApiError.badRequest(
          field,
          "'"
              + field
              + "' holds "
              + tests.size()
              + " tests; a snapshot takes at most "
              + Limits.MAX_TESTS_PER_SNAPSHOT);
    }
    HistogramDecoder.Budget budget =
        new HistogramDecoder.Budget(Limits.MAX_HISTOGRAM_BYTES_PER_SNAPSHOT);
    List<TestEntry> out = new ArrayList<>(tests.size());
    for (int i = 0; i < tests.size(); i++) {
      out.add(test(JsonBody.of(tests.get(i), field + "[" + i + "]"), budget, buckets));
    }
    return out;
  }

  /** A stored snapshot's entries, or null when it is unreadable or no longer passes the rules. */
  static List<TestEntry> readStored(ObjectMapper mapper, String testsJson) {
    try {
      return parseStored(mapper.readTree(testsJson));
    } catch (JsonProcessingException | ApiError e) {
      return null;
    }
  }

  private static TestEntry test(JsonBody t, HistogramDecoder.Budget budget, boolean buckets) {
    int number = (int) t.integer("number", 0, Limits.MAX_INT);
    if (!t.has("statistics")) {
      throw ApiError.badRequest(
          t.path("statistics"), "missing required field '" + t.path("statistics") + "'");
    }
    JsonBody stats = JsonBody.of(t.raw("statistics"), t.path("statistics"));
    long errors = stats.optCount("errors", 0);
    long untimed = stats.optCount("untimedTests", 0);
    Sample timed = Sample.EMPTY;
    long fastest = -1;
    long slowest = -1;
    if (stats.has("timedTests")) {
      JsonBody s = JsonBody.of(stats.raw("timedTests"), stats.path("timedTests"));
      long count = s.count("count");
      double sum =
          within(
              s,
              "sum",
              0,
              Math.min(count * LONGEST_CALL_MICROS, MAX_SUM_MICROS),
              "from 0 to count × "
                  + (long) LONGEST_CALL_MICROS
                  + " µs (the longest call a histogram holds),"
                  + " and at most 2^62");
      double variance =
          within(
              s,
              "variance",
              0,
              LONGEST_CALL_MICROS * LONGEST_CALL_MICROS / 4,
              "from 0 to a quarter of the longest call squared");
      timed = new Sample(count, sum, variance);
      boolean hasMin = s.has("min") && !s.raw("min").isNull();
      boolean hasMax = s.has("max") && !s.raw("max").isNull();
      if (hasMin != hasMax) {
        String missing = hasMin ? "max" : "min";
        throw ApiError.badRequest(
            s.path(missing),
            "'"
                + s.path(missing)
                + "' is missing: a snapshot gives both the"
                + " min and the max of its timed calls, or neither");
      }
      if (hasMin) {
        if (count == 0) {
          throw ApiError.badRequest(
              s.path("min"),
              "'"
                  + s.path("min")
                  + "' must be absent when '"
                  + s.path("count")
                  + "' is 0: there is no fastest call of no calls");
        }
        fastest = s.integer("min", 0, (long) LONGEST_CALL_MICROS);
        slowest = s.integer("max", 0, (long) LONGEST_CALL_MICROS);
        if (fastest > slowest) {
          throw ApiError.badRequest(
              s.path("min"),
              "'"
                  + s.path("min")
                  + "' ("
                  + fastest
                  + ") must be at most '"
                  + s.path("max")
                  + "' ("
                  + slowest
                  + ")");
        }
      }
    }
    Map<String, Double> other = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = stats.node().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (name.equals("errors")
          || name.equals("untimedTests")
          || name.equals("timedTests")
          || v.isNull()) {
        continue;
      }
      double min = name.startsWith("httpplugin.") ? 0 : -Limits.MAX_COUNT;
      if (v.isObject()) {
        JsonBody s = JsonBody.of(v, stats.path(name));
        long count = s.count("count");
        within(
            s,
            "sum",
            min * count,
            (double) Limits.MAX_COUNT * count,
            "at most " + Limits.MAX_COUNT + " × count in magnitude");
        within(s, "variance", 0, Double.MAX_VALUE, "0 or more");
      } else {
        other.put(
            name,
            within(
                stats,
                name,
                min,
                Limits.MAX_COUNT,
                min == 0
                    ? "from 0 to " + Limits.MAX_COUNT
                    : "at most " + Limits.MAX_COUNT + " in magnitude"));
      }
    }
    String histogram = t.optText("histogram", Integer.MAX_VALUE, null);
    String errorHistogram = t.optText("errorHistogram", Integer.MAX_VALUE, null);
    long[] live = buckets ? new long[LatencyBuckets.count()] : null;
    long histogramCount =
        histogram == null || histogram.isEmpty()
            ? 0
            : live == null
                ? HistogramDecoder.decode(histogram, t.path("histogram"), budget)
                : HistogramDecoder.decode(histogram, t.path("histogram"), budget, BUCKETS, live);
    long errorHistogramCount = count(errorHistogram, t.path("errorHistogram"), budget);
    return new TestEntry(
        number,
        errors,
        untimed,
        timed,
        fastest,
        slowest,
        other,
        empty(histogram),
        histogramCount,
        empty(errorHistogram),
        errorHistogramCount,
        live);
  }

  private static HistogramDecoder.Ranges buckets() {
    long[] first = new long[LatencyBuckets.count()];
    for (int b = 0; b < first.length; b++) {
      long bound = LatencyBuckets.upperBoundMicros(b);
      // The values equivalent to the bound go beyond it with it when its range does.
      first[b] =
          bound == Long.MAX_VALUE
              ? Long.MAX_VALUE
              : LAYOUT.highestEquivalentValue(bound) > bound
                  ? LAYOUT.lowestEquivalentValue(bound)
                  : bound + 1;
    }
    return new HistogramDecoder.Ranges(first);
  }

  private static double within(JsonBody b, String field, double min, double max, String range) {
    double d = b.number(field);
    if (d < min || d > max) {
      throw ApiError.badRequest(
          b.path(field), "'" + b.path(field) + "' must be " + range + ", got " + d);
    }
    return d;
  }

  private static long count(String base64, String field, HistogramDecoder.Budget budget) {
    return base64 == null || base64.isEmpty() ? 0 : HistogramDecoder.decode(base64, field, budget);
  }

  private static String empty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
