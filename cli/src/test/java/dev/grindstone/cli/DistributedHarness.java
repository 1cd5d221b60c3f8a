package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/** What the tests of distributed runs with real processes share: plans, the controller, results. */
final class DistributedHarness {
  /** Options for agent JVMs that start small. */
  static final List<String> SMALL_JVM =
      List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

  private DistributedHarness() {}

  /** {@link #SMALL_JVM} for each of {@code n} agents. */
  static List<List<String>> small(int n) {
    return Collections.nCopies(n, SMALL_JVM);
  }

  /**
   * A run file of {@link ShardedScenario} (no network: a short sleep and a flaky call) in {@code
   * <dir>/<name>-plan/}, with {@code distributed} and {@code phases} as given.
   */
  static Path plan(Path dir, String name, String distributed, String phases) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(name + "-plan"));
    Files.writeString(
        folder.resolve("run.yaml"),
        "name: "
            + name
            + "\nscenario: "
            + ShardedScenario.class.getName()
            + "\nperiod: 500ms\ngraceful_stop: 1s\nthresholds: [\"errors<50%\"]\ndistributed: "
            + distributed
            + "\nphases:\n"
            + phases);
    return folder.resolve("run.yaml");
  }

  /** The id of the distributed run the controller printed. */
  static String runId(String out) {
    Matcher m = Pattern.compile("Distributed run (\\S+) on").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return m.group(1);
  }

  /** The one results folder the controller wrote under {@code out}. */
  static Path resultsFolder(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out)) {
      return s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }

  /**
   * Runs the controller ({@code grindstone} with {@code args}) in this JVM, bounded; on a timeout
   * the agents' output says why.
   */
  static CliRunner.Result controller(LocalAgents agents, String... args) throws Exception {
    CompletableFuture<CliRunner.Result> run =
        CompletableFuture.supplyAsync(() -> CliRunner.run(args));
    try {
      return run.get(100, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the run did not end; the agents said:\n" + logs(agents), e);
    }
  }

  /** Every agent's output, each under the name of its log. */
  static String logs(LocalAgents agents) throws IOException {
    StringBuilder logs = new StringBuilder();
    for (Path log : agents.logs()) {
      logs.append(log).append(":\n").append(Files.readString(log)).append('\n');
    }
    return logs.toString();
  }

  /**
   * Asserts that the merged results.json in {@code results} counts, test by test and in total,
   * exactly the calls of the {@code agents} agents' data logs there, and returns it; the successes'
   * times (µs) go to {@code times}, their exact min and max to {@code minMax}.
   */
  static JsonNode mergedEqualsDataLogs(Path results, int agents, Histogram times, long[] minMax)
      throws IOException {
    JsonNode json = new ObjectMapper().readTree(results.resolve("results.json").toFile());
    Map<Integer, long[]> counts = dataLogs(results, agents, times, minMax);
    long errors = 0;
    for (JsonNode t : json.get("tests")) {
      long[] c = counts.get(t.get("test").asInt());
      assertThat(t.get("tests").asLong()).as("test %s", t.get("test")).isEqualTo(c[0]);
      assertThat(t.get("errors").asLong()).as("test %s", t.get("test")).isEqualTo(c[1]);
      errors += c[1];
    }
    assertThat(json.get("tests")).as("tests in results.json").hasSameSizeAs(counts.keySet());
    JsonNode totals = json.get("totals");
    assertThat(totals.get("tests").asLong()).isEqualTo(times.getTotalCount());
    assertThat(totals.get("errors").asLong()).isEqualTo(errors);
    return json;
  }

  /**
   * Every call of the agents' data logs in the merged results folder, by test: {successes, errors};
   * the successes' times (µs) go to {@code times}, their exact min and max to {@code minMax}.
   */
  static Map<Integer, long[]> dataLogs(Path results, int agents, Histogram times, long[] minMax)
      throws IOException {
    Map<Integer, long[]> counts = new HashMap<>();
    for (int agent = 0; agent < agents; agent++) {
      List<String> rows = Files.readAllLines(results.resolve("agents/" + agent + "/data.csv"));
      assertThat(rows.size()).as("agent %d's data log", agent).isGreaterThan(10);
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(", ");
        int user = Integer.parseInt(f[0]);
        assertThat(Math.floorMod(user, agents))
            .as("user %d runs on agent u mod %d", user, agents)
            .isEqualTo(agent);
        long[] c = counts.computeIfAbsent(Integer.parseInt(f[2]), k -> new long[2]);
        if (f[5].equals("0")) {
          c[0]++;
          long micros = Math.round(Double.parseDouble(f[4]) * 1000);
          times.recordValue(micros);
          minMax[0] = Math.min(minMax[0], micros);
          minMax[1] = Math.max(minMax[1], micros);
        } else {
          c[1]++;
        }
      }
    }
    return counts;
  }
}
