package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.kube.KubeManifests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile cannot be built here (no container engine), so what it relies on is checked
 * instead: the files it copies, the jar the build makes, the JVM options shared with the launcher,
 * and the user and port the Kubernetes manifests expect.
 */
class DockerfileTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern COPY = Pattern.compile("COPY (?:--from=(\\S+) )?(\\S+) (\\S+)");

  private static List<String> instructions;
  private static String launcher;

  @BeforeAll
  static void read() throws IOException {
    // One instruction per entry: continuation lines joined, comments dropped.
    instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      if (!current.toString().isBlank()) {
        instructions.add(current.toString().strip().replaceAll("\\s+", " "));
      }
      current.setLength(0);
    }
    launcher = Files.readString(ROOT.resolve("grindstone"));
  }

  private static List<String> starting(String keyword) {
    return instructions.stream().filter(i -> i.startsWith(keyword + " ")).toList();
  }

  /** Destination in the image to source, for each COPY from the given stage (null: the context). */
  private static Map<String, String> copies(String stage) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String i : starting("COPY")) {
      Matcher m = COPY.matcher(i);
      assertThat(m.matches()).as("a COPY of one source: %s", i).isTrue();
      if (stage == null ? m.group(1) == null : stage.equals(m.group(1))) {
        out.put(m.group(3), m.group(2));
      }
    }
    return out;
  }

  @Test
  void the_build_stage_makes_the_jar_the_launcher_runs() throws IOException {
    assertThat(starting("RUN"))
        .anySatisfy(r -> assertThat(r).contains("./mvnw ").contains("-pl cli -am package"));
    assertThat(ROOT.resolve("mvnw")).isExecutable();
    // The build stage gets the whole context in /src, so the jar is built at /src/cli/target/.
    assertThat(instructions)
        .containsSubsequence("FROM eclipse-temurin:25-jdk AS build", "WORKDIR /src", "COPY . .");
    assertThat(copies("build")).containsValue("/src/cli/target/grindstone.jar");
    // cli/target/grindstone.jar is the shaded jar's name in cli/pom.xml, and what ./grindstone
    // runs.
    assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>grindstone</finalName>");
    assertThat(launcher).contains("jar=\"$root/cli/target/grindstone.jar\"");
  }

  @Test
  void files_copied_from_the_context_exist_and_are_not_ignored() throws IOException {
    List<String> ignored =
        Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    for (String source : copies(null).values()) {
      if (source.equals(".")) {
        continue;
      }
      assertThat(ROOT.resolve(source)).as("COPY source %s", source).isRegularFile();
      assertThat(ignored)
          .as(".dockerignore entries")
          .noneMatch(p -> source.equals(p) || source.startsWith(p + "/"));
    }
    // What the build needs from the context.
    for (String needed : List.of("mvnw", ".mvn", "pom.xml", "cli")) {
      assertThat(ignored).as(".dockerignore entries").doesNotContain(needed);
    }
  }

  @Test
  void the_image_runs_the_jar_with_the_launchers_jvm_options_file() {
    Map<String, String> fromContext = copies(null);
    String options =
        fromContext.entrySet().stream()
            .filter(e -> e.getValue().equals("cli/jvm.options"))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow(() -> new AssertionError("cli/jvm.options is not copied"));
    String jar =
        copies("build").entrySet().stream()
            .filter(e -> e.getValue().endsWith("/grindstone.jar"))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow();
    assertThat(starting("ENTRYPOINT"))
        .singleElement()
        .isEqualTo("ENTRYPOINT [\"java\", \"@" + options + "\", \"-jar\", \"" + jar + "\"]");
    assertThat(launcher).contains("\"@$root/cli/jvm.options\"");
  }

  @Test
  void the_jvm_options_file_holds_options_only() throws IOException {
    List<String> options =
        Files.readAllLines(Path.of("jvm.options")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(options).isNotEmpty().allSatisfy(o -> assertThat(o).startsWith("-XX:"));
    assertThat(options).contains("-XX:+UseZGC");
  }

  @Test
  void the_jvm_takes_the_options_file_and_the_manifests_heap_option() throws Exception {
    // As in the image: the @-file on the command line, the heap share from JDK_JAVA_OPTIONS.
    String java = ProcessHandle.current().info().command().orElseThrow();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "@" + Path.of("jvm.options").toAbsolutePath(),
                "-XX:+PrintFlagsFinal",
                "-version")
            .redirectErrorStream(true);
    pb.environment().put("JDK_JAVA_OPTIONS", KubeManifests.JVM_HEAP_OPTION);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out)
        .containsPattern("bool UseZGC\\s+= true")
        .containsPattern("bool ZProactive\\s+= false")
        .containsPattern("double MaxRAMPercentage\\s+= 70\\.0");
  }

  @Test
  void the_image_runs_a_jdk_21_or_newer_as_the_user_and_on_the_port_the_manifests_expect() {
    assertThat(starting("FROM"))
        .hasSize(2)
        .allSatisfy(
            f -> {
              Matcher m = Pattern.compile("FROM eclipse-temurin:(\\d+)-jdk\\b.*").matcher(f);
              assertThat(m.matches()).as(f).isTrue();
              assertThat(Integer.parseInt(m.group(1))).isGreaterThanOrEqualTo(21);
            });
    long uid = KubeManifests.USER_ID;
    assertThat(starting("USER")).containsExactly("USER " + uid + ":" + uid);
    assertThat(starting("RUN"))
        .anySatisfy(r -> assertThat(r).contains("--uid " + uid).contains("--gid " + uid));
    assertThat(starting("EXPOSE")).containsExactly("EXPOSE " + KubeManifests.PORT);
  }
}
