package dev.grindstone.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.store.Jdbc;
import dev.grindstone.server.web.ApiError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;

/**
 * Load-test runs (RUNS, RUN_AGENTS, RUN_PHASES, RUN_TESTS, RUN_SNAPSHOTS): creation (idempotent by
 * id, merging tests, phases and agents), interval snapshots (idempotent by agent and sequence
 * number), finish, and the read side whose totals and percentiles come from the exact merge of
 * every agent's histograms ({@link RunFigures}). Thread-safe.
 */
public final class RunStore {

  /** How many (run, agent) and (run, test) pairs {@link #known} holds at most. */
  private static final int MAX_KNOWN = 100_000;

  /** A run none of whose agents and tests is known to be stored. */
  private static final Known NONE_KNOWN = new Known(Set.of(), Set.of());

  /** A snapshot's row: the statement every snapshot runs, so plain JDBC ({@link Jdbc}). */
  private static final String INSERT_SNAPSHOT =
      "INSERT INTO RUN_SNAPSHOTS (RUN_ID, AGENT, SEQ, PHASE, START_MS, END_MS, TESTS, ORDINAL,"
          + " ACTIVE_USERS, LATE_STARTS, SCENARIOS) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** The run's counters with a snapshot: every snapshot runs it, so plain JDBC. */
  private static final String UPDATE_TOTALS =
      "UPDATE RUNS SET SNAPSHOTS = ?, TESTS_TOTAL = ?, ERRORS_TOTAL = ?, HISTOGRAM_TOTAL = ?,"
          + " ERROR_HISTOGRAM_TOTAL = ?, TOTALS_KNOWN = 1 WHERE ID = ?";

  private final Database db;
  private final ObjectMapper mapper;
  private final RunFigures figures;
  private final RunScenarios scenarios;

  /** Reads and locks a run's counters, and whether a snapshot is stored (see {@link #lockRun}). */
  private final String lockRunSql;

  /**
   * Each run's agents and tests known to be stored, so that a snapshot writes them only the first
   * time: rows of RUN_AGENTS and RUN_TESTS are never deleted, and one is added here only once the
   * write that stored it has committed.
   */
  private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();

  /** How many pairs {@link #known} holds, roughly (for its bound). */
  private final AtomicInteger knownPairs = new AtomicInteger();

  /** One run's agents and tests known to be stored. Thread-safe. */
  private record Known(Set<String> agents, Set<Integer> tests) {
    Known() {
      this(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
    }
  }

  public RunStore(Database db, ObjectMapper mapper) {
    this.db = db;
    this.mapper = mapper;
    this.figures = new RunFigures(db, mapper);
    this.scenarios = new RunScenarios(db, mapper);
    this.lockRunSql =
        "SELECT SNAPSHOTS, TESTS_TOTAL, ERRORS_TOTAL, HISTOGRAM_TOTAL, ERROR_HISTOGRAM_TOTAL,"
            + " TOTALS_KNOWN, (SELECT COUNT(*) FROM RUN_SNAPSHOTS WHERE RUN_ID = ? AND AGENT = ?"
            + " AND SEQ = ?) AS STORED FROM RUNS WHERE ID = ?"
            + db.forUpdate();
  }

  /** The database the runs are stored in, for the baselines kept beside them. */
  Database database() {
    return db;
  }

  /** The runs' merged figures, kept up to date as snapshots arrive. */
  RunFigures figures() {
    return figures;
  }

  // ---------------------------------------------------------------- writes

