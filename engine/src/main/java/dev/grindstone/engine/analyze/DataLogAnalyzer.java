package dev.grindstone.engine.analyze;

import dev.grindstone.engine.spi.DataLogColumn;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * Aggregates Grinder data logs exactly as a Grinder worker does: a successful call adds its time as
 * a {@code timedTests} sample (stored in µs) and the values of the plug-ins' columns it knows
 * (summed, or the last value kept, as each column says: the HTTP plug-in's {@code responseStatus}
 * keeps the last value, its length, response errors, DNS, connect and first-byte times and new
 * connections are summed); a failed call ({@code Errors} ≥ 1) adds only {@code errors} = 1, and its
 * time goes to the test's error-latency histogram. Several files add up as several workers would.
 *
 * <pre>{@code
 * DataLogAnalyzer analyzer = DataLogAnalyzer.create(List.of(HttpPlugin.INSTANCE));
 * analyzer.add(Path.of("host-0-data.log"));
 * DataLogAnalysis analysis = analyzer.analyze(OptionalLong.empty());
 * }</pre>
 *
 * <p>Files are streamed in constant memory (see the package documentation). A large file is cut at
 * line boundaries into up to {@code min(4, processors)} chunks read in parallel, each into its own
 * sets and histograms, merged in file order afterwards; merging is exact, so the figures are those
 * of one sequential read. Bad input throws {@link BadInputException} naming the file, line and
 * column of the first bad line in file order. Not thread-safe.
 */
public final class DataLogAnalyzer {

  /** Test numbers below this are found by array index, the rest through a map. */
  private static final int DIRECT_TESTS = 1024;

  /** Below this many bytes per chunk, a file is read by one thread. */
  private static final long MIN_CHUNK_BYTES = 8L << 20;

  /** What a sum can hold, for messages. */
  static final String SUM_LIMIT =
      "2^63 - 1 (in µs for times: about 292,000 years), which is as far as they"
          + " can be added exactly; a data log of calls never gets there";

  private final PluginSchema known;
  private final StatisticsSchema schema;
  private final SampleIndex timed;
  private final LongIndex errors;

  /** Every known plug-in column, by the slot of its statistic: its merge rule and header. */
  private final DataLogColumn[] columnBySlot;

  private final int bufferBytes;
  private final int threads;
  private final long minChunkBytes;
  private final DataLogReader reader;
  private final Partial total;

  private DataLogAnalyzer(Builder b) {
    this.known = PluginSchema.of(b.plugins);
    this.schema = known.statistics();
    this.timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
    this.errors = schema.longIndex(StatisticsSchema.ERRORS);
    this.columnBySlot = new DataLogColumn[schema.longSlots()];
    for (Plugin p : known.plugins()) {
      for (DataLogColumn c : p.dataLogColumns()) {
        columnBySlot[known.longIndex(c.statistic()).slot()] = c;
      }
    }
    this.bufferBytes = b.bufferBytes;
    this.threads = b.threads;
    this.minChunkBytes = b.minChunkBytes;
    this.reader = new DataLogReader(bufferBytes, known);
    this.total = new Partial();
  }

  /**
   * The schema of every set an analysis holds: the standard statistics and the plug-ins'; parse
   * expressions over it.
   */
  public StatisticsSchema schema() {
    return schema;
  }

  /**
   * An analyzer that knows no plug-in: their columns in a log are read as registered ones, and
   * ignored.
   */
  public static DataLogAnalyzer create() {
    return builder().build();
  }

