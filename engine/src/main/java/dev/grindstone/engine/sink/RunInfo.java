package dev.grindstone.engine.sink;

import dev.grindstone.engine.run.Phase;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A run as sinks see it when it starts.
 *
 * @param outputDirectory where file sinks write (created), or null when none is wanted
 * @param summaryView the summary table's columns (registered expressions included)
 * @param dataLogView the data log's columns after Thread, Run, Test, Start time
 */
public record RunInfo(
    String name, long startEpochMillis, List<Phase> phases, Duration period, Path outputDirectory,
    StatisticsSchema schema, StatisticsView summaryView, StatisticsView dataLogView, boolean http) {

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
