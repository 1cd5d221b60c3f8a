package dev.grindstone.engine.analyze;

import dev.grindstone.engine.spi.DataLogColumn;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticsSource;
import dev.grindstone.stats.expr.Expression;
import java.util.ArrayList;
import java.util.List;

/**
 * The data log's one format, as a run writes it ({@code data.csv}) and {@code grindstone analyze}
 * reads it: The Grinder's data log, one line per call.
 *
 * <p>Columns: {@code Thread, Run, Test, Start time (ms since Epoch), Test time, Errors}, then the
 * data-log columns of each plug-in, in the order of the plug-ins (each plug-in's columns together
 * and in its order), then registered columns (read and ignored). Values are separated by {@code ",
 * "}. Times are written from the microseconds they are kept in, as milliseconds: a whole number
 * when exact ({@code 40}), otherwise with up to three decimals ({@code 0.213}, {@code 12.5}); a
 * reader turns them back into the same microseconds (a fraction beyond the microsecond is rounded
 * half up), so a time never passes through a double on its way from the run to the analysis. The
 * plug-ins' other columns are whole numbers. A call cancelled at stop has its first four values and
 * every other one empty ({@code 3, 41, 2, 1700000000123,,}).
 *
 * <p>A run of several scenarios adds one last column, {@code Scenario}: the name of the scenario
 * whose user made the call, in cancelled rows too ({@code 3, 41, 2, 1700000000123,,, browse}). It
 * comes last so that the columns of a run of one scenario, and their places, are The Grinder's
 * whatever the run: a reader that knows nothing of it reads it as a registered column.
 *
 * <p>A format is made for a run ({@link #forRun}) or read from a header line ({@link #parse});
 * {@link DataLogReader} parses the rows of a format. Immutable and thread-safe; {@link #appendRow}
 * does not allocate (it may grow the builder).
 */
public final class DataLogFormat {

  /** The columns every data log starts with, in order. */
  public static final List<String> STANDARD_COLUMNS =
      List.of("Thread", "Run", "Test", "Start time (ms since Epoch)", "Test time", "Errors");

  static final String STANDARD_LINE = String.join(", ", STANDARD_COLUMNS);

  /** The last column of a run of several scenarios: the scenario of the call's user. */
  public static final String SCENARIO_COLUMN = "Scenario";

  /** One plug-in column of this format: its declaration and its slot in the schema. */
  record PluginColumn(Plugin plugin, DataLogColumn column, LongIndex index) {
    /** µs stored, ms written: a time. */
    boolean time() {
      return index.isScaled();
    }
  }

  private final List<String> columns;
  private final List<Plugin> plugins;
  private final List<PluginColumn> pluginColumns;
  private final List<ExpressionView> registered;
  private final boolean scenarioColumn;

  private DataLogFormat(
      List<String> columns,
      List<Plugin> plugins,
      List<PluginColumn> pluginColumns,
      List<ExpressionView> registered,
      boolean scenarioColumn) {
    this.columns = List.copyOf(columns);
    this.plugins = List.copyOf(plugins);
    this.pluginColumns = List.copyOf(pluginColumns);
    this.registered = List.copyOf(registered);
    this.scenarioColumn = scenarioColumn;
  }

  /** The format a run of one scenario writes (see {@link #forRun(PluginSchema, List, boolean)}). */
  public static DataLogFormat forRun(PluginSchema schema, List<ExpressionView> registered) {
    return forRun(schema, registered, false);
  }

