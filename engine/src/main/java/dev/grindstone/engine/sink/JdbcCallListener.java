package dev.grindstone.engine.sink;

import dev.grindstone.engine.spi.CallListener;
import dev.grindstone.engine.spi.CallRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A call listener that writes every call's record into a table, in batches, one transaction per
 * batch: SQLite or PostgreSQL (any database whose JDBC driver is on the class path and that speaks
 * the SQL below). The table is created when missing, with an index on {@code run}:
 *
 * <pre>
 * run         TEXT    NOT NULL  -- the run's id, checkout-1700000000123
 * phase       TEXT    NOT NULL
 * scenario    TEXT    NOT NULL
 * user_number INTEGER NOT NULL  -- the virtual user, from 0
 * iteration   BIGINT  NOT NULL  -- the user's iteration, from 0
 * test        INTEGER NOT NULL  -- the test's number
 * test_name   TEXT    NOT NULL
 * start_ns    BIGINT  NOT NULL  -- ns since the epoch
 * end_ns      BIGINT            -- ns since the epoch; NULL when cancelled
 * elapsed_ns  BIGINT            -- end_ns - start_ns; NULL when cancelled
 * outcome     TEXT    NOT NULL  -- SUCCESS, ERROR or CANCELLED
 * method      TEXT              -- the call's last request, or NULL
 * url         TEXT              -- without its query
 * status      INTEGER           -- 0 when no response came
 * bytes       BIGINT            -- response bytes of the call's requests
 * </pre>
 *
 * <p>A batch that fails is rolled back and kept, and written again with the next batch; the
 * listener keeps at most ten batches this way and discards the oldest records beyond them. When
 * records could not be written by the end of the run, {@link #finish} throws, saying how many, so
 * the run's notes name them. Used by one thread at a time, as every call listener.
 */
public final class JdbcCallListener implements CallListener {

  private static final String COLUMNS =
      "run, phase, scenario, user_number, iteration, test, test_name, start_ns,"
          + " end_ns, elapsed_ns, outcome, method, url, status, bytes";

  private final String name;
  private final String url;
  private final String user;
  private final String password;
  private final String table;
  private final int batchSize;
  private final ArrayDeque<CallRecord> pending = new ArrayDeque<>();
  private Connection connection;
  private PreparedStatement insert;
  private long written;
  private long discarded;

  /**
   * @param user the database user, or null
   * @param password the password, or null
   * @param table letters, digits and '_', not starting with a digit
   * @param batchSize records per batch, at least 1
   */
  public JdbcCallListener(
      String name, String url, String user, String password, String table, int batchSize) {
    this.name = Objects.requireNonNull(name, "name");
    this.url = Objects.requireNonNull(url, "url");
    this.user = user;
    this.password = password;
    this.table = Objects.requireNonNull(table, "table");
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "A table name must be letters, digits and '_' (not starting with a"
              + " digit, at most 63), got '"
              + table
              + "'");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("The batch size must be at least 1, got " + batchSize);
    }
    this.batchSize = batchSize;
  }

  @Override
  public String name() {
    return name;
  }

  /** The SQL that creates the table when it is missing. */
  public static String createTable(String table) {
    return "CREATE TABLE IF NOT EXISTS "
        + table
        + " (run TEXT NOT NULL, phase TEXT NOT NULL, scenario TEXT NOT NULL, user_number INTEGER"
        + " NOT NULL, iteration BIGINT NOT NULL, test INTEGER NOT NULL, test_name TEXT NOT NULL,"
        + " start_ns BIGINT NOT NULL, end_ns BIGINT, elapsed_ns BIGINT, outcome TEXT NOT NULL,"
        + " method TEXT, url TEXT, status INTEGER, bytes BIGINT)";
  }

  @Override
  public void start(RunInfo run) throws SQLException {
    connection =
        user == null
            ? DriverManager.getConnection(url)
            : DriverManager.getConnection(url, user, password);
    try (Statement s = connection.createStatement()) {
      s.execute(createTable(table));
      s.execute("CREATE INDEX IF NOT EXISTS " + table + "_run ON " + table + " (run)");
    }
    connection.setAutoCommit(false);
    connection.commit();
    insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " ("
                + COLUMNS
                + ") VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  }

  @Override
  public void accept(CallRecord record) throws SQLException {
    pending.addLast(record);
    if (pending.size() >= batchSize) {
      write();
    }
  }

  @Override
  public void flush() throws SQLException {
    if (!pending.isEmpty()) {
      write();
    }
  }

  /** Writes every pending record, a batch per transaction; on failure keeps the rest for later. */
  private void write() throws SQLException {
    while (!pending.isEmpty()) {
      int n = Math.min(batchSize, pending.size());
      try {
        var it = pending.iterator();
        for (int i = 0; i < n; i++) {
          bind(it.next());
          insert.addBatch();
        }
        insert.executeBatch();
        connection.commit();
      } catch (SQLException e) {
        insert.clearBatch();
        try {
          connection.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        while (pending.size() > 10L * batchSize) {
          pending.removeFirst();
          discarded++;
        }
        throw e;
      }
      for (int i = 0; i < n; i++) {
        pending.removeFirst();
      }
      written += n;
    }
  }

  private void bind(CallRecord r) throws SQLException {
    insert.setString(1, r.run());
    insert.setString(2, r.phase());
    insert.setString(3, r.scenario());
    insert.setInt(4, r.user());
    insert.setLong(5, r.iteration());
    insert.setInt(6, r.test());
    insert.setString(7, r.testName());
    insert.setLong(8, r.startEpochNanos());
    boolean cancelled = r.outcome() == CallRecord.Outcome.CANCELLED;
    if (cancelled) {
      insert.setNull(9, Types.BIGINT);
      insert.setNull(10, Types.BIGINT);
    } else {
      insert.setLong(9, r.endEpochNanos());
      insert.setLong(10, r.elapsedNanos());
    }
    insert.setString(11, r.outcome().name());
    CallRecord.Request q = r.request();
    if (q == null) {
      insert.setNull(12, Types.VARCHAR);
      insert.setNull(13, Types.VARCHAR);
      insert.setNull(14, Types.INTEGER);
      insert.setNull(15, Types.BIGINT);
    } else {
      insert.setString(12, q.method());
      insert.setString(13, q.url());
      insert.setInt(14, q.status());
      insert.setLong(15, q.bytes());
    }
  }

  @Override
  public void finish() throws SQLException {
    try {
      flush();
    } finally {
      long unwritten = pending.size() + discarded;
      connection.close();
      if (unwritten > 0) {
        throw new SQLException(
            unwritten
                + " call records could not be written to "
                + table
                + " ("
                + written
                + " were)");
      }
    }
  }

  /** Records written so far. */
  public long written() {
    return written;
  }

  @Override
  public String toString() {
    return name + " (" + table + " at " + url + ")";
  }
}
