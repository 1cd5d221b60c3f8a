package dev.grindstone.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

/**
 * Plain JDBC statements on a handle's connection, for the few that every interval snapshot runs (or
 * a controller's read, four times a second): on statements that small, JDBI's statement context,
 * argument lookup and row mapping cost more than the store's own work. Parameters are positional
 * ({@code ?}). A failure comes out as a {@link JdbiException}, as from JDBI's own statements, so
 * that the writer ({@link Database#write}) tells a failing store from a refused request. Stateless
 * and thread-safe.
 */
public final class Jdbc {
  private Jdbc() {}

  /** Binds a statement's parameters. */
  @FunctionalInterface
  public interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Reads the current row. */
  @FunctionalInterface
  public interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Runs an insert, update or delete; returns the rows it changed. */
  public static int update(Handle hd, String sql, Binder binder) {
    try (PreparedStatement ps = hd.getConnection().prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new Failed(sql, e);
    }
  }

  /** Runs a query; returns its first row, read, or empty when it has none. */
  public static <T> Optional<T> first(Handle hd, String sql, Binder binder, Row<T> row) {
    try (PreparedStatement ps = hd.getConnection().prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new Failed(sql, e);
    }
  }

  /** Runs a query; returns every row, read. */
  public static <T> List<T> list(Handle hd, String sql, Binder binder, Row<T> row) {
    try (PreparedStatement ps = hd.getConnection().prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(row.read(rs));
        }
        return rows;
      }
    } catch (SQLException e) {
      throw new Failed(sql, e);
    }
  }

  /** The column's int, or null when it is SQL NULL. */
  public static Integer nullableInt(ResultSet rs, String column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  /** The column's long, or null when it is SQL NULL. */
  public static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** The column's double, or null when it is SQL NULL. */
  public static Double nullableDouble(ResultSet rs, String column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : v;
  }

  /** Binds an integer that may be null, as SQL's NULL. */
  public static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setInt(index, value);
    }
  }

  /** Binds a long that may be null, as SQL's NULL. */
  public static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  /** Binds a string that may be null, as SQL's NULL. */
  public static void setString(PreparedStatement ps, int index, String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value);
    }
  }

  /** A statement the store failed to run. */
  static final class Failed extends JdbiException {
    private static final long serialVersionUID = 1L;

    Failed(String sql, SQLException cause) {
      super("the store failed to run [" + sql + "]: " + cause.getMessage(), cause);
    }
  }
}