  /**
   * Creates the run, or joins it: its tests, phases and the agent are merged into what is stored.
   */
  void create(RunPost run) {
    String runId = run.id();
    db.write(
        hd -> {
          hd.createUpdate(
                  "INSERT INTO RUNS (ID, NAME, START_MS, END_MS, STATUS) VALUES (:id, :n, :s, NULL,"
                      + " 'running') ON CONFLICT (ID) DO NOTHING")
              .bind("id", runId)
              .bind("n", run.name())
              .bind("s", run.startMs())
              .execute();
          hd.createUpdate("UPDATE RUNS SET START_MS = :s WHERE ID = :id AND START_MS > :s")
              .bind("id", runId)
              .bind("s", run.startMs())
              .execute();
          addAgent(hd, runId, run.agent());
          for (RunPost.Phase p : run.phases()) {
            hd.createUpdate(
                    "INSERT INTO RUN_PHASES (RUN_ID, NAME, POSITION, DURATION_MS) VALUES (:r, :n,"
                        + " :p, :d) ON CONFLICT (RUN_ID, NAME) DO NOTHING")
                .bind("r", runId)
                .bind("n", p.name())
                .bind("p", p.position())
                .bind("d", p.durationMs())
                .execute();
          }
          for (RunPost.TestInfo t : run.tests()) {
            addTest(hd, runId, t.number(), t.description());
          }
          updateStatus(hd, runId);
          return null;
        });
  }

  private static void addAgent(Handle hd, String runId, String agent) {
    int added =
        hd.createUpdate(
                "INSERT INTO RUN_AGENTS (RUN_ID, AGENT, FINISHED, END_MS) VALUES (:r, :a, 0, NULL)"
                    + " ON CONFLICT (RUN_ID, AGENT) DO NOTHING")
            .bind("r", runId)
            .bind("a", agent)
            .execute();
    if (added > 0) {
      hd.createUpdate("UPDATE RUNS SET STATUS = 'running', END_MS = NULL WHERE ID = :r")
          .bind("r", runId)
          .execute();
    }
  }

  private static void addTest(Handle hd, String runId, int number, String description) {
    hd.createUpdate(
            "INSERT INTO RUN_TESTS (RUN_ID, NUMBER, DESCRIPTION) VALUES (:r, :n, :d) ON CONFLICT"
                + " (RUN_ID, NUMBER) DO NOTHING")
        .bind("r", runId)
        .bind("n", number)
        .bind("d", description)
        .execute();
    if (!description.isEmpty()) {
      hd.createUpdate(
              "UPDATE RUN_TESTS SET DESCRIPTION = :d WHERE RUN_ID = :r AND NUMBER = :n AND"
                  + " DESCRIPTION = ''")
          .bind("r", runId)
          .bind("n", number)
          .bind("d", description)
          .execute();
    }
  }

  private static void updateStatus(Handle hd, String runId) {
    long open =
        hd.createQuery("SELECT COUNT(*) FROM RUN_AGENTS WHERE RUN_ID = :r AND FINISHED = 0")
            .bind("r", runId)
            .mapTo(Long.class)
            .one();
    if (open == 0) {
      Long end =
          hd.createQuery("SELECT MAX(END_MS) FROM RUN_AGENTS WHERE RUN_ID = :r")
              .bind("r", runId)
              .mapTo(Long.class)
              .findOne()
              .orElse(null);
      hd.createUpdate("UPDATE RUNS SET STATUS = 'finished', END_MS = :e WHERE ID = :r")
          .bind("r", runId)
          .bind("e", end)
          .execute();
    }
  }

  /**
   * Stores a snapshot unless this agent's snapshot of the same sequence number is stored.
   *
   * @return the run's version (ordinal) with it, or -1 when it was stored before
   * @throws ApiError 404 for an unknown run, 409 when it would take a total of the run beyond its
   *     limit; both before anything is written, so the writes committed with it are not disturbed
   */
  long append(SnapshotPost s) {
    String runId = s.runId();
    long version =
        db.write(
            hd -> {
              StoredTotals run = lockRun(hd, s);
              if (run.stored()) {
                return null; // a re-post: already stored
              }
              RunTotals totals = run.known() ? run.totals() : sumStored(hd, runId);
              return new Append(run.snapshots() + 1, totals.plus(s.tests()));
            },
            (hd, append) -> append == null ? -1L : insert(hd, s, append));
    if (version > 0) {
      // Committed with the snapshot: they need not be written again.
      if (knownPairs.get() > MAX_KNOWN) {
        known.clear();
        knownPairs.set(0);
      }
      Known run = known.computeIfAbsent(runId, id -> new Known());
      if (run.agents().add(s.agent())) {
        knownPairs.incrementAndGet();
      }
      for (TestEntry t : s.tests()) {
        if (run.tests().add(t.number())) {
          knownPairs.incrementAndGet();
        }
      }
    }
    return version;
  }

