package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {

  private static final String WORKED_EXAMPLE = "src/test/resources/analyze/worked-example-data.log";
  private static final String HTTP_LOG = "src/test/resources/analyze/http-data.log";
  private static final String HEADER =
      "Thread, Run, Test, Start time (ms since Epoch), Test time, Errors";
  private static final String ERROR_RATE = "Error rate=(/ errors (+ (count timedTests) errors))";

  @TempDir Path dir;

  /** Exit code, standard output and standard error of one run. */
  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /**
   * The golden file's text. Run with {@code -Dgolden.update=true} to rewrite the files from the
   * actual output after an intended change, then review the diff.
   */
  static void assertGolden(String actual, String name) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(Path.of("src/test/resources/golden", name), actual);
    }
    try (InputStream in = AnalyzeCommandTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden file " + name).isNotNull();
      assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** Runs with a bad input and checks the exit code, the one-line message and the empty output. */
  private static String refused(String... args) {
    Run r = run(args);
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    return r.err().strip();
  }

  @Test
  void worked_example_prints_grinders_figures() {
    Run r = run("analyze", WORKED_EXAMPLE);
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains(
            "Test 1       4            1            25.00        11.18        2.00\n",
            "Totals       4            1            25.00        11.18        2.00\n",
            "Min (ms)",
            "Test 1       10.00");
  }

  @Test
  void the_readme_example_prints_the_output_the_readme_shows() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String section = readme.substring(readme.indexOf("## Analyzing Grinder data logs"));
    String log = between(section, "cat > example-data.log <<'LOG'\n", "LOG\n");
    String shown = between(section, "./grindstone analyze example-data.log\n```\n\n```\n", "```\n");
    Path f = file("example-data.log", log);
    Run r = run("analyze", f.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo(shown);
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    assertThat(from).as("README holds %s", start).isNotNegative();
    from += start.length();
    return text.substring(from, text.indexOf(end, from));
  }

  @Test
  void text_output_of_an_http_log_matches_the_golden_file() throws IOException {
    Run r = run("analyze", HTTP_LOG, "--summary-expression", ERROR_RATE);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertGolden(r.out(), "analyze-http.txt");
  }

  @Test
  void json_output_of_an_http_log_matches_the_golden_file() throws IOException {
    Run r = run("analyze", "--format", "json", HTTP_LOG, "--summary-expression", ERROR_RATE);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertGolden(r.out(), "analyze-http.json");
  }

  @Test
  void csv_output_of_an_http_log_matches_the_golden_file() throws IOException {
    Run r = run("analyze", "--format=csv", HTTP_LOG, "--summary-expression", ERROR_RATE);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertGolden(r.out(), "analyze-http.csv");
  }

  @Test
  void a_given_period_sets_tps() {
    Run r = run("analyze", "--period-ms", "4000", WORKED_EXAMPLE);
    assertThat(r.out())
        .contains("Test 1       4            1            25.00        11.18        1.00\n");
  }

  @Test
  void several_files_add_up_as_several_workers() throws IOException {
    Path a =
        file(
            "a-data.log",
            HEADER + "\n0, 0, 1, 1700000000000, 10, 0\n0, 1, 1, 1700000000500, 20, 0\n");
    Path b =
        file(
            "b-data.log",
            HEADER
                + "\n0, 0, 1, 1700000001000, 30, 0\n0, 1, 1, 1700000001500, 40, 0\n"
                + "0, 2, 1, 1700000001945, 55, 1\n");
    Run r = run("analyze", a.toString(), b.toString());
    assertThat(r.out())
        .contains("Test 1       4            1            25.00        11.18        2.00\n");
  }

  @Test
  void the_command_is_listed_in_the_help() {
    assertThat(run("--help").out()).contains("analyze");
    Run help = run("analyze", "--help");
    assertThat(help.out()).contains("--period-ms", "--summary-expression", "--format");
  }

  @Test
  void a_malformed_line_is_reported_with_file_line_and_column() throws IOException {
    Path f = file("data.log", HEADER + "\n0, 0, 1, 1000, 10, 0\n0, 0, 1, 1010, abc, 0\n");
    assertThat(refused("analyze", f.toString()))
        .isEqualTo("grindstone analyze: " + f + ":3: column 5 (Test time): 'abc' is not a number");
  }

  @Test
  void a_missing_column_is_reported() throws IOException {
    Path f = file("data.log", HEADER + "\n0, 0, 1, 1000\n");
    assertThat(refused("analyze", f.toString()))
        .isEqualTo(
            "grindstone analyze: "
                + f
                + ":2: column 5 (Test time) is missing: the line has 4 columns, the header 6");
  }

  @Test
  void a_line_with_too_many_columns_is_reported() throws IOException {
    Path f = file("data.log", HEADER + "\n0, 0, 1, 1000, 1, 0, 7\n");
    assertThat(refused("analyze", f.toString()))
        .startsWith(
            "grindstone analyze: "
                + f
                + ":2: column 7: unexpected; the line has 7 columns but the header 6");
  }

  @Test
  void an_empty_file_or_an_unknown_header_is_reported() throws IOException {
    Path empty = file("empty.log", "");
    assertThat(refused("analyze", empty.toString()))
        .startsWith("grindstone analyze: " + empty + ": the file is empty");
    Path csv = file("other.csv", "time,latency\n1,2\n");
    assertThat(refused("analyze", csv.toString()))
        .startsWith(
            "grindstone analyze: "
                + csv
                + ":1: column 1 (Thread): expected the header 'Thread', found 'time'");
  }

  @Test
  void a_missing_file_is_reported() {
    Path missing = dir.resolve("nope.log");
    assertThat(refused("analyze", missing.toString()))
        .isEqualTo("grindstone analyze: " + missing + ": no such file");
  }

  @Test
  void a_bad_expression_is_reported_with_the_parse_message() {
    assertThat(refused("analyze", WORKED_EXAMPLE, "--summary-expression", "Bad=(/ errors)"))
        .startsWith("grindstone analyze: --summary-expression 'Bad': Parse exception:")
        .contains("at character");
    assertThat(refused("analyze", WORKED_EXAMPLE, "--summary-expression", "no equals sign"))
        .contains("expected NAME=(EXPRESSION)");
    assertThat(refused("analyze", WORKED_EXAMPLE, "--summary-expression", "TPS=errors"))
        .contains("The column 'TPS' is already registered");
  }

  @Test
  void bad_options_are_reported() {
    assertThat(refused("analyze", WORKED_EXAMPLE, "--period-ms", "0"))
        .isEqualTo(
            "grindstone analyze: --period-ms must be a positive number of milliseconds, got 0");
    Run r = run("analyze", WORKED_EXAMPLE, "--format", "xml");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--format", "text, json, csv");
    Run none = run("analyze");
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("FILE");
  }
}