  /** An analyzer that reads the data-log columns of {@code plugins}. */
  public static DataLogAnalyzer create(List<? extends Plugin> plugins) {
    return builder().plugins(plugins).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an analyzer. Not thread-safe. */
  public static final class Builder {
    private final List<Plugin> plugins = new ArrayList<>();
    private int bufferBytes = DataLogReader.DEFAULT_BUFFER_BYTES;
    private int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
    private long minChunkBytes = MIN_CHUNK_BYTES;

    private Builder() {}

    /** The plug-ins whose data-log columns the analyzer reads and adds up. */
    public Builder plugins(List<? extends Plugin> list) {
      plugins.addAll(list);
      return this;
    }

    /** The read buffer (default 1 MiB): it bounds the longest line. */
    public Builder bufferBytes(int bytes) {
      if (bytes < 16) {
        throw new IllegalArgumentException("bufferBytes must be at least 16, got " + bytes);
      }
      bufferBytes = bytes;
      return this;
    }

    /** Up to how many threads read one file, in chunks (default {@code min(4, processors)}). */
    public Builder threads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + n);
      }
      threads = n;
      return this;
    }

    /** The least a chunk read by a thread of its own holds (default 8 MiB). */
    public Builder minChunkBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("minChunkBytes must be at least 1, got " + bytes);
      }
      minChunkBytes = bytes;
      return this;
    }

    public DataLogAnalyzer build() {
      return new DataLogAnalyzer(this);
    }
  }

  /** Reads one data log file; messages name it as given. Returns its number of rows. */
  public long add(Path file) {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new BadInputException(name + ": is a folder; give the data log files themselves");
    }
    try {
      return addFile(name, file);
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
    long before = total.rows;
    reader.read(name, in, total);
    return total.rows - before;
  }

  private long addFile(String name, Path file) throws IOException {
    DataLogReader.HeaderAt header;
    try (InputStream in = Files.newInputStream(file)) {
      header = reader.readHeader(name, in);
    }
    long[] bounds = chunks(file, header.endOffset());
    int n = bounds.length - 1;
    if (n == 1) {
      Partial p;
      try {
        p = readChunk(name, file, header.header(), bounds[0], bounds[1], reader);
      } catch (DataLogReader.LineError e) {
        throw e.shifted(header.line());
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      total.merge(p);
      return p.rows;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            n,
            r -> {
              Thread t = new Thread(r, "data-log-reader");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Partial>> parts = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        long from = bounds[k];
        long to = bounds[k + 1];
        parts.add(
            pool.submit(
                () ->
                    readChunk(
                        name,
                        file,
                        header.header(),
                        from,
                        to,
                        new DataLogReader(bufferBytes, known))));
      }
      // In file order, so the first bad line of the file is the one reported.
      long rows = 0;
      long lines = header.line();
      for (Future<Partial> f : parts) {
        Partial p;
        try {
          p = f.get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof DataLogReader.LineError le) {
            throw le.shifted(lines);
          }
          if (cause instanceof BadInputException b) {
            throw b;
          }
          if (cause instanceof UncheckedIOException io) {
            throw io.getCause();
          }
          throw new IllegalStateException("Reading " + name + " failed", cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        total.merge(p);
        rows += p.rows;
        lines += p.lines;
      }
      return rows;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Byte offsets of chunks that start at line starts: {@code [from, b1, ..., size]}. */
  private long[] chunks(Path file, long from) throws IOException {
    try (FileChannel ch = FileChannel.open(file)) {
      long size = ch.size();
      long body = Math.max(0, size - from);
      int n = (int) Math.max(1, Math.min(threads, body / minChunkBytes));
      long[] bounds = new long[n + 1];
      bounds[0] = from;
      bounds[n] = Math.max(from, size);
      ByteBuffer window = ByteBuffer.allocate(64 * 1024);
      for (int k = 1; k < n; k++) {
        long target = Math.max(bounds[k - 1], from + body * k / n);
        bounds[k] = nextLineStart(ch, target, size, window);
      }
      return bounds;
    }
  }

  /** The offset just after the first newline at or after {@code position}, or {@code size}. */
  private static long nextLineStart(FileChannel ch, long position, long size, ByteBuffer window)
      throws IOException {
    long p = position;
    while (p < size) {
      window.clear();
      int n = ch.read(window, p);
      if (n <= 0) {
        break;
      }
      byte[] b = window.array();
      for (int i = 0; i < n; i++) {
        if (b[i] == '\n') {
          return p + i + 1;
        }
      }
      p += n;
    }
    return size;
  }

  private Partial readChunk(
      String name, Path file, DataLogFormat header, long from, long to, DataLogReader r) {
    Partial p = new Partial();
    p.header(header);
    try (FileChannel ch = FileChannel.open(file)) {
      r.readRows(name, header, new RegionInputStream(ch, from, to), p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    p.lines = r.lines();
    return p;
  }

  /**
   * The figures of every file added so far.
   *
   * @param periodMillis the period for TPS; when empty, the span of the calls: the latest start +
   *     time minus the earliest start (0 when there are no calls)
   */
  public DataLogAnalysis analyze(OptionalLong periodMillis) {
    long p;
    if (periodMillis.isPresent()) {
      p = periodMillis.getAsLong();
      if (p <= 0) {
        throw new BadInputException(
            "The period must be a positive number of milliseconds, got " + p);
      }
    } else {
      p =
          total.rows == 0
              ? 0
              : Math.floorDiv(total.maxEndMicros - total.minStartMillis * 1000 + 500, 1000);
    }
    Figures whole = figures(total, p);
    List<DataLogAnalysis.ScenarioFigures> scenarios = new ArrayList<>();
    total.scenarios.forEach(
        (name, part) -> {
          Figures f = figures(part, p);
          scenarios.add(new DataLogAnalysis.ScenarioFigures(name, f.tests(), f.totals()));
        });
    return new DataLogAnalysis(
        known, total.plugins(), total.rows, p, whole.tests(), whole.totals(), scenarios);
  }

  private record Figures(List<TestFigures> tests, TestFigures totals) {}

  /** Each test's figures of {@code part} and their totals, over {@code p} ms. */
  private Figures figures(Partial part, long p) {
    List<Integer> numbers = part.testNumbers();
    StatisticsSet totals = new StatisticsSet(schema);
    Histogram totalSuccesses = Histograms.newHistogram();
    Histogram totalFailures = Histograms.newHistogram();
    long totalCancelled = 0;
    List<TestFigures> tests = new ArrayList<>();
    for (int n : numbers) {
      Accumulator a = part.get(n);
      totalCancelled += a.cancelled;
      requireAddable(totals, a.statistics, "the totals");
      totals.add(a.statistics);
      totalSuccesses.add(a.successes);
      totalFailures.add(a.failures);
      tests.add(figures(n, p, a.statistics, a.successes, a.failures, a.cancelled));
    }
    // Summing status codes means nothing: like each test, the totals keep the last value of such a
    // column.
    for (int slot = 0; slot < columnBySlot.length; slot++) {
      if (columnBySlot[slot] != null && columnBySlot[slot].merge() == DataLogColumn.Merge.LAST) {
        totals.setLong(
            known.longIndex(columnBySlot[slot].statistic()),
            part.hasLast[slot] ? part.last[slot] : 0);
      }
    }
    return new Figures(
        tests,
        figures(TestFigures.TOTALS, p, totals, totalSuccesses, totalFailures, totalCancelled));
  }

  /** A data log has no intervals, so its figures have no peak TPS: 0, as a Grinder worker's. */
  private static TestFigures figures(
      int test,
      long periodMillis,
      StatisticsSet s,
      Histogram successes,
      Histogram failures,
      long cancelled) {
    return new TestFigures(test, "", false, periodMillis, 0, s, successes, failures, cancelled);
  }

  /**
   * Throws {@link BadInputException} unless every sum of {@code b} can be added to {@code a}'s
   * without overflowing.
   */
  private void requireAddable(StatisticsSet a, StatisticsSet b, String what) {
    if (a.getSum(timed) > Long.MAX_VALUE - b.getSum(timed)) {
      throw new BadInputException(what + ": the Test time values add up to more than " + SUM_LIMIT);
    }
    for (int slot = 0; slot < columnBySlot.length; slot++) {
      DataLogColumn c = columnBySlot[slot];
      if (c != null && c.merge() == DataLogColumn.Merge.SUM) {
        LongIndex i = known.longIndex(c.statistic());
        String overflow = overflow(a.getLong(i), b.getLong(i));
        if (overflow != null) {
          throw new BadInputException(
              what + ": the " + c.header() + " values add up to " + overflow);
        }
      }
    }
  }

  /** True when {@code a + b} does not fit in a long. */
  private static boolean overflows(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0;
  }

  /** Null when {@code a + b} fits in a long, else what it goes beyond, for messages. */
  private static String overflow(long a, long b) {
    if (!overflows(a, b)) {
      return null;
    }
    return b > 0
        ? "more than " + SUM_LIMIT
        : "less than -2^63, which is as far as they can be added exactly";
  }

  /** One test's figures while reading. */
  private final class Accumulator {
    final StatisticsSet statistics = new StatisticsSet(schema);
    final Histogram successes = Histograms.newHistogram();
    final Histogram failures = Histograms.newHistogram();

    /** By slot: whether a value of that keep-the-last column was read for this test. */
    final boolean[] hasLast = new boolean[columnBySlot.length];

    long cancelled;

    /** Adds {@code later}'s figures, which come after this one's in the file. */
    void merge(int test, Accumulator later) {
      requireAddable(statistics, later.statistics, "test " + test);
      long[] kept = new long[columnBySlot.length];
      for (int slot = 0; slot < columnBySlot.length; slot++) {
        if (isLast(slot)) {
          LongIndex i = known.longIndex(columnBySlot[slot].statistic());
          kept[slot] = later.hasLast[slot] ? later.statistics.getLong(i) : statistics.getLong(i);
        }
      }
      statistics.add(later.statistics);
      for (int slot = 0; slot < columnBySlot.length; slot++) {
        if (isLast(slot)) {
          statistics.setLong(known.longIndex(columnBySlot[slot].statistic()), kept[slot]);
          hasLast[slot] |= later.hasLast[slot];
        }
      }
      successes.add(later.successes);
      failures.add(later.failures);
      cancelled += later.cancelled;
    }
  }

  private boolean isLast(int slot) {
    return columnBySlot[slot] != null && columnBySlot[slot].merge() == DataLogColumn.Merge.LAST;
  }

  /** The figures of a run of lines (a chunk of a file, or everything read so far). */
  private final class Partial implements DataLogReader.RowHandler {
    private final Accumulator[] direct = new Accumulator[DIRECT_TESTS];
    private final Map<Integer, Accumulator> others = new HashMap<>();

    /** The plug-ins whose columns the files had. */
    private final Set<Plugin> withColumns = new HashSet<>();

    /** In logs of a run of several scenarios: each scenario's lines, in the order first read. */
    final Map<String, Partial> scenarios = new LinkedHashMap<>();

    /** The format of the file being read, for the scenarios' partials made while reading it. */
    private DataLogFormat format;

    /** The scenario of the last line, and its partial: lines of one scenario often follow. */
    private String lastScenario;

    private Partial lastScenarioPart;

    /** The columns of the file being read, by position after Errors: their statistics' slots. */
    private LongIndex[] indexes = new LongIndex[0];

    private DataLogColumn[] columns = new DataLogColumn[0];

    /** By position: whether the column is summed (else its last value is kept). */
    private boolean[] summed = new boolean[0];

    long rows;
    long lines;
    long minStartMillis = Long.MAX_VALUE;
    long maxEndMicros = Long.MIN_VALUE;

    /** By slot: the last value read of a keep-the-last column, over every test. */
    final long[] last = new long[columnBySlot.length];

    final boolean[] hasLast = new boolean[columnBySlot.length];

    Accumulator get(int test) {
      return test >= 0 && test < DIRECT_TESTS ? direct[test] : others.get(test);
    }

    Accumulator accumulator(int test) {
      if (test >= 0 && test < DIRECT_TESTS) {
        Accumulator a = direct[test];
        if (a == null) {
          a = new Accumulator();
          direct[test] = a;
        }
        return a;
      }
      return others.computeIfAbsent(test, t -> new Accumulator());
    }

    List<Integer> testNumbers() {
      List<Integer> numbers = new ArrayList<>();
      for (int i = 0; i < DIRECT_TESTS; i++) {
        if (direct[i] != null) {
          numbers.add(i);
        }
      }
      numbers.addAll(others.keySet());
      numbers.sort(null);
      return numbers;
    }

    /** The plug-ins whose columns the files had, in the known order. */
    List<Plugin> plugins() {
      return known.plugins().stream().filter(withColumns::contains).toList();
    }

    /** Adds {@code later}'s figures, which come after this one's. */
    void merge(Partial later) {
      withColumns.addAll(later.withColumns);
      rows += later.rows;
      minStartMillis = Math.min(minStartMillis, later.minStartMillis);
      maxEndMicros = Math.max(maxEndMicros, later.maxEndMicros);
      for (int slot = 0; slot < last.length; slot++) {
        if (later.hasLast[slot]) {
          hasLast[slot] = true;
          last[slot] = later.last[slot];
        }
      }
      for (int n : later.testNumbers()) {
        accumulator(n).merge(n, later.get(n));
      }
      later.scenarios.forEach((name, part) -> scenario(name).merge(part));
    }

    /** The partial of {@code name}'s lines. */
    private Partial scenario(String name) {
      if (name == lastScenario) { // the reader hands out one String per name
        return lastScenarioPart;
      }
      Partial part = scenarios.get(name);
      if (part == null) {
        part = new Partial();
        if (format != null) {
          part.header(format);
        }
        scenarios.put(name, part);
      }
      lastScenario = name;
      lastScenarioPart = part;
      return part;
    }

    @Override
    public void header(DataLogFormat format) {
      this.format = format;
      for (Partial part : scenarios.values()) {
        part.header(format);
      }
      withColumns.addAll(format.plugins());
      List<DataLogFormat.PluginColumn> c = format.pluginColumns();
      indexes = new LongIndex[c.size()];
      columns = new DataLogColumn[c.size()];
      summed = new boolean[c.size()];
      for (int i = 0; i < c.size(); i++) {
        indexes[i] = c.get(i).index();
        columns[i] = c.get(i).column();
        summed[i] = columns[i].merge() == DataLogColumn.Merge.SUM;
      }
    }

    @Override
    public void cancelled(int test, long startMillis, String scenario) {
      if (scenario != null) {
        scenario(scenario).cancelled(test, startMillis, null);
      }
      rows++;
      if (startMillis < minStartMillis) {
        minStartMillis = startMillis;
      }
      maxEndMicros = Math.max(maxEndMicros, startMillis * 1000); // it ran at least from its start
      accumulator(test).cancelled++;
    }

    @Override
    public void row(
        int test,
        long startMillis,
        long timeMicros,
        boolean error,
        long[] values,
        String scenario) {
      if (scenario != null) {
        scenario(scenario).row(test, startMillis, timeMicros, error, values, null);
      }
      rows++;
      if (startMillis < minStartMillis) {
        minStartMillis = startMillis;
      }
      long endMicros = startMillis * 1000 + timeMicros;
      if (endMicros > maxEndMicros) {
        maxEndMicros = endMicros;
      }
      Accumulator a = accumulator(test);
      if (error) {
        // As a Grinder worker: a failed call adds only errors; its time and plug-in figures are
        // dropped.
        a.statistics.addLong(errors, 1);
        a.failures.recordValue(timeMicros);
        return;
      }
      StatisticsSet s = a.statistics;
      // Check every sum before the first change, so that a line is added whole or not at all.
      if (s.getSum(timed) > Long.MAX_VALUE - timeMicros) {
        throw tooLarge(5, test, "Test time", "more than " + SUM_LIMIT);
      }
      if (values != null) {
        for (int i = 0; i < values.length; i++) {
          if (summed[i] && overflows(s.getLong(indexes[i]), values[i])) {
            throw tooLarge(
                7 + i, test, columns[i].header(), overflow(s.getLong(indexes[i]), values[i]));
          }
        }
      }
      s.addSample(timed, timeMicros);
      a.successes.recordValue(timeMicros);
      if (values != null) {
        for (int i = 0; i < values.length; i++) {
          LongIndex index = indexes[i];
          if (summed[i]) {
            s.addLong(index, values[i]);
          } else {
            s.setLong(index, values[i]);
            a.hasLast[index.slot()] = true;
            last[index.slot()] = values[i];
            hasLast[index.slot()] = true;
          }
        }
      }
    }

    private static DataLogReader.RowRejected tooLarge(
        int column, int test, String name, String overflow) {
      return new DataLogReader.RowRejected(
          column, "test " + test + ": the " + name + " values add up to " + overflow);
    }
  }

  /** Bytes {@code [from, to)} of a file, by positional reads (so chunks share no position). */
  private static final class RegionInputStream extends InputStream {
    private final FileChannel channel;
    private long position;
    private final long end;

    RegionInputStream(FileChannel channel, long from, long to) {
      this.channel = channel;
      this.position = from;
      this.end = to;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= end) {
        return -1;
      }
      int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
      if (n < 0) {
        return -1;
      }
      position += n;
      return n;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }
}