  /** Stores a snapshot the check found new, with its agent and tests; returns its ordinal. */
  private long insert(Handle hd, SnapshotPost s, Append append) {
    String runId = s.runId();
    Known run = known.getOrDefault(runId, NONE_KNOWN);
    if (!run.agents().contains(s.agent())) {
      addAgent(hd, runId, s.agent());
    }
    List<Integer> unknown = new ArrayList<>();
    for (TestEntry t : s.tests()) {
      if (!run.tests().contains(t.number())) {
        unknown.add(t.number());
      }
    }
    if (!unknown.isEmpty()) {
      // One read for the tests the run has, rather than an insert per test.
      Set<Integer> stored =
          new HashSet<>(
              hd.createQuery("SELECT NUMBER FROM RUN_TESTS WHERE RUN_ID = :r")
                  .bind("r", runId)
                  .mapTo(Integer.class)
                  .list());
      for (int number : unknown) {
        if (stored.add(number)) {
          addTest(hd, runId, number, "");
        }
      }
    }
    long ordinal = append.ordinal();
    RunTotals next = append.totals();
    Jdbc.update(
        hd,
        INSERT_SNAPSHOT,
        ps -> {
          ps.setString(1, runId);
          ps.setString(2, s.agent());
          ps.setLong(3, s.seq());
          Jdbc.setString(ps, 4, s.phase());
          ps.setLong(5, s.startMs());
          ps.setLong(6, s.endMs());
          ps.setString(7, s.testsJson());
          ps.setLong(8, ordinal);
          Jdbc.setInt(ps, 9, s.activeUsers());
          Jdbc.setLong(ps, 10, s.lateStarts());
          Jdbc.setString(ps, 11, s.scenariosJson());
        });
    Jdbc.update(
        hd,
        UPDATE_TOTALS,
        ps -> {
          ps.setLong(1, ordinal);
          ps.setLong(2, next.tests());
          ps.setLong(3, next.errors());
          ps.setLong(4, next.histogram());
          ps.setLong(5, next.errorHistogram());
          ps.setString(6, runId);
        });
    return ordinal;
  }

  /** What a snapshot write found: its ordinal and the run's totals with it. */
  private record Append(long ordinal, RunTotals totals) {}

  /**
   * A run's row as a snapshot write sees it, locked until the write commits.
   *
   * @param stored whether the snapshot's agent has one of its sequence number stored already
   */
  private record StoredTotals(long snapshots, RunTotals totals, boolean known, boolean stored) {}

  /**
   * Reads (and on PostgreSQL locks) the run's counters, so concurrent writes to one run, from this
   * server or another sharing the store, check totals and take ordinals one after another; and, in
   * the same statement, whether the snapshot was stored before.
   */
  private StoredTotals lockRun(Handle hd, SnapshotPost s) {
    String runId = s.runId();
    return Jdbc.first(
            hd,
            lockRunSql,
            ps -> {
              ps.setString(1, runId);
              ps.setString(2, s.agent());
              ps.setLong(3, s.seq());
              ps.setString(4, runId);
            },
            rs ->
                new StoredTotals(
                    rs.getLong("SNAPSHOTS"),
                    new RunTotals(
                        rs.getLong("TESTS_TOTAL"),
                        rs.getLong("ERRORS_TOTAL"),
                        rs.getLong("HISTOGRAM_TOTAL"),
                        rs.getLong("ERROR_HISTOGRAM_TOTAL")),
                    rs.getInt("TOTALS_KNOWN") != 0,
                    rs.getLong("STORED") > 0))
        .orElseThrow(() -> ApiError.notFound("id", "no run with id '" + runId + "'"));
  }

