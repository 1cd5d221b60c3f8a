package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.JdbcCallListener;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.spi.CallListener;
import dev.grindstone.engine.spi.CallRecord;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.io.TempDir;

/** The README's call-listener example, as it is there, so that it keeps compiling and working. */
class ReadmeCallListenerExampleTest {

  @TempDir Path dir;

  // README-BEGIN
  /** Writes each failed call as a line (a user's own listener). */
  final class FailedCalls implements CallListener {
    private final Writer out;

    FailedCalls(Path file) throws IOException {
      out = Files.newBufferedWriter(file);
    }

    @Override
    public String name() {
      return "failures";
    }

    @Override
    public void accept(CallRecord r) throws IOException {
      if (r.error()) {
        out.write(
            r.testName()
                + " by user "
                + r.user()
                + " at "
                + r.startEpochNanos()
                + " ns took "
                + r.elapsedNanos() / 1e6
                + " ms\n");
      }
    }

    @Override
    public void flush() throws IOException {
      out.flush(); // the queue is empty for now (at most every 100 ms)
    }

    @Override
    public void finish() throws IOException {
      out.close();
    }
  }

  // README-END

  @org.junit.jupiter.api.Test
  void the_readme_example_runs() throws Exception {
    RunConfig config =
        RunConfig.builder("checkout")
            .phase(new Phase("hold", null, new LoadShape.Constant(2), null, null, 5, null))
            .outputRoot(null)
            .console(false)
            .build();
    Test browse = new Test(1, "Browse");
    Scenario scenario =
        user -> {
          browse.record(() -> {});
          try {
            Test checkout =
                new Test(3, "Check out").listeners("failures", "db"); // its records go to these two
            checkout.record(
                () -> {
                  if (user.iteration() == 4) {
                    throw new IllegalStateException("payment declined");
                  }
                });
          } catch (IllegalStateException expected) {
            // counted as an error of test 3
          }
        };
    // README-BEGIN
    RunSummary summary =
        Run.of(config, scenario)
            .listener(new FailedCalls(dir.resolve("failed-calls.txt")))
            .listener(
                new JdbcCallListener(
                    "db", "jdbc:sqlite:" + dir.resolve("calls.db"), null, null, "calls", 500))
            .execute();
    // README-END

    assertThat(Files.readAllLines(dir.resolve("failed-calls.txt")))
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).startsWith("Check out by user "));
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("calls.db"));
        ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM calls")) {
      r.next();
      assertThat(r.getLong(1))
          .isEqualTo(summary.totals().tests() + summary.totals().errors())
          .isEqualTo(20);
    }
  }
}
