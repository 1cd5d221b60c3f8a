package dev.grindstone.engine.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where a run's files go: {@code <root>/<run name>-<yyyyMMdd-HHmmss>/}, local time, with {@code
 * -2}, {@code -3}, ... appended when a run of the same name started in the same second.
 */
public final class ResultsFolder {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private ResultsFolder() {}

  /**
   * Creates a new results folder for the run {@code name} started at {@code start} (and {@code
   * root} when missing). Throws {@link UncheckedIOException} naming the folder when it cannot.
   */
  public static Path create(Path root, String name, LocalDateTime start) {
    String stem = name + "-" + start.format(STAMP);
    try {
      Files.createDirectories(root);
      Path dir = root.resolve(stem);
      for (int i = 2; Files.exists(dir); i++) {
        dir = root.resolve(stem + "-" + i);
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create the results folder under "
              + root.toAbsolutePath()
              + ": "
              + e.getMessage()
              + ". Choose another one with --out.",
          e);
    }
  }
}