  /**
   * The format a run writes: every plug-in's columns of {@code schema}, then {@code registered}
   * (registered data-log expressions), then with {@code scenarios} the {@link #SCENARIO_COLUMN}.
   * Throws {@link BadInputException} when a registered column takes the name of another column.
   */
  public static DataLogFormat forRun(
      PluginSchema schema, List<ExpressionView> registered, boolean scenarios) {
    List<String> names = new ArrayList<>(STANDARD_COLUMNS);
    List<PluginColumn> pluginColumns = new ArrayList<>();
    List<Plugin> plugins = new ArrayList<>();
    for (Plugin p : schema.plugins()) {
      for (DataLogColumn c : p.dataLogColumns()) {
        if (names.contains(c.header())) {
          throw new IllegalArgumentException(
              p.name()
                  + ": the data-log column '"
                  + c.header()
                  + "' is one of the standard columns; give it another header");
        }
        names.add(c.header());
        pluginColumns.add(new PluginColumn(p, c, schema.longIndex(c.statistic())));
      }
      if (!p.dataLogColumns().isEmpty()) {
        plugins.add(p);
      }
    }
    for (ExpressionView v : registered) {
      if (names.contains(v.displayName())) {
        throw new BadInputException(
            "The data-log column '"
                + v.displayName()
                + "' is already there; choose"
                + " another name for "
                + v.expressionText());
      }
      names.add(v.displayName());
    }
    if (scenarios) {
      if (names.contains(SCENARIO_COLUMN)) {
        throw new BadInputException(
            "The data-log column '"
                + SCENARIO_COLUMN
                + "' of a run of several scenarios names each call's scenario; choose another"
                + " name for the registered column");
      }
      names.add(SCENARIO_COLUMN);
    }
    return new DataLogFormat(names, plugins, pluginColumns, registered, scenarios);
  }

