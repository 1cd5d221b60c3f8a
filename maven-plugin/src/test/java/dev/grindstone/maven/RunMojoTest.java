package dev.grindstone.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunMojoTest {

  @TempDir Path dir;

  private RunMojo mojo(String scenario) {
    RunMojo m = new RunMojo(null);
    m.scenario = scenario;
    m.project = new MavenProject();
    m.project.setFile(dir.resolve("pom.xml").toFile());
    return m;
  }

  @Test
  void the_configuration_becomes_the_command_lines_options() {
    RunMojo m = mojo("src/test/load/run.yaml");
    m.users = 5;
    m.duration = "30s";
    m.thresholds = List.of("p99<250ms", "errors<1%");
    m.baseline = "target/baseline";
    m.maxP99Increase = "10%";
    m.maxErrorRateIncrease = "0.5%";
    m.ignoreNoise = true;
    m.dataLog = false;
    List<String> args = m.arguments(Path.of("out"), Path.of("TEST.xml"));
    assertThat(args)
        .containsExactly(
            "run",
            dir.resolve("src/test/load/run.yaml").toString(),
            "--out",
            "out",
            "--junit-xml",
            "TEST.xml",
            "--users",
            "5",
            "--duration",
            "30s",
            "--threshold",
            "p99<250ms",
            "--threshold",
            "errors<1%",
            "--baseline",
            "target/baseline",
            "--max-p99-increase",
            "10%",
            "--max-error-rate-increase",
            "0.5%",
            "--ignore-noise",
            "--no-data-log");
  }

  @Test
  void a_class_name_is_passed_as_it_is() {
    assertThat(mojo("com.acme.load.Checkout").arguments(Path.of("o"), Path.of("j")).get(1))
        .isEqualTo("com.acme.load.Checkout");
  }

  @Test
  void the_class_path_file_quotes_spaces_backslashes_and_quotes_for_the_java_launcher()
      throws Exception {
    Path file = ForkedJvm.classPathFile(dir, List.of("/a b/x.jar", "C:\\lib\\y.jar", "/q\"uote"));
    assertThat(Files.readString(file))
        .isEqualTo(
            "-cp \"/a b/x.jar"
                + File.pathSeparator
                + "C:\\\\lib\\\\y.jar"
                + File.pathSeparator
                + "/q\\\"uote\"\n");
  }
}
