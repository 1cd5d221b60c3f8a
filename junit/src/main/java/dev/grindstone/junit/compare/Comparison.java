package dev.grindstone.junit.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds tests whose wall time, CPU time or memory grew beyond {@code factor} times the median of
 * their last {@code last} earlier sessions. A figure counts as grown only when it also exceeds the
 * median by an absolute floor ({@code minSeconds}, {@code minMib}), so millisecond jitter of fast
 * tests and memory figures near zero do not raise alarms. Stateless and thread-safe.
 */
public final class Comparison {
  private Comparison() {}

  /** Which figure grew. */
  public enum Metric {
    TIME("time", "s"),
    CPU("cpu", "s"),
    MEMORY("memory", "MiB");

    private final String label;
    private final String unit;

    Metric(String label, String unit) {
      this.label = label;
      this.unit = unit;
    }

    /** Short name for the table. */
    public String label() {
      return label;
    }

    /** Unit of the figure: seconds or MiB. */
    public String unit() {
      return unit;
    }
  }

  /**
   * What to compare.
   *
   * @param session hash (or unique prefix) of the session to check; empty for the latest
   * @param last how many earlier sessions of each test make its baseline, at least 1
   * @param factor how many times the median a figure may reach, more than 0
   * @param minSeconds time and CPU must also exceed the median by this much, seconds, at least 0
   * @param minMib memory must also exceed the median by this much, MiB, at least 0
   */
  public record Options(
      Optional<String> session, int last, double factor, double minSeconds, double minMib) {
    public Options {
      if (last < 1) throw new CompareException("--last=" + last + " must be at least 1");
      if (!(factor > 0) || Double.isInfinite(factor)) {
        throw new CompareException("--factor=" + factor + " must be a number above 0, e.g. 1.5");
      }
      if (!(minSeconds >= 0))
        throw new CompareException("--min-seconds=" + minSeconds + " must be 0 or more");
      if (!(minMib >= 0)) throw new CompareException("--min-mib=" + minMib + " must be 0 or more");
    }

    /** Latest session, last 5, factor 1.5, floors 0.01 s and 1 MiB. */
    public static Options defaults() {
      return new Options(Optional.empty(), 5, 1.5, 0.01, 1.0);
    }
  }

  /**
   * One figure that grew.
   *
   * @param test the test
   * @param metric which figure
   * @param median median of the baseline sessions
   * @param current value in the compared session
   * @param samples how many earlier sessions made the median
   */
  public record Regression(
      MetricRecord.TestKey test, Metric metric, double median, double current, int samples) {
    /** {@code current / median}; infinite when the median is 0 or less. */
    public double ratio() {
      return median > 0 ? current / median : Double.POSITIVE_INFINITY;
    }
  }

  /**
   * Compares one session with the earlier ones.
   *
   * @throws CompareException when there is no session, or the named one is unknown or ambiguous
   */
  public static ComparisonReport run(MetricSource source, Options options) {
    List<SessionRecord> sessions = new ArrayList<>(source.sessions());
    sessions.sort(
        Comparator.comparing(SessionRecord::runDate).thenComparing(SessionRecord::sessionH));
    if (sessions.isEmpty())
      throw new CompareException("no session is stored yet; run the tests with the monitor first");
    int targetIndex;
    if (options.session().isPresent()) {
      String prefix = options.session().get();
      List<Integer> matches = new ArrayList<>();
      for (int i = 0; i < sessions.size(); i++) {
        if (sessions.get(i).sessionH().startsWith(prefix)) matches.add(i);
      }
      if (matches.isEmpty()) {
        throw new CompareException(
            "no session hash starts with '"
                + prefix
                + "'; "
                + sessions.size()
                + " sessions are stored, the latest is "
                + sessions.get(sessions.size() - 1).sessionH());
      }
      if (matches.size() > 1) {
        throw new CompareException(
            "'"
                + prefix
                + "' starts "
                + matches.size()
                + " session hashes; give more characters of the one you mean");
      }
      targetIndex = matches.get(0);
    } else {
      targetIndex = sessions.size() - 1;
    }
    SessionRecord target = sessions.get(targetIndex);
    Map<MetricRecord.TestKey, MetricRecord> current = new LinkedHashMap<>();
    for (MetricRecord m : source.metrics(target.sessionH())) current.putIfAbsent(m.key(), m);

    // Walk back through earlier sessions until every test has its K values, within a bound so a
    // test that vanished long ago does not make us read the whole history.
    Map<MetricRecord.TestKey, List<MetricRecord>> history = new HashMap<>();
    int maxSessions = options.last() * 10;
    int read = 0;
    List<SessionRecord> used = new ArrayList<>();
    for (int i = targetIndex - 1; i >= 0 && read < maxSessions; i--) {
      if (current.keySet().stream()
          .allMatch(k -> history.getOrDefault(k, List.of()).size() >= options.last())) break;
      SessionRecord s = sessions.get(i);
      read++;
      boolean contributed = false;
      Map<MetricRecord.TestKey, MetricRecord> seen = new HashMap<>();
      for (MetricRecord m : source.metrics(s.sessionH())) seen.putIfAbsent(m.key(), m);
      for (Map.Entry<MetricRecord.TestKey, MetricRecord> e : seen.entrySet()) {
        if (!current.containsKey(e.getKey())) continue;
        List<MetricRecord> h = history.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
        if (h.size() < options.last()) {
          h.add(e.getValue());
          contributed = true;
        }
      }
      if (contributed) used.add(s);
    }

    List<Regression> found = new ArrayList<>();
    int compared = 0;
    for (Map.Entry<MetricRecord.TestKey, MetricRecord> e : current.entrySet()) {
      List<MetricRecord> h = history.get(e.getKey());
      if (h == null || h.isEmpty()) continue;
      compared++;
      MetricRecord now = e.getValue();
      check(
          found,
          e.getKey(),
          Metric.TIME,
          now.totalTime(),
          median(h, MetricRecord::totalTime),
          h.size(),
          options.factor(),
          options.minSeconds());
      check(
          found,
          e.getKey(),
          Metric.CPU,
          now.cpuTime(),
          median(h, MetricRecord::cpuTime),
          h.size(),
          options.factor(),
          options.minSeconds());
      check(
          found,
          e.getKey(),
          Metric.MEMORY,
          now.memUsage(),
          median(h, MetricRecord::memUsage),
          h.size(),
          options.factor(),
          options.minMib());
    }
    return new ComparisonReport(
        target, List.copyOf(used), current.size(), compared, List.copyOf(found), options);
  }

  private static void check(
      List<Regression> out,
      MetricRecord.TestKey key,
      Metric metric,
      double now,
      double median,
      int n,
      double factor,
      double floor) {
    double threshold = Math.max(factor * median, median + floor);
    if (now > threshold) out.add(new Regression(key, metric, median, now, n));
  }

  /** Median of the values; the mean of the two middle ones for an even count. */
  static double median(
      List<MetricRecord> rows, java.util.function.ToDoubleFunction<MetricRecord> f) {
    double[] v = rows.stream().mapToDouble(f).toArray();
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }
}
