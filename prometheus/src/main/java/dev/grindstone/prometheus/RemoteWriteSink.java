package dev.grindstone.prometheus;

import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.engine.sink.Sink;
import dev.grindstone.prometheus.internal.Encoder;
import dev.grindstone.prometheus.internal.NativeBuckets;
import dev.grindstone.prometheus.internal.Point;
import dev.grindstone.prometheus.internal.Sender;
import dev.grindstone.prometheus.internal.prompb.RemoteWrite.MetricMetadata.MetricType;
import dev.grindstone.stats.latency.LatencyBuckets;
import dev.grindstone.stats.results.TestFigures;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Pushes a run's figures to Prometheus (or any receiver of remote write 1.0: protobuf, snappy)
 * every period while it runs. Per test, labelled {@code run}, {@code run_id}, {@code instance},
 * {@code test}, {@code description} and the run's tags:
 *
 * <ul>
 *   <li>{@code grindstone_calls_total} (counter, with {@code outcome} {@code success}, {@code
 *       error}, or {@code cancelled} once a call was cancelled at stop): The Grinder's Tests and
 *       Errors;
 *   <li>{@code grindstone_call_duration_seconds}: the latency of successful calls, a native
 *       histogram or classic buckets ({@link HistogramMode});
 * </ul>
 *
 * and per run {@code grindstone_active_users} (gauge) and {@code grindstone_late_starts_total}
 * (iterations that started more than 10 ms late). In a run of several scenarios the series of
 * calls, durations and active users are per scenario, labelled {@code scenario}: {@code sum by
 * (test)} gives a test's figures over the scenarios (histograms add exactly). Every value is
 * cumulative since the run started, and each series starts with a 0 at the start of the period it
 * first appears in, so {@code increase()} over the whole run, evaluated at the run's last sample,
 * is exact.
 *
 * <p>A receiver that is slow or down never holds up the run: periods wait in a bounded buffer and
 * are retried from a thread of their own (see {@link Sender}); what had to be dropped is counted,
 * printed at the end, and in {@link #report()}. The end of the run waits at most {@code
 * flushTimeout} (5 s) for the last periods.
 *
 * <pre>{@code
 * Run.of(config, scenario)
 *     .sink(RemoteWriteSink.builder(URI.create("http://127.0.0.1:9090/api/v1/write"))
 *         .tag("env", "staging").build())
 *     .execute();
 * }</pre>
 *
 * <p>Calls come from the run's one sink thread ({@link Sink}); {@link #report()} from any thread.
 */
public final class RemoteWriteSink implements Sink {

  static final String CALLS = "grindstone_calls_total";
  static final String DURATION = "grindstone_call_duration_seconds";
  static final String USERS = "grindstone_active_users";
  static final String LATE = "grindstone_late_starts_total";

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** Labels the sink sets itself; {@code instance} may be replaced by a tag. */
  private static final Set<String> RESERVED =
      Set.of("run", "run_id", "scenario", "test", "description", "outcome", "le");

  private static final List<Encoder.Family> FAMILIES =
      List.of(
          new Encoder.Family(
              "grindstone_calls",
              MetricType.COUNTER,
              "Completed calls per test: outcome success (The Grinder's Tests), error, or cancelled"
                  + " at stop.",
              ""),
          new Encoder.Family(
              DURATION, MetricType.HISTOGRAM, "Latency of successful calls per test.", "seconds"),
          new Encoder.Family(
              USERS, MetricType.GAUGE, "Virtual users running at the end of the period.", ""),
          new Encoder.Family(
              "grindstone_late_starts",
              MetricType.COUNTER,
              "Iterations that started more than 10 ms after they were planned.",
              ""));

  private final URI url;
  private final Map<String, String> tags;
  private final HistogramMode mode;
  private final PrintStream messages;
  private final Duration flushTimeout;
  private final Duration requestTimeout;
  private final int maxPendingSamples;

  /** By scenario (null in a run of one scenario), then test number. */
  private final Map<TestKey, TestState> tests =
      new TreeMap<>(
          Comparator.comparing(TestKey::scenario, Comparator.nullsFirst(Comparator.naturalOrder()))
              .thenComparingInt(TestKey::test));

  private record TestKey(String scenario, int test) {}

  private Map<String, String> runLabels;
  private Sender sender;
  private long lateStarts;
  private boolean started;
  private volatile RemoteWriteReport report;

