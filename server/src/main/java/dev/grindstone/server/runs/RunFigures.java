package dev.grindstone.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/**
 * The merged figures of runs (per test, per phase, in total, and per interval), kept up to date as
 * snapshots arrive so that reading a run costs about the same whatever its length.
 *
 * <p>IMPLEMENTATION NOTES. This is a cache caught up from the store, not totals materialised in it.
 * Stored snapshots never change, and each carries its run's ordinal, assigned while the run's row
 * is locked, so ordinals commit in order. A read first asks the store for the run's last ordinal
 * and folds only the snapshots after the one it folded last: exact, whichever server of those
 * sharing the store wrote them, and with nothing to invalidate. Materialising instead would decode,
 * merge and re-encode each test's histograms on every write, in the one writer thread, and a late
 * agent's snapshot would still need its interval merged again. The price: the first read of a run
 * after a restart folds the whole run once.
 *
 * <p>An interval (snapshots whose start falls in one bucket of the median snapshot length) keeps
 * only its figures, not its histograms: when a snapshot arrives for an interval already known (an
 * agent reporting late), that interval alone is merged again from the store. When the median length
 * changes, every interval is. Each interval remembers the ordinal at which it last changed, so a
 * client can ask for what changed after the version it has ({@link #series(String, long)}).
 *
 * <p>Stored snapshots that today's rules refuse (written before them), or that would take a total
 * beyond its limit, are left out and counted.
 *
 * <p>Memory: per run, the histograms of each test and phase and of the total, and each interval's
 * figures. At most {@link #MAX_RUNS} runs and about {@link #MAX_BYTES} of them are kept, the least
 * recently read dropped first. Thread-safe: one lock per run; reads of different runs proceed
 * together.
 */
final class RunFigures {
  static final int MAX_RUNS = 32;
  static final long MAX_BYTES = 256L << 20;

  private final Database db;
  private final ObjectMapper mapper;
  private final LinkedHashMap<String, State> runs = new LinkedHashMap<>(16, 0.75f, true);

  RunFigures(Database db, ObjectMapper mapper) {
    this.db = db;
    this.mapper = mapper;
  }

  /** A run's totals: figures per test (by number), in total and per phase (by name). Immutable. */
  record Totals(
      long version,
      Map<Integer, Map<String, Object>> perTest,
      Map<String, Object> total,
      Map<String, Map<String, Object>> perPhase,
      Long dataStartMs,
      Long dataEndMs,
      long snapshots,
      long skippedSnapshots,
      Set<Long> skippedOrdinals) {}

  /**
   * The intervals of a run that changed after a version, in time order, each already in JSON (a
   * long run's series is thousands of them: serialising each once, when it changes, keeps the read
   * cheap). The arrays are shared: do not modify them.
   */
  record Series(long version, long intervalMs, List<byte[]> intervals) {}

  /**
   * The run's totals, caught up with the store.
   *
   * @throws ApiError 404 when there is no such run
   */
  Totals totals(String runId) {
    return withState(
        runId,
        s -> {
          if (s.totals == null || s.totals.version() != s.version) {
            s.totals = s.totalsView();
          }
          return s.totals;
        });
  }

  /**
   * The run's intervals that changed after {@code after} (a {@link Series#version()} the caller
   * has; 0 for all), caught up with the store.
   *
   * @throws ApiError 404 when there is no such run
   */
  Series series(String runId, long after) {
    return withState(
        runId,
        s -> {
          List<byte[]> out = new ArrayList<>();
          for (Interval iv : s.intervals.values()) {
            if (iv.version > after) {
              out.add(iv.json);
            }
          }
          return new Series(s.version, s.bucketMs, out);
        });
  }

  private interface Read<T> {
    T apply(State s);
  }

  private <T> T withState(String runId, Read<T> read) {
    State s;
    synchronized (runs) {
      s = runs.computeIfAbsent(runId, k -> new State());
    }
    T result;
    s.lock.lock();
    try {
      catchUp(runId, s);
      result = read.apply(s);
    } finally {
      s.lock.unlock();
    }
    evict(s);
    return result;
  }

