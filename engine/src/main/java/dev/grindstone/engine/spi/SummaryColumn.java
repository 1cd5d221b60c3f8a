package dev.grindstone.engine.spi;

import java.util.Objects;

/**
 * A plug-in's column of the summary table, after the standard ones: an expression in The Grinder's
 * prefix language over the run's statistics, for example {@code (/ httpplugin.responseLength (+
 * (count timedTests) untimedTests))}.
 *
 * @param key the column's name in machine-readable outputs ({@code grindstone analyze --format
 *     json}), for example {@code meanResponseLength}
 * @param displayName the column's header in the tables, for example {@code Mean response length}
 * @param expression the expression, parsed when a run (or an analysis) starts
 */
public record SummaryColumn(String key, String displayName, String expression) {
  public SummaryColumn {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(expression, "expression");
  }
}
