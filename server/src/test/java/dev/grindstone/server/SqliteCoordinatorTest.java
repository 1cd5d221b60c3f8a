package dev.grindstone.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** The coordinator over the default store, an SQLite file. */
class SqliteCoordinatorTest extends CoordinatorContractTest {
  @Override
  String jdbcUrl() throws Exception {
    Path dir = Files.createTempDirectory("grindstone-coordinator");
    dir.toFile().deleteOnExit();
    return "jdbc:sqlite:" + dir.resolve("grindstone.db");
  }
}
