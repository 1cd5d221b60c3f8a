package dev.grindstone.engine.analyze;

import dev.grindstone.engine.analyze.DataLogAnalysis.Figures;
import dev.grindstone.engine.analyze.DataLogAnalysis.TestResult;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Aggregates Grinder data logs exactly as a Grinder worker does: a successful call adds its time as
 * a {@code timedTests} sample (stored in µs) and its HTTP statistics ({@code responseStatus} keeps
 * the last value; length, response errors, DNS, connect and first-byte times and new connections
 * are summed); a failed call ({@code Errors} ≥ 1) adds only {@code errors} = 1, and its time goes
 * to the test's error-latency histogram. Several files add up as several workers would.
 *
 * <pre>{@code
 * DataLogAnalyzer analyzer = DataLogAnalyzer.create();
 * analyzer.add(Path.of("host-0-data.log"));
 * DataLogAnalysis analysis = analyzer.analyze(OptionalLong.empty());
 * }</pre>
 *
 * <p>Files are streamed in constant memory (see the package documentation). Bad input throws
 * {@link BadInputException} naming the file, line and column. Not thread-safe.
 */
public final class DataLogAnalyzer {

  /** Test numbers below this are found by array index, the rest through a map. */
  private static final int DIRECT_TESTS = 1024;

  private final StatisticsSchema schema = StatisticsSchema.withHttp();
  private final SampleIndex timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
  private final LongIndex errors = schema.longIndex(StatisticsSchema.ERRORS);
  private final LongIndex period = schema.longIndex(StatisticsSchema.PERIOD);
  private final LongIndex status = schema.longIndex(StatisticsSchema.HTTP_RESPONSE_STATUS);
  private final LongIndex length = schema.longIndex(StatisticsSchema.HTTP_RESPONSE_LENGTH);
  private final LongIndex responseErrors = schema.longIndex(StatisticsSchema.HTTP_RESPONSE_ERRORS);
  private final LongIndex dns = schema.longIndex(StatisticsSchema.HTTP_DNS_TIME);
  private final LongIndex connect = schema.longIndex(StatisticsSchema.HTTP_CONNECT_TIME);
  private final LongIndex firstByte = schema.longIndex(StatisticsSchema.HTTP_FIRST_BYTE_TIME);
  private final LongIndex connections = schema.longIndex(StatisticsSchema.HTTP_CONNECTIONS_ESTABLISHED);

  private final Accumulator[] direct = new Accumulator[DIRECT_TESTS];
  private final Map<Integer, Accumulator> others = new HashMap<>();
  private final DataLogReader reader;
  private final Handler handler = new Handler();

  private boolean http;
  private long rows;
  private long minStartMillis = Long.MAX_VALUE;
  private long maxEndMicros = Long.MIN_VALUE;
  private boolean hasLastStatus;
  private long lastStatus;

  private DataLogAnalyzer(int bufferBytes) {
    this.reader = new DataLogReader(bufferBytes);
  }

  /** The schema of every set an analysis holds; parse expressions over it. */
  public static StatisticsSchema schema() {
    return StatisticsSchema.withHttp();
  }

  public static DataLogAnalyzer create() {
    return new DataLogAnalyzer(DataLogReader.DEFAULT_BUFFER_BYTES);
  }

  /** With a smaller read buffer (it bounds the longest line), to test lines across refills. */
  static DataLogAnalyzer withBuffer(int bufferBytes) {
    return new DataLogAnalyzer(bufferBytes);
  }