  /**
   * The totals of a run stored before they were kept, summed once from its snapshots; a stored
   * snapshot that is unreadable or would overflow counts for nothing, as when its figures are read.
   */
  private RunTotals sumStored(Handle hd, String runId) {
    RunTotals totals = RunTotals.ZERO;
    for (String tests :
        hd.createQuery("SELECT TESTS FROM RUN_SNAPSHOTS WHERE RUN_ID = :r ORDER BY ORDINAL")
            .bind("r", runId)
            .mapTo(String.class)
            .list()) {
      List<TestEntry> entries = SnapshotTests.readStored(mapper, tests);
      RunTotals next = entries == null ? null : totals.plusOrNull(entries);
      if (next != null) {
        totals = next;
      }
    }
    return totals;
  }

  /**
   * Finishes an agent's part of a run (and the run, once every agent's part is).
   *
   * @throws ApiError 404 for an unknown run, before anything is written
   */
  void finish(FinishPost f) {
    String runId = f.runId();
    db.write(
        hd -> {
          requireRun(hd, runId);
          return null;
        },
        (hd, known) -> {
          addAgent(hd, runId, f.agent());
          hd.createUpdate(
                  "UPDATE RUN_AGENTS SET FINISHED = 1, END_MS = :e WHERE RUN_ID = :r AND AGENT ="
                      + " :a")
              .bind("r", runId)
              .bind("a", f.agent())
              .bind("e", f.endMs())
              .execute();
          updateStatus(hd, runId);
          return null;
        });
  }

  // ---------------------------------------------------------------- reads

  /** The summaries of the {@code max} latest runs, newest first. */
  List<Map<String, Object>> list(int max) {
    List<String> ids =
        db.read(
            hd ->
                hd.createQuery("SELECT ID FROM RUNS ORDER BY START_MS DESC, ID LIMIT :l")
                    .bind("l", max)
                    .mapTo(String.class)
                    .list());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (String id : ids) {
      runs.add(summary(id));
    }
    return runs;
  }

  /** How many runs are stored. */
  public long count() {
    return db.read(hd -> hd.createQuery("SELECT COUNT(*) FROM RUNS").mapTo(Long.class).one());
  }

  /**
   * @throws ApiError 404 when there is no run {@code runId}
   */
  void requireRun(String runId) {
    db.read(
        hd -> {
          requireRun(hd, runId);
          return null;
        });
  }

  private static void requireRun(Handle hd, String runId) {
    if (hd.createQuery("SELECT COUNT(*) FROM RUNS WHERE ID = :r")
            .bind("r", runId)
            .mapTo(Long.class)
            .one()
        == 0) {
      throw ApiError.notFound("id", "no run with id '" + runId + "'");
    }
  }