  private RemoteWriteSink(Builder b) {
    this.url = b.url;
    this.tags = Map.copyOf(b.tags);
    this.mode = b.mode;
    this.messages = b.messages;
    this.flushTimeout = b.flushTimeout;
    this.requestTimeout = b.requestTimeout;
    this.maxPendingSamples = b.maxPendingSamples;
  }

  /** A sink writing to {@code url}, e.g. {@code http://127.0.0.1:9090/api/v1/write}. */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /** The cumulative figures of one test. */
  private static final class TestState {
    final Map<String, String> labels;
    long successes;
    long errors;
    long cancelled;
    boolean cancelledSeen;
    long sumMicros;
    final long[] classic = new long[LatencyBuckets.count()];
    final NativeBuckets nativeBuckets = new NativeBuckets();
    boolean announced;

    TestState(Map<String, String> labels) {
      this.labels = labels;
    }
  }

  @Override
  public void start(RunInfo run) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("instance", instance());
    labels.putAll(tags);
    labels.put("run", run.name());
    labels.put("run_id", run.id());
    runLabels = Map.copyOf(labels);
    sender =
        new Sender(
            url,
            authorization(url),
            mode,
            requestTimeout,
            maxPendingSamples,
            20_000,
            FAMILIES,
            notice -> messages.println("Prometheus remote write: " + notice));
    sender.start();
    messages.println(
        "Remote-writing to "
            + Sender.redacted(url)
            + " every "
            + run.period().toMillis()
            + " ms as run_id="
            + run.id()
            + " (histograms: "
            + mode.name().toLowerCase(Locale.ROOT)
            + ")");
  }

  @Override
  public void interval(IntervalSnapshot s) {
    long at = s.endEpochMillis();
    long zeroAt = started ? -1 : s.startEpochMillis();
    List<Point> points = new ArrayList<>();
    if (s.scenarios().isEmpty()) {
      for (TestFigures t : s.tests()) {
        add(null, t);
      }
    } else {
      for (ScenarioResult r : s.scenarios()) {
        for (TestFigures t : r.tests()) {
          add(r.name(), t);
        }
      }
    }
    for (TestState state : tests.values()) {
      long testZeroAt = state.announced ? -1 : s.startEpochMillis();
      points.add(
          new Point.Value(
              CALLS, with(state.labels, "outcome", "success"), testZeroAt, at, state.successes));
      points.add(
          new Point.Value(
              CALLS, with(state.labels, "outcome", "error"), testZeroAt, at, state.errors));
      if (state.cancelled > 0) {
        points.add(
            new Point.Value(
                CALLS,
                with(state.labels, "outcome", "cancelled"),
                state.cancelledSeen ? -1 : s.startEpochMillis(),
                at,
                state.cancelled));
        state.cancelledSeen = true;
      }
      points.add(
          new Point.Histogram(
              DURATION,
              state.labels,
              testZeroAt,
              at,
              state.nativeBuckets.copy(),
              state.classic.clone(),
              state.sumMicros / 1e6));
      state.announced = true;
    }
    lateStarts += s.lateStarts();
    if (s.scenarios().isEmpty()) {
      points.add(new Point.Value(USERS, runLabels, -1, at, s.activeUsers()));
    } else {
      for (ScenarioResult r : s.scenarios()) {
        points.add(
            new Point.Value(USERS, with(runLabels, "scenario", r.name()), -1, at, r.users()));
      }
    }
    points.add(new Point.Value(LATE, runLabels, zeroAt, at, lateStarts));
    started = true;
    sender.offer(new Sender.Batch(at, points));
  }

  @Override
  public void finish(RunSummary summary) {
    RemoteWriteReport r = sender.finish(flushTimeout);
    report = r;
    String form =
        r.histograms() == HistogramMode.NATIVE ? "native histograms" : "classic histogram buckets";
    if (r.droppedSamples() == 0) {
      messages.printf(
          Locale.ROOT,
          "Prometheus remote write to %s: %,d samples in %,d requests (%s)%n",
          Sender.redacted(url),
          r.samples(),
          r.requests(),
          form);
    } else {
      messages.printf(
          Locale.ROOT,
          "Prometheus remote write to %s: %,d samples in %,d requests (%s); DROPPED %,d samples of"
              + " %,d periods: %s%n",
          Sender.redacted(url),
          r.samples(),
          r.requests(),
          form,
          r.droppedSamples(),
          r.droppedRequests(),
          r.lastProblem());
    }
  }

  /** What was delivered and dropped; null until the run has finished. */
  public RemoteWriteReport report() {
    return report;
  }

  @Override
  public String name() {
    return "Prometheus remote write";
  }

  /** Adds one interval's figures of a test (in {@code scenario}, or null) to its state. */
  private void add(String scenario, TestFigures t) {
    TestState state =
        tests.computeIfAbsent(
            new TestKey(scenario, t.test()), k -> new TestState(testLabels(scenario, t)));
    state.successes += t.tests();
    state.errors += t.errors();
    state.cancelled += t.cancelled();
    state.sumMicros += t.timedSumMicros();
    LatencyBuckets.add(t.successes(), state.classic);
    state.nativeBuckets.add(t.successes());
  }

  private Map<String, String> testLabels(String scenario, TestFigures t) {
    Map<String, String> labels = new LinkedHashMap<>(runLabels);
    if (scenario != null) {
      labels.put("scenario", scenario);
    }
    labels.put("test", Integer.toString(t.test()));
    if (t.description() != null && !t.description().isEmpty()) {
      labels.put("description", t.description()); // an empty label is no label to Prometheus
    }
    return Map.copyOf(labels);
  }

  private static Map<String, String> with(Map<String, String> labels, String name, String value) {
    Map<String, String> m = new LinkedHashMap<>(labels);
    m.put(name, value);
    return m;
  }

  private static String instance() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  private static String authorization(URI url) {
    String user = url.getRawUserInfo();
    if (user == null) {
      return null;
    }
    String decoded = java.net.URLDecoder.decode(user, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
  }

  /** Configuration, validated by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final URI url;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private HistogramMode mode = HistogramMode.AUTO;
    private PrintStream messages = System.out;
    private Duration flushTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxPendingSamples = 500_000;

    private Builder(URI url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    /**
     * A label on every series, e.g. {@code env=staging}. Names are Prometheus label names ({@code
     * [a-zA-Z_][a-zA-Z0-9_]*}, not starting with {@code __}), other than those the sink sets
     * ({@code run}, {@code run_id}, {@code scenario}, {@code test}, {@code description}, {@code
     * outcome}, {@code le}); {@code instance} replaces the default host-pid.
     */
    public Builder tag(String name, String value) {
      Objects.requireNonNull(name, "name");
      if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
        throw new IllegalArgumentException(
            "tag name: must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __, got '"
                + name
                + "'");
      }
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException(
            "tag name: '" + name + "' is set by Grindstone itself; choose another name");
      }
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(
            "tag " + name + ": the value must not be empty (Prometheus drops empty labels)");
      }
      if (tags.put(name, value) != null) {
        throw new IllegalArgumentException("tag " + name + ": given twice");
      }
      return this;
    }

    public Builder histograms(HistogramMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Where the start, notices and the delivery report are printed (standard output by default).
     */
    public Builder messages(PrintStream messages) {
      this.messages = Objects.requireNonNull(messages, "messages");
      return this;
    }

    /** How long the end of the run waits for the last periods to be delivered (5 s by default). */
    public Builder flushTimeout(Duration flushTimeout) {
      this.flushTimeout = Objects.requireNonNull(flushTimeout, "flushTimeout");
      return this;
    }

    /** Time limit of one request (10 s by default). */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
      return this;
    }

    /** How many samples may wait for delivery before the oldest periods are dropped (500,000). */
    public Builder maxPendingSamples(int samples) {
      this.maxPendingSamples = samples;
      return this;
    }

    public RemoteWriteSink build() {
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
        throw new IllegalArgumentException(
            "url: must be an http or https URL such as"
                + " http://127.0.0.1:9090/api/v1/write, got '"
                + Sender.redacted(url)
                + "'");
      }
      if (flushTimeout.isNegative()) {
        throw new IllegalArgumentException("flushTimeout: must be 0 or more, got " + flushTimeout);
      }
      if (requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException(
            "requestTimeout: must be above 0, got " + requestTimeout);
      }
      if (maxPendingSamples < 1) {
        throw new IllegalArgumentException(
            "maxPendingSamples: must be at least 1, got " + maxPendingSamples);
      }
      return new RemoteWriteSink(this);
    }
  }
}
