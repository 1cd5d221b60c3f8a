package dev.grindstone.maven;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;

/** Starts the load test's JVM and passes its output to Maven's log, line by line as it comes. */
final class ForkedJvm {

  /** {@code grindstone run}'s exit codes (see the README). */
  static final int EXIT_BAD_INPUT = 2;

  static final int EXIT_REGRESSED = 98;
  static final int EXIT_THRESHOLDS_FAILED = 99;

  /** Lines of standard error kept for the build's failure message. */
  private static final int KEPT_ERROR_LINES = 200;

  private ForkedJvm() {}

  /**
   * How the JVM ended.
   *
   * @param errors its last lines of standard error
   */
  record Outcome(int exitCode, String errors) {}

  /**
   * Writes the class path into an argument file ({@code java @file}): a project's class path can be
   * longer than a command line may be on some systems.
   */
  static Path classPathFile(Path dir, List<String> classPath) throws IOException {
    StringBuilder b = new StringBuilder("-cp \"");
    for (int i = 0; i < classPath.size(); i++) {
      if (i > 0) {
        b.append(java.io.File.pathSeparatorChar);
      }
      // Inside quotes, an argument file takes \\ for a backslash and \" for a quote.
      b.append(classPath.get(i).replace("\\", "\\\\").replace("\"", "\\\""));
    }
    b.append("\"\n");
    Path file = dir.resolve("classpath.args");
    Files.writeString(file, b, StandardCharsets.UTF_8);
    return file;
  }

  static Outcome run(
      List<String> command, Path workingDirectory, Map<String, String> environment, Log log)
      throws MojoExecutionException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory.toFile());
    environment.forEach((k, v) -> pb.environment().put(k, v == null ? "" : v));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    try {
      p.getOutputStream()
          .close(); // no input: a scenario waiting on standard input would hang the build
    } catch (IOException e) {
      // the process has ended already; its exit code says how
    }
    Deque<String> errors = new ArrayDeque<>();
    Thread out = pump(p.getInputStream(), log::info);
    Thread err =
        pump(
            p.getErrorStream(),
            line -> {
              log.warn(line);
              synchronized (errors) {
                errors.addLast(line);
                if (errors.size() > KEPT_ERROR_LINES) {
                  errors.removeFirst();
                }
              }
            });
    try {
      int code = p.waitFor();
      out.join();
      err.join();
      synchronized (errors) {
        return new Outcome(code, String.join("\n", errors));
      }
    } catch (InterruptedException e) {
      p.destroy(); // SIGTERM: the run stops gracefully and writes its results
      Thread.currentThread().interrupt();
      throw new MojoExecutionException(
          "Interrupted while the load test ran; it was asked to stop", e);
    }
  }

  private static Thread pump(InputStream in, Consumer<String> each) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  each.accept(line);
                }
              } catch (IOException e) {
                each.accept("(output of the load test lost: " + e.getMessage() + ")");
              }
            },
            "grindstone-output");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
