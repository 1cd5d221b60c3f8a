package dev.grindstone.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** Hostile input against the default store, an SQLite file. */
class SqliteHostileInputTest extends HostileInputContractTest {
  @Override
  String jdbcUrl() throws Exception {
    Path dir = Files.createTempDirectory("grindstone-hostile");
    dir.toFile().deleteOnExit();
    return "jdbc:sqlite:" + dir.resolve("grindstone.db");
  }
}
