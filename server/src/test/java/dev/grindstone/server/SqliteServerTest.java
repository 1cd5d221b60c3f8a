package dev.grindstone.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** The storage contract over the default store, an SQLite file in WAL mode. */
class SqliteServerTest extends ServerContractTest {
  @Override
  String jdbcUrl() throws Exception {
    Path dir = Files.createTempDirectory("grindstone-sqlite");
    dir.toFile().deleteOnExit();
    return "jdbc:sqlite:" + dir.resolve("grindstone.db");
  }
}
