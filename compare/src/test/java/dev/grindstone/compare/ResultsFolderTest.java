package dev.grindstone.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.stats.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class ResultsFolderTest {

  @TempDir static Path root;
  static Path folder;

  /** A real run: two tests, one failing now and then, intervals of 200 ms over 2 s. */
  @BeforeAll
  static void run() throws Exception {
    Test fast = new Test(1, "Fast");
    Test flaky = new Test(2, "Flaky");
    Run.of(
            RunConfig.builder("probe")
                .phase(Phase.hold("main", Duration.ofSeconds(2), 2))
                .period(Duration.ofMillis(200))
                .outputRoot(root)
                .console(false)
                .dataLog(false)
                .build(),
            user -> {
              fast.record(() -> user.sleep(Duration.ofMillis(2)));
              try {
                flaky.record(
                    () -> {
                      if (user.random().nextInt(10) == 0) {
                        throw new IllegalStateException("flaky");
                      }
                    });
              } catch (IllegalStateException expected) {
                // counted as an error of test 2
              }
            })
        .execute();
    try (var dirs = Files.list(root)) {
      folder = dirs.findFirst().orElseThrow();
    }
  }

  @org.junit.jupiter.api.Test
  void reads_the_totals_and_tests_a_run_wrote() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(folder.resolve("results.json").toFile());
    RunResults r = ResultsFolder.read(folder);
    assertThat(r.name()).isEqualTo("probe");
    assertThat(r.id()).isEqualTo(folder.getFileName().toString());
    assertThat(r.startMs()).isEqualTo(doc.path("run").path("startMs").asLong());
    assertThat(r.tests()).extracting(TestResults::test).containsExactly(1, 2);
    assertThat(r.test(2).description()).isEqualTo("Flaky");
    JsonNode t1 = doc.path("tests").get(0);
    Figures f = r.test(1).run();
    assertThat(f.count()).isEqualTo(t1.path("tests").asLong()).isPositive();
    assertThat(f.p99()).isEqualTo(t1.path("p99").asDouble());
    assertThat(f.p90()).isEqualTo(t1.path("p90").asDouble());
    assertThat(f.mean()).isEqualTo(t1.path("meanTestTime").asDouble());
    assertThat(f.tps()).isEqualTo(t1.path("tps").asDouble());
    assertThat(r.test(2).run().errors())
        .isEqualTo(doc.path("tests").get(1).path("errors").asLong());
    assertThat(r.totals().run().value(Metric.ERROR_RATE))
        .isCloseTo(doc.path("totals").path("errorPercent").asDouble(), within(1e-9));
  }

  @org.junit.jupiter.api.Test
  void keeps_only_full_intervals_with_their_per_test_figures() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(folder.resolve("results.json").toFile());
    long full = 0;
    for (JsonNode iv : doc.path("intervals")) {
      if (!iv.path("partial").asBoolean()) {
        full++;
      }
    }
    RunResults r = ResultsFolder.read(folder.resolve("results.json"));
    assertThat(r.totals().intervals()).hasSize((int) full).hasSizeGreaterThanOrEqualTo(8);
    assertThat(r.test(1).intervals())
        .allSatisfy(
            iv -> {
              assertThat(iv.p90()).isPositive(); // per-interval p90 is written and read
              assertThat(iv.tps()).isPositive();
            });
  }

  @org.junit.jupiter.api.Test
  void a_folder_without_results_json_is_refused_with_what_to_give() {
    assertThatThrownBy(() -> ResultsFolder.read(root.resolve("nothing-here")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("nothing-here is not a results folder: it has no results.json");
  }

  @org.junit.jupiter.api.Test
  void broken_json_is_refused_with_its_line_and_column(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("results.json"), "{\n  \"run\": {,\n}");
    assertThatThrownBy(() -> ResultsFolder.read(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("is not valid JSON (line 2, column");
  }

  @org.junit.jupiter.api.Test
  void json_of_another_shape_is_refused_naming_the_field(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("results.json"), "{\"run\": {\"periodMs\": 1000}, \"intervals\": []}");
    assertThatThrownBy(() -> ResultsFolder.read(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "is not a results.json that grindstone run writes: 'tests' is not an array");
  }
}
