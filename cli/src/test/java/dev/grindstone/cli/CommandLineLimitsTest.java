package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Options out of range are refused before anything runs: exit code 2 and a message that says why.
 */
class CommandLineLimitsTest {

  @TempDir Path out;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--threshold | test 99999999999: mean<5 | test number 99999999999 is out of range",
        "--threshold | mean<1e999ms              | finite limit",
        "--threshold | p99<1e308s                | longest time",
        "--threshold | errors<150%               | at most 100%",
        "--threshold | errors<100.01%            | at most 100%",
        "--rate      | 0                         | --rate must be a number of iterations a second"
            + " above 0",
        "--rate      | -5                        | --rate must be",
        "--rate      | NaN                       | --rate must be",
        "--rate      | Infinity                  | --rate must be",
        "--users     | 0                         | --users must be at least 1",
        "--users     | -3                        | --users must be at least 1",
        "--duration  | 0s                        | --duration takes a duration above 0",
        "--duration  | -5s                       | --duration: expected a duration",
        "--duration  | 999999999999h             | longer than the longest duration",
        "--period    | 5ms                       | at least 10 ms",
      })
  void an_option_out_of_range_exits_2_with_what_was_wrong(
      String option, String value, String message) {
    CliRunner.Result r =
        CliRunner.run("run", IdleScenario.class.getName(), "--out", out.toString(), option, value);
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains(message)
        .doesNotContain("For input string")
        .doesNotContain("\tat ");
    assertThat(out).isEmptyDirectory();
  }
}
