package dev.grindstone.engine.run;

import java.util.Objects;

/**
 * A call listener that writes every call's record into a database table (SQLite or PostgreSQL), in
 * batches; run files set it under {@code listeners:}. The table is created when missing.
 *
 * @param name the listener's name, which tests use to send it their records
 * @param url the JDBC URL, {@code jdbc:sqlite:calls.db} or {@code jdbc:postgresql://host/db}
 * @param user the database user, or null (for SQLite, or when the URL carries it)
 * @param password the user's password, or null
 * @param table the table's name: letters, digits and '_', not starting with a digit
 * @param batchSize records written per statement batch, at least 1
 */
public record JdbcListenerConfig(
    String name, String url, String user, String password, String table, int batchSize) {

  /** Records per batch unless set. */
  public static final int DEFAULT_BATCH = 500;

  public JdbcListenerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(table, "table");
    if (name.isBlank()) {
      throw new IllegalArgumentException("A call listener's name must not be blank");
    }
    if (!url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "The JDBC listener '"
              + name
              + "' needs a JDBC URL (jdbc:sqlite:calls.db,"
              + " jdbc:postgresql://host/db), got '"
              + url
              + "'");
    }
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "The JDBC listener '"
              + name
              + "' needs a table name of letters, digits"
              + " and '_' (not starting with a digit, at most 63), got '"
              + table
              + "'");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "The JDBC listener '" + name + "' needs a batch size of at least 1, got " + batchSize);
    }
  }

  /**
   * A listener named {@code jdbc} writing to {@code table} in batches of {@value #DEFAULT_BATCH}.
   */
  public static JdbcListenerConfig of(String url, String table) {
    return new JdbcListenerConfig("jdbc", url, null, null, table, DEFAULT_BATCH);
  }

  @Override
  public String toString() {
    // never the password
    return "JdbcListenerConfig[name="
        + name
        + ", url="
        + url
        + ", user="
        + user
        + ", table="
        + table
        + ", batchSize="
        + batchSize
        + "]";
  }
}