  /** Reads one data log file; messages name it as given. Returns its number of rows. */
  public long add(Path file) {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new BadInputException(name + ": is a folder; give the data log files themselves");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return add(name, in);
    } catch (NoSuchFileException e) {
      throw new BadInputException(name + ": no such file");
    } catch (AccessDeniedException e) {
      throw new BadInputException(name + ": permission denied");
    } catch (IOException e) {
      throw new BadInputException(name + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Reads one data log from a stream (not closed), named {@code name} in messages. Returns its
   * number of rows.
   */
  public long add(String name, InputStream in) throws IOException {
    long n = reader.read(name, in, handler);
    rows += n;
    return n;
  }

  /**
   * The figures of every file added so far.
   *
   * @param periodMillis the period for TPS; when empty, the span of the calls: the latest
   *     start + time minus the earliest start (0 when there are no calls)
   */
  public DataLogAnalysis analyze(OptionalLong periodMillis) {
    long p;
    if (periodMillis.isPresent()) {
      p = periodMillis.getAsLong();
      if (p <= 0) {
        throw new BadInputException("The period must be a positive number of milliseconds, got " + p);
      }
    } else {
      p = rows == 0 ? 0 : Math.floorDiv(maxEndMicros - minStartMillis * 1000 + 500, 1000);
    }
    List<Integer> numbers = new ArrayList<>();
    for (int i = 0; i < DIRECT_TESTS; i++) {
      if (direct[i] != null) {
        numbers.add(i);
      }
    }
    numbers.addAll(others.keySet());
    numbers.sort(null);
    StatisticsSet totals = new StatisticsSet(schema);
    var totalSuccesses = Histograms.newHistogram();
    var totalFailures = Histograms.newHistogram();
    List<TestResult> tests = new ArrayList<>();
    for (int n : numbers) {
      Accumulator a = n >= 0 && n < DIRECT_TESTS ? direct[n] : others.get(n);
      StatisticsSet s = a.statistics.snapshot();
      s.setLong(period, p);
      totals.add(s);
      totalSuccesses.add(a.successes);
      totalFailures.add(a.failures);
      tests.add(new TestResult(n, new Figures(s, a.successes.copy(), a.failures.copy())));
    }
    // Summing status codes means nothing: like each test, the totals keep the last one.
    totals.setLong(status, hasLastStatus ? lastStatus : 0);
    totals.setLong(period, p);
    return new DataLogAnalysis(schema, http, rows, p, tests,
        new Figures(totals, totalSuccesses, totalFailures));
  }

  private Accumulator accumulator(int test) {
    if (test >= 0 && test < DIRECT_TESTS) {
      Accumulator a = direct[test];
      if (a == null) {
        a = new Accumulator(schema);
        direct[test] = a;
      }
      return a;
    }
    return others.computeIfAbsent(test, t -> new Accumulator(schema));
  }

  private static final class Accumulator {
    final StatisticsSet statistics;
    final org.HdrHistogram.Histogram successes = Histograms.newHistogram();
    final org.HdrHistogram.Histogram failures = Histograms.newHistogram();

    Accumulator(StatisticsSchema schema) {
      statistics = new StatisticsSet(schema);
    }
  }

  private final class Handler implements DataLogReader.RowHandler {
    @Override
    public void header(DataLogHeader header) {
      http |= header.http();
    }

    @Override
    public void row(int test, long startMillis, long timeMicros, boolean error, long[] h) {
      if (startMillis < minStartMillis) {
        minStartMillis = startMillis;
      }
      long endMicros = startMillis * 1000 + timeMicros;
      if (endMicros > maxEndMicros) {
        maxEndMicros = endMicros;
      }
      Accumulator a = accumulator(test);
      if (error) {
        // As a Grinder worker: a failed call adds only errors; its time and HTTP figures are dropped.
        a.statistics.addLong(errors, 1);
        a.failures.recordValue(timeMicros);
        return;
      }
      StatisticsSet s = a.statistics;
      s.addSample(timed, timeMicros);
      a.successes.recordValue(timeMicros);
      if (h != null) {
        s.setLong(status, h[0]);
        lastStatus = h[0];
        hasLastStatus = true;
        s.addLong(length, h[1]);
        s.addLong(responseErrors, h[2]);
        s.addLong(dns, h[3]);
        s.addLong(connect, h[4]);
        s.addLong(firstByte, h[5]);
        s.addLong(connections, h[6]);
      }
    }
  }
}
