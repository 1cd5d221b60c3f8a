package dev.grindstone.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.compare.ComparisonReport.Format;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every output format, against golden files; and what a pull-request comment must never let
 * through.
 */
class ComparisonReportTest {

  /** Test 1 slower by 30% (significant), TPS unchanged, test 2 gone, one note. */
  static Comparison comparison() {
    RunResults a =
        ComparisonTest.run(
            "checkout-20231114-221320",
            10,
            new Figures(3000, 3, 100, 10.2, 10.2, 12, 15, 20),
            Runs.figures(10, 0, 1, 5));
    RunResults b =
        ComparisonTest.run(
            "checkout-20231115-090000",
            13,
            new Figures(3000, 9, 100, 13.2, 13.2, 15.6, 19.5, 26),
            null);
    return Comparison.of(a, b, ComparisonTest.tolerances("10%", "5%"));
  }

  /**
   * The golden file's text. Run with {@code -Dgolden.update=true} to rewrite the files from the
   * actual output after an intended change, then review the diff.
   */
  static void assertGolden(String actual, String name) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(Path.of("src/test/resources/golden", name), actual);
    }
    try (InputStream in = ComparisonReportTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden file " + name).isNotNull();
      assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void text_matches_the_golden_file() throws IOException {
    assertGolden(ComparisonReport.render(comparison(), Format.TEXT), "compare.txt");
  }

  @Test
  void markdown_matches_the_golden_file() throws IOException {
    assertGolden(ComparisonReport.render(comparison(), Format.MARKDOWN), "compare.md");
  }

  @Test
  void json_matches_the_golden_file_and_holds_every_figure() throws IOException {
    String json = ComparisonReport.render(comparison(), Format.JSON);
    assertGolden(json, "compare.json");
    JsonNode doc = new ObjectMapper().readTree(json);
    assertThat(doc.path("regressed").asBoolean()).isTrue();
    JsonNode p99 = doc.path("tests").get(0).path("metrics").path("p99");
    assertThat(p99.path("a").asDouble()).isEqualTo(15.0);
    assertThat(p99.path("b").asDouble()).isEqualTo(19.5);
    assertThat(p99.path("changePercent").asDouble()).isEqualTo(30.0);
    assertThat(p99.path("noise").asText()).isEqualTo("significant");
    assertThat(doc.path("tests").get(0).path("metrics").fieldNames())
        .toIterable()
        .containsExactly("count", "tps", "mean", "p50", "p90", "p99", "max", "errorRate");
  }

  @Test
  void markdown_escapes_what_the_runs_hold() {
    List<Figures> iv = ComparisonTest.steady(10);
    String evil = "<img src=x onerror=alert(1)> | **bold** `code` [link](http://x)\nnext";
    RunResults a =
        Runs.run(
            "a`b",
            evil,
            List.of(new TestResults(1, evil, Runs.figures(1, 0, 1, 1), iv)),
            new TestResults(-1, "", Runs.figures(1, 0, 1, 1), iv));
    String md = ComparisonReport.markdown(Comparison.of(a, a, Comparison.Options.defaults()));
    assertThat(md)
        .doesNotContain("<img")
        .doesNotContain("**bold**")
        .doesNotContainPattern("(?<!\\\\)\\]\\(")
        .doesNotContain("a`b")
        .contains(
            "&lt;img src=x onerror=alert(1)&gt; \\| \\*\\*bold\\*\\* \\`code\\`"
                + " \\[link\\](http://x) next");
    for (String line : md.split("\n")) {
      if (line.startsWith("| Test 1")) {
        assertThat(line.split("(?<!\\\\)\\|")).as(line).hasSize(7); // six cells: no cell ends early
      }
    }
  }
}
