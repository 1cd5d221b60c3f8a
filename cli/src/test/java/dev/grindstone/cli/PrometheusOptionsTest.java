package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.prometheus.testing.PrometheusProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code grindstone run --prometheus-remote-write URL --tag k=v}, into a real Prometheus. */
class PrometheusOptionsTest {

  @TempDir Path dir;

  @Test
  void a_run_remote_writes_its_totals_with_its_tags() throws Exception {
    assumeTrue(PrometheusProcess.binary().isPresent(), PrometheusProcess.MISSING);
    try (PrometheusProcess prometheus = PrometheusProcess.builder().nativeHistograms().start()) {
      CliRunner.Result r =
          CliRunner.run(
              "run",
              IdleScenario.class.getName(),
              "--users",
              "2",
              "--duration",
              "1s",
              "--period",
              "250ms",
              "--out",
              dir.toString(),
              "--prometheus-remote-write",
              prometheus.remoteWriteUrl().toString(),
              "--tag",
              "env=ci",
              "--tag",
              "team=perf");
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      assertThat(r.out())
          .contains("Remote-writing to " + prometheus.remoteWriteUrl())
          .contains("samples in");

      Path results;
      try (Stream<Path> s = Files.list(dir)) {
        results = s.filter(Files::isDirectory).findFirst().orElseThrow();
      }
      JsonNode local = new ObjectMapper().readTree(results.resolve("results.json").toFile());
      double total =
          prometheus.scalar(
              "sum(grindstone_calls_total{env=\"ci\",team=\"perf\",test=\"1\","
                  + "description=\"Wait\",outcome=\"success\"})",
              Double.NaN);
      assertThat(total).isEqualTo(local.at("/totals/tests").asDouble()).isPositive();
    }
  }

  @Test
  void a_tag_that_is_not_name_equals_value_is_refused() {
    CliRunner.Result r =
        CliRunner.run(
            "run",
            IdleScenario.class.getName(),
            "--duration",
            "1s",
            "--prometheus-remote-write",
            "http://127.0.0.1:9/api/v1/write",
            "--tag",
            "env");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--tag takes NAME=VALUE such as env=staging, got 'env'");
  }

  @Test
  void a_tag_on_a_label_grindstone_sets_is_refused() {
    CliRunner.Result r =
        CliRunner.run(
            "run",
            IdleScenario.class.getName(),
            "--duration",
            "1s",
            "--prometheus-remote-write",
            "http://127.0.0.1:9/api/v1/write",
            "--tag",
            "run_id=x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("tag name: 'run_id' is set by Grindstone itself");
  }

  @Test
  void tags_without_remote_write_are_refused() {
    CliRunner.Result r =
        CliRunner.run("run", IdleScenario.class.getName(), "--duration", "1s", "--tag", "env=ci");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--tag labels the series of --prometheus-remote-write");
  }

  @Test
  void an_unknown_histogram_form_is_refused() {
    CliRunner.Result r =
        CliRunner.run(
            "run",
            IdleScenario.class.getName(),
            "--duration",
            "1s",
            "--prometheus-remote-write",
            "http://127.0.0.1:9/api/v1/write",
            "--prometheus-histograms",
            "both");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("--prometheus-histograms takes auto, native or classic, got 'both'");
  }
}
