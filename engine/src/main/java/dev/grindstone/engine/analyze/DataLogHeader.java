package dev.grindstone.engine.analyze;

import dev.grindstone.stats.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The header line of a Grinder data log: the six standard columns, then optionally the HTTP
 * plug-in's seven, then any further registered data-log columns (read but not aggregated).
 *
 * @param columns every column name, in file order
 * @param http whether the HTTP plug-in's columns follow the standard ones
 */
public record DataLogHeader(List<String> columns, boolean http) {

  /** The columns every data log starts with, in order. */
  public static final List<String> STANDARD_COLUMNS = List.of(
      "Thread", "Run", "Test", "Start time (ms since Epoch)", "Test time", "Errors");

  /** The HTTP plug-in's columns, in order, right after the standard ones. */
  public static final List<String> HTTP_COLUMNS = List.of(
      "HTTP response code", "HTTP response length", "HTTP response errors", "Time to resolve host",
      "Time to establish connection", "Time to first byte", "New connections");

  static final String STANDARD_LINE = String.join(", ", STANDARD_COLUMNS);

  public DataLogHeader {
    columns = List.copyOf(columns);
  }

  /** Number of columns every line must have. */
  public int size() {
    return columns.size();
  }

  /** 1-based column number → its name. */
  public String name(int column) {
    return columns.get(column - 1);
  }

  /**
   * Reads a header line ({@code where} is {@code file:line}, for messages); throws {@link BadInputException} naming the first column that is not
   * what a data log holds there.
   */
  static DataLogHeader parse(String where, String line) {
    List<String> names = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= line.length(); i++) {
      if (i == line.length() || line.charAt(i) == ',') {
        names.add(line.substring(start, i).strip());
        start = i + 1;
      }
    }
    for (int i = 0; i < STANDARD_COLUMNS.size(); i++) {
      String expected = STANDARD_COLUMNS.get(i);
      if (i >= names.size()) {
        throw new BadInputException(where + ": column " + (i + 1) + " (" + expected
            + ") is missing from the header; a Grinder data log starts with the line '"
            + STANDARD_LINE + "'");
      }
      if (!names.get(i).equals(expected)) {
        throw new BadInputException(where + ": column " + (i + 1) + " (" + expected
            + "): expected the header '" + expected + "', found '" + shorten(names.get(i))
            + "'; a Grinder data log starts with the line '" + STANDARD_LINE + "'");
      }
    }
    int first = STANDARD_COLUMNS.size();
    boolean http = names.size() > first && names.get(first).equals(HTTP_COLUMNS.get(0));
    if (http) {
      for (int i = 0; i < HTTP_COLUMNS.size(); i++) {
        String expected = HTTP_COLUMNS.get(i);
        String found = first + i < names.size() ? names.get(first + i) : null;
        if (!expected.equals(found)) {
          throw new BadInputException(where + ": column " + (first + i + 1) + " (" + expected
              + "): expected the HTTP plug-in's column '" + expected + "', found "
              + (found == null ? "the end of the line" : "'" + shorten(found) + "'")
              + "; the HTTP columns are '" + String.join(", ", HTTP_COLUMNS) + "'");
        }
      }
    }
    for (int i = first; i < names.size(); i++) {
      String n = names.get(i);
      if (n.isEmpty()) {
        throw new BadInputException(where + ": column " + (i + 1)
            + ": the header has an empty column name; every column needs a name");
      }
      if (!http && HTTP_COLUMNS.contains(n)) {
        throw new BadInputException(where + ": column " + (i + 1) + " (" + n
            + "): the HTTP plug-in's columns must follow 'Errors' in the order '"
            + String.join(", ", HTTP_COLUMNS) + "'");
      }
    }
    return new DataLogHeader(names, http);
  }

  static String shorten(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
