package dev.grindstone.engine.config;

import dev.grindstone.stats.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem found in a configuration file, each with its line, column and field, and
 * reports them together: one pass shows the user everything to fix.
 */
public final class ConfigProblems {

  private final String file;
  private final List<String> problems = new ArrayList<>();

  public ConfigProblems(String file) {
    this.file = file;
  }

  public void add(int line, int column, String field, String message) {
    problems.add(
        file + ":" + line + ":" + column + ": " + (field.isEmpty() ? "" : field + ": ") + message);
  }

  public void add(YamlNode at, String message) {
    add(at.line(), at.column(), at.path(), message);
  }

  /** Adds every problem of another file's, each already naming its file. */
  public void addAll(ConfigProblems other) {
    problems.addAll(other.problems);
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<String> all() {
    return List.copyOf(problems);
  }

  /** Throws a {@link BadInputException} listing every problem, if there is any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new BadInputException(
          (problems.size() == 1 ? "" : problems.size() + " problems:\n")
              + String.join("\n", problems));
    }
  }
}
