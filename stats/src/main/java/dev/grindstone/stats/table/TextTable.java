package dev.grindstone.stats.table;

import java.util.ArrayList;
import java.util.List;

/**
 * The Grinder's fixed-width table layout: a 12-character label column and 12-character value
 * columns, each followed by one space; headers word-wrapped to the column width; doubles as {@link
 * TwoDecimals} writes them; trailing spaces trimmed.
 */
final class TextTable {

  static final int WIDTH = 12;

  private TextTable() {}

  /** The header lines for {@code names}, word-wrapped, followed by one blank line. */
  static void header(StringBuilder out, List<String> names) {
    List<List<String>> wrapped = new ArrayList<>();
    int lines = 0;
    for (String n : names) {
      List<String> w = wrap(n);
      wrapped.add(w);
      lines = Math.max(lines, w.size());
    }
    for (int line = 0; line < lines; line++) {
      StringBuilder b = new StringBuilder();
      pad(b, "");
      for (List<String> w : wrapped) {
        pad(b, line < w.size() ? w.get(line) : "");
      }
      out.append(rtrim(b)).append('\n');
    }
    out.append('\n');
  }

  /** One row: the label, the cells, and the quoted description when not null. */
  static void row(
      StringBuilder out,
      String label,
      List<String> cells,
      String description,
      boolean parenthesized) {
    StringBuilder b = new StringBuilder();
    pad(b, parenthesized ? "(" + label : label);
    for (String c : cells) {
      pad(b, c);
    }
    if (parenthesized) {
      b.setCharAt(b.length() - 1, ')');
    }
    if (description != null) {
      b.append(" \"").append(description).append('"');
    }
    out.append(rtrim(b)).append('\n');
  }

  static List<String> wrap(String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.trim().split("\\s+")) {
      while (word.length() > WIDTH) {
        if (!line.isEmpty()) {
          lines.add(line.toString());
          line.setLength(0);
        }
        lines.add(word.substring(0, WIDTH));
        word = word.substring(WIDTH);
      }
      if (line.isEmpty()) {
        line.append(word);
      } else if (line.length() + 1 + word.length() <= WIDTH) {
        line.append(' ').append(word);
      } else {
        lines.add(line.toString());
        line.setLength(0);
        line.append(word);
      }
    }
    if (!line.isEmpty()) {
      lines.add(line.toString());
    }
    return lines;
  }

  static String formatDouble(double value) {
    return TwoDecimals.format(value);
  }

  private static void pad(StringBuilder b, String cell) {
    b.append(cell);
    for (int i = cell.length(); i < WIDTH; i++) {
      b.append(' ');
    }
    b.append(' ');
  }

  private static String rtrim(StringBuilder b) {
    int end = b.length();
    while (end > 0 && b.charAt(end - 1) == ' ') {
      end--;
    }
    return b.substring(0, end);
  }
}
