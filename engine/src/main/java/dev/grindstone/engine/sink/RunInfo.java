package dev.grindstone.engine.sink;

import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A run as sinks see it when it starts.
 *
 * @param phases the phases planned, in order
 * @param outputDirectory where file sinks write (created), or null when none is wanted
 * @param schema the run's statistics: the standard ones and its plug-ins'
 * @param summaryView the summary table's columns (the plug-ins' and registered expressions
 *     included)
 */
public record RunInfo(
    String name,
    long startEpochMillis,
    List<PlannedPhase> phases,
    Duration period,
    Path outputDirectory,
    StatisticsSchema schema,
    StatisticsView summaryView) {

  public RunInfo {
    phases = List.copyOf(phases);
  }

  /**
   * A phase as planned.
   *
   * @param duration how long it lasts, or null when it ends once its users made their iterations
   */
  public record PlannedPhase(String name, Duration duration) {}

  /**
   * The run's id where it leaves the process (the metrics server, Prometheus labels): its name and
   * start time, {@code checkout-1700000000123}, in letters, digits, '.', '_' and '-', at most 64
   * characters (the end kept).
   */
  public String id() {
    String id = (name + "-" + startEpochMillis).replaceAll("[^A-Za-z0-9._-]", "-");
    return id.length() > 64 ? id.substring(id.length() - 64) : id;
  }
}
