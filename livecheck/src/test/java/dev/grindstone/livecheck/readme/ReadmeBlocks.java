package dev.grindstone.livecheck.readme;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the examples the README shows out of the sources that compile them: the non-blank lines
 * between {@code // README-BEGIN name} and {@code // README-END name}, stripped.
 */
public final class ReadmeBlocks {
  private ReadmeBlocks() {}

  /** The lines of block {@code name} in {@code source}. */
  public static List<String> block(String source, String name) {
    int a = source.indexOf("// README-BEGIN " + name);
    int b = source.indexOf("// README-END " + name);
    if (a < 0 || b < a) {
      throw new IllegalArgumentException("no README block named " + name);
    }
    List<String> lines = new ArrayList<>();
    for (String l : source.substring(source.indexOf('\n', a) + 1, b).split("\n")) {
      if (!l.isBlank()) {
        lines.add(l.strip());
      }
    }
    return lines;
  }

  /** The README's non-blank lines, stripped. */
  public static List<String> lines(String readme) {
    return readme.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
