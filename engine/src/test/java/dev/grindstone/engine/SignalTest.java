package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C in the middle of a run still gives a complete summary and data log. */
class SignalTest {

  @TempDir Path out;

  @org.junit.jupiter.api.Test
  void sigint_stops_the_run_and_every_result_is_still_written() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                SignalChild.class.getName(),
                out.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.resolve("child.log").toFile())
            .start();
    Path dataLog = waitForDataLog(child);
    Thread.sleep(500);
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start();
    assertThat(kill.waitFor()).isZero();
    assertThat(child.waitFor(40, TimeUnit.SECONDS)).as("the child stopped").isTrue();
    String log = Files.readString(out.resolve("child.log"));
    assertThat(child.exitValue()).as(log).isZero();
    assertThat(log).contains("Stopping: letting iterations finish").contains("finished");

    Path dir = dataLog.getParent();
    assertThat(Files.readString(dir.resolve("summary.txt")))
        .contains("stopped early")
        .contains("Test 1");
    JsonNode results = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    assertThat(results.at("/run/interrupted").asBoolean()).isTrue();
    long calls = results.at("/totals/tests").asLong() + results.at("/totals/errors").asLong();
    List<String> rows = Files.readAllLines(dataLog);
    assertThat(rows.size() - 1).as("every call has its data-log row").isEqualTo(calls);
    assertThat(rows.getLast()).matches("\\d+, \\d+, 1, \\d+, [0-9.]+, [01]");
  }

  private Path waitForDataLog(Process child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && child.isAlive()) {
      try (Stream<Path> s = Files.walk(out)) {
        Path found =
            s.filter(p -> p.getFileName().toString().equals("data.csv")).findFirst().orElse(null);
        if (found != null && Files.size(found) > 200) {
          return found;
        }
      } catch (IOException racing) {
        // the child is creating files
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "the child wrote no data log: " + Files.readString(out.resolve("child.log")));
  }
}