  /**
   * Reads a header line ({@code where} is {@code file:line}, for messages) against the plug-ins of
   * {@code known}: after the standard columns, a column that starts a known plug-in's columns must
   * be followed by the rest of them in order; any other column is a registered one, read and
   * ignored. Throws {@link BadInputException} naming the first column that is not what a data log
   * holds there.
   */
  static DataLogFormat parse(String where, String line, PluginSchema known) {
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
        throw new BadInputException(
            where
                + ": column "
                + (i + 1)
                + " ("
                + expected
                + ") is missing from the header; a Grinder data log starts with the line '"
                + STANDARD_LINE
                + "'");
      }
      if (!names.get(i).equals(expected)) {
        throw new BadInputException(
            where
                + ": column "
                + (i + 1)
                + " ("
                + expected
                + "): expected the header '"
                + expected
                + "', found '"
                + shorten(names.get(i))
                + "'; a Grinder data log starts with the line '"
                + STANDARD_LINE
                + "'");
      }
    }
    List<Plugin> plugins = new ArrayList<>();
    List<PluginColumn> pluginColumns = new ArrayList<>();
    int i = STANDARD_COLUMNS.size();
    for (Plugin p = startedBy(known, i < names.size() ? names.get(i) : null, plugins);
        p != null;
        p = startedBy(known, i < names.size() ? names.get(i) : null, plugins)) {
      List<DataLogColumn> block = p.dataLogColumns();
      for (int k = 0; k < block.size(); k++, i++) {
        String expected = block.get(k).header();
        String found = i < names.size() ? names.get(i) : null;
        if (!expected.equals(found)) {
          throw new BadInputException(
              where
                  + ": column "
                  + (i + 1)
                  + " ("
                  + expected
                  + "): expected the "
                  + p.name()
                  + "'s column '"
                  + expected
                  + "', found "
                  + (found == null ? "the end of the line" : "'" + shorten(found) + "'")
                  + "; the "
                  + p.name()
                  + "'s columns are '"
                  + headers(p)
                  + "'");
        }
        pluginColumns.add(
            new PluginColumn(p, block.get(k), known.longIndex(block.get(k).statistic())));
      }
      plugins.add(p);
    }
    int afterPlugins = i;
    for (; i < names.size(); i++) {
      String n = names.get(i);
      if (n.isEmpty()) {
        throw new BadInputException(
            where
                + ": column "
                + (i + 1)
                + ": the header has an empty column name; every column needs a name");
      }
      for (Plugin p : known.plugins()) {
        if (p.dataLogColumns().stream().anyMatch(c -> c.header().equals(n))) {
          throw new BadInputException(
              where
                  + ": column "
                  + (i + 1)
                  + " ("
                  + n
                  + "): the "
                  + p.name()
                  + "'s columns must follow 'Errors' (or another plug-in's columns) in the order '"
                  + headers(p)
                  + "'");
        }
      }
    }
    boolean scenarios = names.size() > afterPlugins && names.getLast().equals(SCENARIO_COLUMN);
    return new DataLogFormat(names, plugins, pluginColumns, List.of(), scenarios);
  }

  /** The known plug-in whose columns start with {@code name} and are not there yet, or null. */
  private static Plugin startedBy(PluginSchema known, String name, List<Plugin> already) {
    if (name == null) {
      return null;
    }
    for (Plugin p : known.plugins()) {
      if (!already.contains(p)
          && !p.dataLogColumns().isEmpty()
          && p.dataLogColumns().getFirst().header().equals(name)) {
        return p;
      }
    }
    return null;
  }

  private static String headers(Plugin p) {
    return String.join(", ", p.dataLogColumns().stream().map(DataLogColumn::header).toList());
  }

  static String shorten(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  /** The header line, without its newline. */
  public String header() {
    return String.join(", ", columns);
  }

  /** Every column name, in order. */
  public List<String> columns() {
    return columns;
  }

  /** Number of columns every line has. */
  public int size() {
    return columns.size();
  }

  /** 1-based column number → its name. */
  public String name(int column) {
    return columns.get(column - 1);
  }

  /** True when the last column is the {@link #SCENARIO_COLUMN} of a run of several scenarios. */
  public boolean hasScenarioColumn() {
    return scenarioColumn;
  }

  /** The plug-ins whose columns this format holds, in order. */
  public List<Plugin> plugins() {
    return plugins;
  }

  /** The plug-ins' columns, right after {@code Errors}. */
  List<PluginColumn> pluginColumns() {
    return pluginColumns;
  }

  /**
   * Appends the line of one completed call, without its newline: its time ({@code micros}), whether
   * it failed, and its statistics ({@code call}: the plug-ins' values and what registered
   * expressions read), and its scenario's name when the format has the {@link #SCENARIO_COLUMN}.
   */
  public void appendRow(
      StringBuilder b,
      int thread,
      long run,
      int test,
      long startEpochMillis,
      long micros,
      boolean failed,
      StatisticsSource call,
      String scenario) {
    b.append(thread)
        .append(", ")
        .append(run)
        .append(", ")
        .append(test)
        .append(", ")
        .append(startEpochMillis);
    b.append(", ");
    appendMillis(b, micros);
    b.append(", ").append(failed ? 1 : 0);
    for (int i = 0, n = pluginColumns.size(); i < n; i++) {
      LongIndex index = pluginColumns.get(i).index();
      b.append(", ");
      if (index.isScaled()) {
        appendMillis(b, call.getLong(index));
      } else {
        b.append(call.getLong(index));
      }
    }
    for (int i = 0, n = registered.size(); i < n; i++) {
      b.append(", ");
      appendValue(b, registered.get(i).expression(), call);
    }
    if (scenarioColumn) {
      b.append(", ").append(scenario);
    }
  }

  /**
   * Appends the line of a call cancelled at stop, without its newline: its first four values and
   * every other one empty but its scenario's name.
   */
  public void appendCancelledRow(
      StringBuilder b, int thread, long run, int test, long startEpochMillis, String scenario) {
    b.append(thread)
        .append(", ")
        .append(run)
        .append(", ")
        .append(test)
        .append(", ")
        .append(startEpochMillis);
    for (int i = 4, n = columns.size() - (scenarioColumn ? 1 : 0); i < n; i++) {
      b.append(',');
    }
    if (scenarioColumn) {
      b.append(", ").append(scenario);
    }
  }

  /**
   * A registered expression's value: a long as a whole number; a double that is a whole number of
   * microseconds in milliseconds (as the times it reads are) like a time, any other as {@link
   * Double#toString}.
   */
  private static void appendValue(StringBuilder b, Expression e, StatisticsSource call) {
    if (!e.isDouble()) {
      b.append(e.getLongValue(call));
      return;
    }
    double v = e.getDoubleValue(call);
    long micros = Math.round(v * 1000);
    if (Math.abs(v * 1000 - micros) < 1e-6 && Math.abs(micros) < Long.MAX_VALUE / 2) {
      appendMillis(b, micros);
    } else {
      b.append(v);
    }
  }

  /** Writes µs as ms: "40", "0.213", "12.5", "-0.5". */
  public static void appendMillis(StringBuilder b, long micros) {
    if (micros < 0) {
      b.append('-');
      if (micros == Long.MIN_VALUE) {
        b.append("9223372036854775.808");
        return;
      }
      micros = -micros;
    }
    b.append(micros / 1000);
    int frac = (int) (micros % 1000);
    if (frac != 0) {
      b.append('.');
      if (frac < 100) {
        b.append('0');
      }
      if (frac < 10) {
        b.append('0');
      }
      while (frac % 10 == 0) {
        frac /= 10;
      }
      b.append(frac);
    }
  }
}
