package dev.grindstone.junit.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads a monitor file, opened read-only for each query. */
final class SqliteSource implements MetricSource {
  private final Path file;

  SqliteSource(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CompareException(
          "no monitor file at "
              + file.toAbsolutePath()
              + "; run the tests with the monitor first, or give --db FILE");
    }
    this.file = file;
  }

  private Connection open() throws SQLException {
    org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(30_000);
    return DriverManager.getConnection(
        "jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
  }

  @Override
  public List<SessionRecord> sessions() {
    try (Connection c = open();
        PreparedStatement ps = c.prepareStatement("SELECT SESSION_H, RUN_DATE FROM TEST_SESSIONS");
        ResultSet rs = ps.executeQuery()) {
      List<SessionRecord> out = new ArrayList<>();
      while (rs.next()) out.add(new SessionRecord(rs.getString(1), rs.getString(2)));
      return out;
    } catch (SQLException e) {
      throw foreign(e);
    }
  }

  @Override
  public List<MetricRecord> metrics(String sessionH) {
    try (Connection c = open();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT KIND, ITEM_PATH, ITEM, ITEM_VARIANT, TOTAL_TIME, USER_TIME, KERNEL_TIME,"
                    + " MEM_USAGE FROM TEST_METRICS WHERE SESSION_H = ?")) {
      ps.setString(1, sessionH);
      try (ResultSet rs = ps.executeQuery()) {
        List<MetricRecord> out = new ArrayList<>();
        while (rs.next()) {
          out.add(
              new MetricRecord(
                  nz(rs.getString(1)),
                  nz(rs.getString(2)),
                  nz(rs.getString(3)),
                  nz(rs.getString(4)),
                  rs.getDouble(5),
                  rs.getDouble(6),
                  rs.getDouble(7),
                  rs.getDouble(8)));
        }
        return out;
      }
    } catch (SQLException e) {
      throw foreign(e);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private CompareException foreign(SQLException e) {
    return new CompareException(
        file.toAbsolutePath()
            + " is not a readable monitor file ("
            + e.getMessage()
            + "); give a .jmon or .pymon file written by a monitor",
        e);
  }
}
