package dev.grindstone.junit.internal;

import dev.grindstone.junit.ExecutionContext;
import dev.grindstone.junit.MonitorSession;
import dev.grindstone.junit.TestMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The local SQLite file in pytest-monitor's schema ({@code TEST_SESSIONS}, {@code
 * EXECUTION_CONTEXTS}, {@code TEST_METRICS}: the same column names, declared types and keys, so
 * tools reading {@code .pymon} read it), plus {@code TEST_METRICS_JVM} for what only the JVM
 * measures. Not thread-safe: one writer thread owns it.
 */
public final class LocalStore implements AutoCloseable {

  /** pytest-monitor's three tables, then the JVM table. */
  static final List<String> SCHEMA =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS TEST_SESSIONS(
              SESSION_H varchar(64) primary key not null unique,
              RUN_DATE varchar(64),
              SCM_ID varchar(128),
              RUN_DESCRIPTION json
          )\
          """,
          """
          CREATE TABLE IF NOT EXISTS TEST_METRICS (
              SESSION_H varchar(64),
              ENV_H varchar(64),
              ITEM_START_TIME varchar(64),
              ITEM_PATH varchar(4096),
              ITEM varchar(2048),
              ITEM_VARIANT varchar(2048),
              ITEM_FS_LOC varchar(2048),
              KIND varchar(64),
              COMPONENT varchar(512) NULL,
              TOTAL_TIME float,
              USER_TIME float,
              KERNEL_TIME float,
              CPU_USAGE float,
              MEM_USAGE float,
              FOREIGN KEY (ENV_H) REFERENCES EXECUTION_CONTEXTS(ENV_H),
              FOREIGN KEY (SESSION_H) REFERENCES TEST_SESSIONS(SESSION_H)
          )\
          """,
          """
          CREATE TABLE IF NOT EXISTS EXECUTION_CONTEXTS (
              ENV_H varchar(64) primary key not null unique,
              CPU_COUNT integer,
              CPU_FREQUENCY_MHZ integer,
              CPU_TYPE varchar(64),
              CPU_VENDOR varchar(256),
              RAM_TOTAL_MB integer,
              MACHINE_NODE varchar(512),
              MACHINE_TYPE varchar(32),
              MACHINE_ARCH varchar(16),
              SYSTEM_INFO varchar(256),
              PYTHON_INFO varchar(512)
          )\
          """,
          // Joined to TEST_METRICS on (SESSION_H, ITEM_START_TIME, ITEM_PATH, ITEM_VARIANT, KIND):
          // rowids are not stable across VACUUM for a table without an INTEGER PRIMARY KEY.
          """
          CREATE TABLE IF NOT EXISTS TEST_METRICS_JVM (
              SESSION_H varchar(64),
              ITEM_START_TIME varchar(64),
              ITEM_PATH varchar(4096),
              ITEM varchar(2048),
              ITEM_VARIANT varchar(2048),
              KIND varchar(64),
              OUTCOME varchar(16),
              ALLOCATED_BYTES integer,
              GC_TIME float,
              GC_COUNT integer,
              UNIQUE_ID varchar(4096),
              FOREIGN KEY (SESSION_H) REFERENCES TEST_SESSIONS(SESSION_H)
          )\
          """);

  private final Connection connection;
  private final PreparedStatement insertMetric;
  private final PreparedStatement insertJvm;

  private LocalStore(Connection connection) throws SQLException {
    this.connection = connection;
    this.insertMetric =
        connection.prepareStatement(
            "INSERT INTO TEST_METRICS(SESSION_H, ENV_H, ITEM_START_TIME, ITEM, ITEM_PATH,"
                + " ITEM_VARIANT, ITEM_FS_LOC, KIND, COMPONENT, TOTAL_TIME, USER_TIME, KERNEL_TIME,"
                + " CPU_USAGE, MEM_USAGE) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    this.insertJvm =
        connection.prepareStatement(
            "INSERT INTO TEST_METRICS_JVM(SESSION_H, ITEM_START_TIME, ITEM_PATH, ITEM,"
                + " ITEM_VARIANT, KIND, OUTCOME, ALLOCATED_BYTES, GC_TIME, GC_COUNT, UNIQUE_ID)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  }

  /** Opens (creating when absent) the file and its tables. */
  public static LocalStore open(Path file) throws SQLException {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create the folder of " + file + ": " + e.getMessage(), e);
    }
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try (Statement s = c.createStatement()) {
      // Several test JVMs (forks, modules) may share one file: wait for each other's commits.
      s.execute("PRAGMA busy_timeout = 30000");
      for (String ddl : SCHEMA) s.execute(ddl);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    c.setAutoCommit(false);
    return new LocalStore(c);
  }

  /** Stores the context (once per hash) and the session, in one transaction. */
  public void begin(ExecutionContext ctx, MonitorSession session) throws SQLException {
    try (PreparedStatement ps =
            connection.prepareStatement(
                "INSERT OR IGNORE INTO EXECUTION_CONTEXTS(CPU_COUNT, CPU_FREQUENCY_MHZ, CPU_TYPE,"
                    + " CPU_VENDOR, RAM_TOTAL_MB, MACHINE_NODE, MACHINE_TYPE, MACHINE_ARCH,"
                    + " SYSTEM_INFO, PYTHON_INFO, ENV_H) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        PreparedStatement ss =
            connection.prepareStatement(
                "INSERT OR IGNORE INTO TEST_SESSIONS(SESSION_H, RUN_DATE, SCM_ID, RUN_DESCRIPTION)"
                    + " VALUES (?,?,?,?)")) {
      ps.setInt(1, ctx.cpuCount());
      ps.setDouble(2, ctx.cpuFrequencyMhz());
      ps.setString(3, ctx.cpuType());
      ps.setString(4, ctx.cpuVendor());
      ps.setLong(5, ctx.ramTotalMb());
      ps.setString(6, ctx.machineNode());
      ps.setString(7, ctx.machineType());
      ps.setString(8, ctx.machineArch());
      ps.setString(9, ctx.systemInfo());
      ps.setString(10, ctx.pythonInfo());
      ps.setString(11, ctx.hash());
      ps.executeUpdate();
      ss.setString(1, session.hash());
      ss.setString(2, session.runDateText());
      ss.setString(3, session.scmRef());
      ss.setString(4, session.descriptionJsonText());
      ss.executeUpdate();
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
  }

  /** Stores the rows in one transaction: all of them or none. */
  public void write(List<TestMetric> rows) throws SQLException {
    try {
      for (TestMetric m : rows) {
        insertMetric.setString(1, m.sessionH());
        insertMetric.setString(2, m.contextH());
        insertMetric.setString(3, m.itemStartTime());
        insertMetric.setString(4, m.item());
        insertMetric.setString(5, m.itemPath());
        insertMetric.setString(6, m.itemVariant());
        insertMetric.setString(7, m.itemFsLoc());
        insertMetric.setString(8, m.kind());
        insertMetric.setString(9, m.component());
        insertMetric.setDouble(10, m.totalTime());
        insertMetric.setDouble(11, m.userTime());
        insertMetric.setDouble(12, m.kernelTime());
        insertMetric.setDouble(13, m.cpuUsage());
        insertMetric.setDouble(14, m.memUsage());
        insertMetric.addBatch();
        insertJvm.setString(1, m.sessionH());
        insertJvm.setString(2, m.itemStartTime());
        insertJvm.setString(3, m.itemPath());
        insertJvm.setString(4, m.item());
        insertJvm.setString(5, m.itemVariant());
        insertJvm.setString(6, m.kind());
        insertJvm.setString(7, m.outcome());
        insertJvm.setLong(8, m.allocatedBytes());
        insertJvm.setDouble(9, m.gcTime());
        insertJvm.setLong(10, m.gcCount());
        insertJvm.setString(11, m.uniqueId());
        insertJvm.addBatch();
      }
      insertMetric.executeBatch();
      insertJvm.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
