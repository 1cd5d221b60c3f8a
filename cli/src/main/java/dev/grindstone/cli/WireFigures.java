package dev.grindstone.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.stats.StatisticIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads a test's figures as snapshots carry them on the wire (see the report client's
 * SnapshotPost).
 */
final class WireFigures {
  private WireFigures() {}

  /**
   * One test of a snapshot's {@code tests} array, into {@code schema}. Statistics the schema does
   * not have are left out (a run's schema comes from the same plan on every side).
   */
  static TestFigures read(JsonNode test, StatisticsSchema schema, long spanMillis) {
    StatisticsSet s = new StatisticsSet(schema);
    long cancelled = 0;
    Iterator<Map.Entry<String, JsonNode>> fields = test.path("statistics").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (f.getKey().equals("cancelledTests")) {
        cancelled = f.getValue().asLong();
        continue;
      }
      StatisticIndex index = schema.find(f.getKey());
      switch (index) {
        case StatisticIndex.LongIndex l -> s.setLong(l, f.getValue().asLong());
        case StatisticIndex.DoubleIndex d -> s.setDouble(d, f.getValue().asDouble());
        case StatisticIndex.SampleIndex x -> {
          JsonNode v = f.getValue();
          long count = v.path("count").asLong();
          s.setSample(
              x,
              count,
              v.path("sum").asLong(),
              v.path("variance").asDouble(),
              v.has("min") ? v.get("min").asLong() : Long.MAX_VALUE,
              v.has("max") ? v.get("max").asLong() : Long.MIN_VALUE);
        }
        case null -> {}
      }
    }
    return TestFigures.of(
        test.path("number").asInt(),
        "",
        false,
        spanMillis,
        s,
        test.hasNonNull("histogram") ? Histograms.decode(test.get("histogram").asText()) : null,
        test.hasNonNull("errorHistogram")
            ? Histograms.decode(test.get("errorHistogram").asText())
            : null,
        cancelled);
  }
}