  /**
   * id, name, status, startMs, endMs, baselineId (the run marked as the baseline of its name, or
   * null), agents, tests (number and description), phases.
   */
  public Map<String, Object> summary(String runId) {
    return db.read(
        hd -> {
          requireRun(hd, runId);
          Map<String, Object> m =
              hd.createQuery("SELECT ID, NAME, STATUS, START_MS, END_MS FROM RUNS WHERE ID = :r")
                  .bind("r", runId)
                  .map(
                      (rs, c) -> {
                        Map<String, Object> x = new LinkedHashMap<>();
                        x.put("id", rs.getString("ID"));
                        x.put("name", rs.getString("NAME"));
                        x.put("status", rs.getString("STATUS"));
                        x.put("startMs", rs.getLong("START_MS"));
                        x.put("endMs", Jdbc.nullableLong(rs, "END_MS"));
                        return x;
                      })
                  .one();
          m.put("baselineId", BaselinesApi.baselineOf(hd, (String) m.get("name")));
          m.put(
              "agents",
              hd.createQuery("SELECT AGENT FROM RUN_AGENTS WHERE RUN_ID = :r ORDER BY AGENT")
                  .bind("r", runId)
                  .mapTo(String.class)
                  .list());
          m.put(
              "tests",
              hd.createQuery(
                      "SELECT NUMBER, DESCRIPTION FROM RUN_TESTS WHERE RUN_ID = :r ORDER BY NUMBER")
                  .bind("r", runId)
                  .map(
                      (rs, c) -> {
                        Map<String, Object> t = new LinkedHashMap<>();
                        t.put("number", rs.getInt("NUMBER"));
                        t.put("description", rs.getString("DESCRIPTION"));
                        return t;
                      })
                  .list());
          m.put(
              "phases",
              hd.createQuery(
                      "SELECT NAME, DURATION_MS FROM RUN_PHASES WHERE RUN_ID = :r ORDER BY"
                          + " POSITION, NAME")
                  .bind("r", runId)
                  .map(
                      (rs, c) -> {
                        Map<String, Object> p = new LinkedHashMap<>();
                        p.put("name", rs.getString("NAME"));
                        p.put("durationMs", rs.getLong("DURATION_MS"));
                        return p;
                      })
                  .list());
          return m;
        });
  }

  /**
   * One run with per-test, per-phase and total figures merged over every agent and snapshot; the
   * merge is kept up to date as snapshots arrive ({@link RunFigures}).
   */
  public Map<String, Object> run(String runId) {
    RunFigures.Totals figures = this.figures.totals(runId);
    Map<String, Object> m = summary(runId);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> tests = (List<Map<String, Object>>) m.get("tests");
    Map<String, Object> empty = new Agg().table(0);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> t : tests) {
      Map<String, Object> row = new LinkedHashMap<>(t);
      row.putAll(figures.perTest().getOrDefault((Integer) t.get("number"), empty));
      out.add(row);
    }
    m.put("tests", out);
    m.put("totals", figures.total());
    m.put("dataStartMs", figures.dataStartMs());
    m.put("dataEndMs", figures.dataEndMs());
    m.put("snapshots", figures.snapshots());
    m.put("skippedSnapshots", figures.skippedSnapshots());
    m.put("version", figures.version());
    List<Map<String, Object>> scenarios =
        this.scenarios.figures(
            runId,
            figures.version(),
            figures.dataStartMs() == null
                ? 0
                : Math.max(1, figures.dataEndMs() - figures.dataStartMs()),
            figures.skippedOrdinals());
    if (!scenarios.isEmpty()) {
      m.put("scenarios", scenarios);
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> phases = (List<Map<String, Object>>) m.get("phases");
    for (Map<String, Object> p : phases) {
      Map<String, Object> totals = figures.perPhase().get((String) p.get("name"));
      if (totals != null) {
        p.put("totals", totals);
      }
    }
    return m;
  }

  /**
   * Per-interval TPS, errors and percentiles, per test and in total, as JSON; with {@code after},
   * only the intervals that changed after that version (the {@code version} of an earlier answer).
   */
  public byte[] series(String runId, long after) {
    RunFigures.Series series = figures.series(runId, after);
    byte[] head =
        ("{\"id\":"
                + json(runId)
                + ",\"intervalMs\":"
                + series.intervalMs()
                + ",\"version\":"
                + series.version()
                + ",\"intervals\":[")
            .getBytes(StandardCharsets.UTF_8);
    int length = head.length + Math.max(0, series.intervals().size() - 1) + 2;
    for (byte[] iv : series.intervals()) {
      length += iv.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length).put(head);
    for (int i = 0; i < series.intervals().size(); i++) {
      if (i > 0) {
        out.put((byte) ',');
      }
      out.put(series.intervals().get(i));
    }
    return out.put((byte) ']').put((byte) '}').array();
  }

  private String json(Object o) {
    try {
      return mapper.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
