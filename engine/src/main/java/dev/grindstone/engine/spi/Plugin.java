package dev.grindstone.engine.spi;

import java.util.List;

/**
 * A protocol plug-in: the statistics it adds to a run, the columns that show them in the summary
 * table and the data log, and a listener. A run takes its plug-ins from the scenario ({@link
 * dev.grindstone.engine.Scenario#plugins()}) and from {@link dev.grindstone.engine.Run#plugin};
 * their statistics join the schema after the standard ones, their columns follow the standard
 * columns, plug-in after plug-in in the order given.
 *
 * <p>Implementations are immutable values, shared by every run: declare statistics and columns as
 * constants. A run checks them when it starts (names unique, expressions that parse, columns over
 * the plug-in's own statistics) and refuses to start with a message naming the plug-in otherwise.
 */
public interface Plugin {

  /** How messages name the plug-in, for example {@code HTTP plug-in}. */
  String name();

  /** The statistics the plug-in updates through {@link TestStatistics}, in schema order. */
  List<PluginStatistic> statistics();

  /** The plug-in's summary-table columns, in order. */
  default List<SummaryColumn> summaryColumns() {
    return List.of();
  }

  /** The plug-in's data-log columns, in order, over its own statistics. */
  default List<DataLogColumn> dataLogColumns() {
    return List.of();
  }

  /** A listener for one run, made when the run starts; {@link PluginListener#NONE} for none. */
  default PluginListener listener() {
    return PluginListener.NONE;
  }

  /**
   * A plug-in that is its declarations alone (no listener): what most protocol plug-ins are. Two
   * are equal when they declare the same statistics and columns under the same name.
   */
  record Declared(
      String name,
      List<PluginStatistic> statistics,
      List<SummaryColumn> summaryColumns,
      List<DataLogColumn> dataLogColumns)
      implements Plugin {

    public Declared {
      java.util.Objects.requireNonNull(name, "name");
      statistics = List.copyOf(statistics);
      summaryColumns = List.copyOf(summaryColumns);
      dataLogColumns = List.copyOf(dataLogColumns);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