  private void evict(State keep) {
    synchronized (runs) {
      long bytes = 0;
      for (State s : runs.values()) {
        bytes += s.footprint;
      }
      Iterator<State> eldest = runs.values().iterator();
      while ((runs.size() > MAX_RUNS || bytes > MAX_BYTES) && eldest.hasNext()) {
        State s = eldest.next();
        if (s != keep) {
          bytes -= s.footprint;
          eldest.remove();
        }
      }
    }
  }

  // ---------------------------------------------------------------- catching up

  /** One stored snapshot as the fold reads it. */
  private record Row(long ordinal, String phase, long startMs, long endMs, String tests) {}

  private static final String ROW =
      "SELECT ORDINAL, PHASE, START_MS, END_MS, TESTS FROM RUN_SNAPSHOTS WHERE RUN_ID = :r";

  private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Row(
        rs.getLong("ORDINAL"),
        rs.getString("PHASE"),
        rs.getLong("START_MS"),
        rs.getLong("END_MS"),
        rs.getString("TESTS"));
  }

  private void catchUp(String runId, State s) {
    long current =
        db.read(
                hd ->
                    hd.createQuery("SELECT SNAPSHOTS FROM RUNS WHERE ID = :r")
                        .bind("r", runId)
                        .mapTo(Long.class)
                        .findOne())
            .orElseThrow(() -> ApiError.notFound("id", "no run with id '" + runId + "'"));
    if (s.version == current && s.started) {
      return;
    }
    if (!s.started) {
      foldEverything(runId, s, current);
    } else {
      foldNew(runId, s, current);
    }
    s.started = true;
    s.version = current;
    s.footprint = s.measure();
  }

  /**
   * A cold run: its lengths first (for the interval), then one pass in time order that merges each
   * snapshot into the totals and into its interval at once.
   */
  private void foldEverything(String runId, State s, long current) {
    db.read(
        hd -> {
          hd.createQuery(
                  "SELECT END_MS - START_MS AS L, COUNT(*) AS N FROM RUN_SNAPSHOTS WHERE RUN_ID ="
                      + " :r AND ORDINAL <= :to GROUP BY END_MS - START_MS")
              .bind("r", runId)
              .bind("to", current)
              .map((rs, c) -> new long[] {rs.getLong("L"), rs.getLong("N")})
              .forEach(ln -> s.addLengths(ln[0], ln[1]));
          s.bucketMs = s.medianLength();
          IntervalBuilder iv = new IntervalBuilder();
          forEachRow(
              hd,
              ROW + " AND ORDINAL <= :to ORDER BY START_MS, ORDINAL",
              Map.of("r", runId, "to", current),
              row -> {
                long key = s.bucketOf(row.startMs);
                if (iv.key != key) {
                  iv.emitInto(s, current);
                  iv.open(key);
                }
                foldTotals(s, row, iv);
              });
          iv.emitInto(s, current);
          return null;
        });
  }

  /** A warm run: the snapshots after the last one folded, then the intervals they touched. */
  private void foldNew(String runId, State s, long current) {
    Set<Long> starts = new TreeSet<>();
    db.read(
        hd -> {
          forEachRow(
              hd,
              ROW + " AND ORDINAL > :from AND ORDINAL <= :to ORDER BY ORDINAL",
              Map.of("r", runId, "from", s.version, "to", current),
              row -> {
                s.addLengths(row.endMs - row.startMs, 1);
                if (foldTotals(s, row, null) != null) {
                  starts.add(row.startMs);
                }
              });
          return null;
        });
    long bucket = s.medianLength();
    if (bucket != s.bucketMs) {
      s.bucketMs = bucket;
      s.intervals.clear();
      db.read(
          hd -> {
            intervals(
                hd,
                s,
                ROW + " AND ORDINAL <= :to ORDER BY START_MS, ORDINAL",
                Map.of("r", runId, "to", current),
                current);
            return null;
          });
      return;
    }
    Set<Long> keys = new TreeSet<>();
    for (long start : starts) {
      keys.add(s.bucketOf(start));
    }
    db.read(
        hd -> {
          for (long key : keys) {
            s.intervals.remove(key);
            intervals(
                hd,
                s,
                ROW
                    + " AND START_MS >= :a AND START_MS < :b AND ORDINAL <= :to ORDER BY START_MS,"
                    + " ORDINAL",
                Map.of("r", runId, "a", key, "b", key + s.bucketMs, "to", current),
                current);
          }
          return null;
        });
  }

  /** Merges the selected rows into intervals (their histograms only while each is built). */
  private void intervals(Handle hd, State s, String sql, Map<String, Object> binds, long version) {
    IntervalBuilder iv = new IntervalBuilder();
    forEachRow(
        hd,
        sql,
        binds,
        row -> {
          if (s.skipped.contains(row.ordinal)) {
            return;
          }
          List<TestEntry> entries = SnapshotTests.readStored(mapper, row.tests);
          if (entries == null) {
            return;
          }
          long key = s.bucketOf(row.startMs);
          if (iv.key != key) {
            iv.emitInto(s, version);
            iv.open(key);
          }
          iv.span(row);
          for (TestEntry e : entries) {
            Agg.addAll(e, iv.test(e.number()), iv.total);
          }
        });
    iv.emitInto(s, version);
  }

  private static void forEachRow(
      Handle hd, String sql, Map<String, Object> binds, Consumer<Row> each) {
    var q = hd.createQuery(sql);
    binds.forEach(q::bind);
    q.map((rs, c) -> row(rs)).forEach(each);
  }

  /**
   * Adds a snapshot to the run's totals, and to {@code iv} when given (one decoding of each
   * histogram for both); null (and counted) when it is left out.
   */
  private List<TestEntry> foldTotals(State s, Row row, IntervalBuilder iv) {
    List<TestEntry> entries = SnapshotTests.readStored(mapper, row.tests);
    RunTotals next = entries == null ? null : s.counts.plusOrNull(entries);
    long timedSum = next == null ? -1 : timedSum(s.timedSum, entries);
    if (next == null || timedSum < 0) {
      s.skipped.add(row.ordinal);
      return null;
    }
    s.counts = next;
    s.timedSum = timedSum;
    s.snapshots++;
    s.minStart = Math.min(s.minStart, row.startMs);
    s.maxEnd = Math.max(s.maxEnd, row.endMs);
    Agg phase = null;
    if (row.phase != null) {
      long[] span =
          s.phaseSpan.computeIfAbsent(row.phase, k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
      span[0] = Math.min(span[0], row.startMs);
      span[1] = Math.max(span[1], row.endMs);
      phase = s.perPhase.computeIfAbsent(row.phase, k -> new Agg());
    }
    if (iv != null) {
      iv.span(row);
    }
    List<Agg> targets = new ArrayList<>(5);
    for (TestEntry e : entries) {
      targets.clear();
      targets.add(s.perTest.computeIfAbsent(e.number(), k -> new Agg()));
      targets.add(s.total);
      if (phase != null) {
        targets.add(phase);
      }
      if (iv != null) {
        targets.add(iv.test(e.number()));
        targets.add(iv.total);
      }
      Agg.addAll(e, targets.toArray(new Agg[0]));
    }
    return entries;
  }

  /**
   * The run's sum of timed calls (µs) with {@code entries}' added, or -1 when it would go beyond
   * what a long holds: then the snapshot is left out, as one that would take a count beyond its
   * limit, and every merge (a test's, a phase's, an interval's) stays within the run's.
   */
  private static long timedSum(long sum, List<TestEntry> entries) {
    for (TestEntry e : entries) {
      long add = e.timedSumMicros();
      if (add > Long.MAX_VALUE - sum) {
        return -1;
      }
      sum += add;
    }
    return sum;
  }

  // ---------------------------------------------------------------- state

  private record Interval(long version, byte[] json) {}

  /**
   * Merges the snapshots of one interval after another; its merges are emptied and used again for
   * the next interval, so a pass over a long run allocates histograms once. Not thread-safe.
   */
  private final class IntervalBuilder {
    long key = Long.MIN_VALUE;
    long start;
    long end;
    int rows;
    final Agg total = new Agg();
    final Map<Integer, Agg> perTest = new HashMap<>();
    final Set<Integer> used = new TreeSet<>();

    void open(long key) {
      this.key = key;
      start = Long.MAX_VALUE;
      end = Long.MIN_VALUE;
      rows = 0;
      total.reset();
      for (int n : used) {
        perTest.get(n).reset();
      }
      used.clear();
    }

    Agg test(int number) {
      used.add(number);
      return perTest.computeIfAbsent(number, k -> new Agg());
    }

    void span(Row row) {
      start = Math.min(start, row.startMs);
      end = Math.max(end, row.endMs);
      rows++;
    }

    /** Stores the interval being merged (if any snapshot was merged into it) at {@code version}. */
    void emitInto(State s, long version) {
      if (rows == 0) {
        return;
      }
      long spanMillis = Math.max(1, end - start);
      Map<String, Object> iv = new LinkedHashMap<>();
      iv.put("startMs", start);
      iv.put("endMs", end);
      iv.put("total", total.shortFigures(spanMillis));
      List<Map<String, Object>> tests = new ArrayList<>();
      for (int n : used) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("number", n);
        row.putAll(perTest.get(n).shortFigures(spanMillis));
        tests.add(row);
      }
      iv.put("tests", tests);
      try {
        s.intervals.put(key, new Interval(version, mapper.writeValueAsBytes(iv)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("an interval's figures cannot be written as JSON", e);
      }
      rows = 0;
    }
  }

  private static final class State {
    final ReentrantLock lock = new ReentrantLock();
    boolean started;
    long version;
    long footprint;
    RunTotals counts = RunTotals.ZERO;
    long timedSum;
    long snapshots;
    final Set<Long> skipped = new HashSet<>();
    long minStart = Long.MAX_VALUE;
    long maxEnd = Long.MIN_VALUE;
    final Map<Integer, Agg> perTest = new TreeMap<>();
    final Agg total = new Agg();
    final Map<String, Agg> perPhase = new HashMap<>();
    final Map<String, long[]> phaseSpan = new HashMap<>();
    final TreeMap<Long, Long> lengths = new TreeMap<>();
    long lengthCount;
    long bucketMs = 1000;
    final TreeMap<Long, Interval> intervals = new TreeMap<>();
    Totals totals;

    void addLengths(long length, long n) {
      lengths.merge(length, n, Long::sum);
      lengthCount += n;
    }

    /**
     * The median snapshot length (the upper one of an even count), at least 1 ms; 1 s when none.
     */
    long medianLength() {
      if (lengthCount == 0) {
        return 1000;
      }
      long seen = 0;
      for (Map.Entry<Long, Long> e : lengths.entrySet()) {
        seen += e.getValue();
        if (seen > lengthCount / 2) {
          return Math.max(1, e.getKey());
        }
      }
      throw new IllegalStateException("unreachable: the counts add up to " + lengthCount);
    }

    long bucketOf(long startMs) {
      return Math.floorDiv(startMs, bucketMs) * bucketMs;
    }

    long measure() {
      long bytes = total.footprint();
      for (Interval iv : intervals.values()) {
        bytes += 64 + iv.json.length;
      }
      for (Agg a : perTest.values()) {
        bytes += a.footprint();
      }
      for (Agg a : perPhase.values()) {
        bytes += a.footprint();
      }
      return bytes;
    }

    Totals totalsView() {
      boolean any = snapshots > 0;
      long spanMillis = any ? Math.max(1, maxEnd - minStart) : 0;
      Map<Integer, Map<String, Object>> tests = new TreeMap<>();
      perTest.forEach((n, a) -> tests.put(n, a.table(spanMillis)));
      Map<String, Map<String, Object>> phases = new HashMap<>();
      perPhase.forEach(
          (name, a) -> {
            long[] span = phaseSpan.get(name);
            phases.put(name, a.table(Math.max(1, span[1] - span[0])));
          });
      return new Totals(
          version,
          Map.copyOf(tests),
          total.table(spanMillis),
          Map.copyOf(phases),
          any ? minStart : null,
          any ? maxEnd : null,
          snapshots,
          skipped.size(),
          Set.copyOf(skipped));
    }
  }
}
