package dev.grindstone.engine.sink;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteCallListenerTest extends JdbcCallListenerContract {

  @TempDir Path dir;
  private int databases;

  @Override
  String freshDatabase() {
    return "jdbc:sqlite:" + dir.resolve("calls-" + ++databases + ".db");
  }
}
