package dev.grindstone.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckMojoTest {

  @TempDir Path dir;

  private CheckMojo mojo(Path... folders) {
    CheckMojo m = new CheckMojo();
    m.project = new MavenProject();
    for (Path f : folders) {
      m.results.add(f.toFile());
    }
    return m;
  }

  private Path results(String name, String json) throws Exception {
    Path folder = Files.createDirectories(dir.resolve(name));
    Files.writeString(folder.resolve("results.json"), json);
    return folder;
  }

  @Test
  void failed_thresholds_and_broken_tolerances_fail_the_build_with_every_rule() throws Exception {
    Path folder =
        results(
            "checkout-1",
            """
            {"run": {"name": "checkout"},
             "thresholds": [
               {"threshold": "p99<250ms", "scope": "Test 1", "actual": 312.456, "passed": false},
               {"threshold": "p99<250ms", "scope": "Totals", "actual": 200.0, "passed": true}],
             "baseline": {"a": {"source": "results/checkout-0"}, "regressed": true, "tolerances": [
               {"rule": "p99 increase at most 10%", "passed": false, "message": "Test 1: p99 10.00 ms -> 13.00 ms (+30.00%)"},
               {"rule": "TPS decrease at most 5%", "passed": true, "message": "fine"}]}}
            """);
    assertThatThrownBy(() -> mojo(folder).execute())
        .isInstanceOf(MojoFailureException.class)
        .hasMessage(
            String.join(
                "\n",
                "Load test checkout (" + folder + "): 1 of 2 threshold checks failed:",
                "  FAIL  p99<250ms  Test 1  actual 312.46",
                "Load test checkout ("
                    + folder
                    + "): regressed against its baseline results/checkout-0:",
                "  FAIL  p99 increase at most 10%  Test 1: p99 10.00 ms -> 13.00 ms (+30.00%)"));
  }

  @Test
  void a_run_that_passed_everything_passes() throws Exception {
    Path folder =
        results(
            "ok",
            """
            {"run": {"name": "ok"}, "thresholds": [{"threshold": "errors==0", "scope": "Totals", "actual": 0, "passed": true}]}
            """);
    mojo(folder).execute();
    assertThat(mojo(folder).check(folder)).isEmpty();
  }

  @Test
  void nothing_to_check_is_no_failure_and_a_missing_folder_is_an_error() throws Exception {
    mojo().execute();
    assertThatThrownBy(() -> mojo(dir.resolve("gone")).execute())
        .isInstanceOf(MojoExecutionException.class)
        .hasMessageContaining("Is it a results folder that grindstone:run wrote?");
  }
}
