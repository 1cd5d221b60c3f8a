package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class KubeCommandTest {
  static final Path DEPLOY = Path.of("..", "deploy", "kubernetes");

  /** A line of deploy/kubernetes/README.md that generates one of the folder's files. */
  private static final Pattern GENERATES =
      Pattern.compile(
          "^\\./grindstone (kube manifests(?: \\S+)*) > deploy/kubernetes/(\\S+\\.yaml)$");

  private static CliRunner.Result manifests(String... args) {
    List<String> all = new ArrayList<>(List.of("kube", "manifests"));
    all.addAll(List.of(args));
    return CliRunner.run(all.toArray(String[]::new));
  }

  /**
   * Run with {@code -Dgolden.update=true} to rewrite the files from the commands in the README
   * after an intended change, then review the diff.
   */
  @Test
  void the_checked_in_manifests_are_what_their_documented_commands_print() throws IOException {
    Set<String> generated = new TreeSet<>();
    for (String line : Files.readAllLines(DEPLOY.resolve("README.md"))) {
      Matcher m = GENERATES.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      CliRunner.Result r = CliRunner.run(m.group(1).split(" "));
      assertThat(r.exitCode()).as(line + "\n" + r.err()).isZero();
      Path file = DEPLOY.resolve(m.group(2));
      if (Boolean.getBoolean("golden.update")) {
        Files.writeString(file, r.out());
      }
      assertThat(file)
          .as("%s differs from what `%s` prints; run that command to regenerate it", file, line)
          .hasContent(r.out());
      generated.add(m.group(2));
    }
    try (Stream<Path> files = Files.list(DEPLOY)) {
      assertThat(generated)
          .as("every manifest in %s has its command in the README", DEPLOY)
          .containsExactlyInAnyOrderElementsOf(
              files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml")).toList());
    }
  }

  @Test
  void the_readmes_kube_commands_run() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md")).replace("\\\n", " ");
    String section =
        readme.substring(
            readme.indexOf("## Run on Kubernetes"), readme.indexOf("### The agent in the Job"));
    Matcher m = Pattern.compile("\\./grindstone (kube manifests[^|\\n]*)").matcher(section);
    int commands = 0;
    while (m.find()) {
      CliRunner.Result r = CliRunner.run(m.group(1).strip().split("\\s+"));
      assertThat(r.exitCode()).as(m.group() + "\n" + r.err()).isZero();
      assertThat(r.out()).startsWith("---\napiVersion:");
      commands++;
    }
    assertThat(commands).as("kube commands in the README's section").isEqualTo(2);
  }

  @Test
  void every_option_reaches_the_manifests() throws IOException {
    CliRunner.Result r =
        manifests(
            "--agents",
            "12",
            "--server",
            "https://load.example.com:8443/grindstone",
            "--image",
            "registry.example.com/grindstone:0.1.0",
            "--token-secret",
            "load-token",
            "--namespace",
            "perf",
            "--name",
            "checkout",
            "--postgres-secret",
            "grindstone-db",
            "--deadline",
            "30m",
            "--ttl",
            "10m",
            "--agent-cpu",
            "1500m",
            "--agent-memory",
            "3Gi",
            "--server-cpu",
            "500m",
            "--server-memory",
            "768Mi");
    assertThat(r.exitCode()).as(r.err()).isZero();
    // The same settings through the library's builder (see kube/'s KubeManifestsTest.everyOption).
    assertThat(r.out())
        .isEqualTo(
            Files.readString(
                Path.of("..", "kube", "src", "test", "resources", "golden", "every-option.yaml")));
  }

  @Test
  void storage_sizes_the_sqlite_volume() {
    CliRunner.Result r = manifests("--only", "server", "--storage", "25Gi");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("kind: \"PersistentVolumeClaim\"")
        .contains("storage: \"25Gi\"")
        .doesNotContain("kind: \"Job\"");
  }

  @Test
  void bad_arguments_exit_2_with_a_message_naming_them_and_print_no_yaml() {
    assertBadInput(manifests("--agents", "0"), "agents", "got 0");
    assertBadInput(
        manifests("--agents", "2", "--server", "grindstone-server:8080"), "server", "http://");
    assertBadInput(manifests("--agents", "2", "--name", "Load_Test"), "name", "'Load_Test'");
    assertBadInput(manifests("--agents", "2", "--namespace", "Perf"), "namespace", "'Perf'");
    assertBadInput(manifests("--agents", "2", "--agent-memory", "2GB"), "agent-memory", "'2GB'");
    assertBadInput(manifests("--agents", "2", "--deadline", "90.5s"), "deadline", "whole seconds");
    assertBadInput(manifests("--agents", "2", "--ttl", "soon"), "--ttl", "'soon'");
    assertBadInput(
        manifests("--agents", "2", "--storage", "1Gi", "--postgres-secret", "db"),
        "--postgres-secret",
        "--storage");
    assertBadInput(manifests("--agents", "2", "--only", "both"), "--only", "'both'");
    assertBadInput(manifests(), "--agents N", "--only server");
  }

  @Test
  void kube_is_listed_in_help() {
    assertThat(CliRunner.run("--help").out()).contains("kube");
    assertThat(CliRunner.run("kube", "manifests", "--help").out())
        .contains("--agents")
        .contains("--token-secret");
  }

  private static void assertBadInput(CliRunner.Result r, String... parts) {
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(parts).doesNotContain("Exception");
    assertThat(r.out()).isEmpty();
  }
}
