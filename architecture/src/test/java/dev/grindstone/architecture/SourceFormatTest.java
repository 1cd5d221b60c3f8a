package dev.grindstone.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.googlejavaformat.java.Formatter;
import com.google.googlejavaformat.java.FormatterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One Java format for the whole tree: google-java-format's. It runs here, on the JDK the build's
 * toolchain selects, because it parses with the running JDK's compiler and the sources use Java 21
 * syntax that the Java 17 Maven may run on cannot parse.
 *
 * <p>With {@code -Dgrindstone.format=apply} the test formats the files instead of failing on them:
 *
 * <pre>{@code
 * ./mvnw -q -pl architecture -am test -Dtest=SourceFormatTest -Dsurefire.failIfNoSpecifiedTests=false -Dgrindstone.format=apply
 * }</pre>
 */
class SourceFormatTest {
  private static final String APPLY =
      "./mvnw -q -pl architecture -am test -Dtest=SourceFormatTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dgrindstone.format=apply";

  @Test
  void every_java_file_of_the_tree_is_in_google_java_format() throws IOException {
    boolean apply = "apply".equals(System.getProperty("grindstone.format"));
    Path root = treeRoot();
    Formatter formatter = new Formatter();
    List<String> unformatted = new ArrayList<>();
    List<String> unparsable = new ArrayList<>();
    for (Path file : javaFiles(root)) {
      String source = Files.readString(file, StandardCharsets.UTF_8);
      String formatted;
      try {
        formatted = formatter.formatSourceAndFixImports(source);
      } catch (FormatterException e) {
        unparsable.add(root.relativize(file) + ": " + e.getMessage());
        continue;
      }
      if (!formatted.equals(source)) {
        if (apply) {
          Files.writeString(file, formatted, StandardCharsets.UTF_8);
        } else {
          unformatted.add(root.relativize(file).toString());
        }
      }
    }
    assertThat(unparsable).as("files google-java-format cannot parse").isEmpty();
    assertThat(unformatted)
        .as(
            "%d Java files are not in google-java-format's form; format them with%n  %s%n",
            unformatted.size(), APPLY)
        .isEmpty();
  }

  /** The folder of the reactor's root pom: the one above this module that holds {@code mvnw}. */
  private static Path treeRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("mvnw")) && Files.isDirectory(d.resolve("architecture"))) {
        return d;
      }
    }
    throw new IllegalStateException(
        "no reactor root (a folder with mvnw and architecture/) above " + dir);
  }

  /** Every {@code .java} file of the tree, leaving out build output and hidden folders. */
  private static List<Path> javaFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p))
          .filter(p -> !excluded(root.relativize(p)))
          .sorted()
          .toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static boolean excluded(Path relative) {
    if (relative.startsWith(Path.of("bench", "out"))) {
      return true; // benchmark runs' output
    }
    for (Path part : relative) {
      String name = part.toString();
      if (name.equals("target") || name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
