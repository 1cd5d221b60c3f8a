package dev.grindstone.engine.spi;

import java.util.Objects;

/**
 * A plug-in's column of the data log: each call's value of one of the plug-in's basic long
 * statistics. A scaled statistic (µs stored, ms shown) is written in milliseconds with up to three
 * decimals and read back to the microsecond; any other as a whole number.
 *
 * @param header the column's name in the data log's header, for example {@code HTTP response code}
 * @param statistic one of the plug-in's {@link PluginStatistic.Kind#LONG} statistics
 * @param merge how {@code grindstone analyze} adds the calls' values up, as a Grinder worker does
 */
public record DataLogColumn(String header, PluginStatistic statistic, Merge merge) {

  /** How a column's values add up over a test's successful calls. */
  public enum Merge {
    /** Summed, as every basic long statistic of a run is. */
    SUM,
    /** The last value in file order: an HTTP status code, whose sum means nothing. */
    LAST
  }

  public DataLogColumn {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(statistic, "statistic");
    Objects.requireNonNull(merge, "merge");
    if (statistic.kind() != PluginStatistic.Kind.LONG) {
      throw new IllegalArgumentException(
          "The data-log column '"
              + header
              + "' must hold a basic long"
              + " statistic; '"
              + statistic.name()
              + "' is a double");
    }
  }
}
