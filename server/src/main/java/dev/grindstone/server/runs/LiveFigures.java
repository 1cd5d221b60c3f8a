package dev.grindstone.server.runs;

import dev.grindstone.server.metrics.LiveMetrics;
import dev.grindstone.stats.latency.LatencyBuckets;
import java.util.ArrayList;
import java.util.List;

/** A posted snapshot's tests as {@code /metrics} counts them. Stateless. */
final class LiveFigures {
  private LiveFigures() {}

  static List<LiveMetrics.ScenarioFigures> ofScenarios(List<SnapshotPost.ScenarioEntry> scenarios) {
    List<LiveMetrics.ScenarioFigures> out = new ArrayList<>();
    for (SnapshotPost.ScenarioEntry s : scenarios) {
      out.add(new LiveMetrics.ScenarioFigures(s.name(), s.activeUsers(), of(s.tests())));
    }
    return out;
  }

  /**
   * @param entries as posted: their buckets were counted when they were checked
   */
  static List<LiveMetrics.TestFigures> of(List<TestEntry> entries) {
    List<LiveMetrics.TestFigures> out = new ArrayList<>(entries.size());
    for (TestEntry e : entries) {
      long[] buckets = e.buckets() != null ? e.buckets() : new long[LatencyBuckets.count()];
      long cancelled = Math.round(e.other().getOrDefault("cancelledTests", 0.0));
      out.add(
          new LiveMetrics.TestFigures(
              e.number(), e.tests(), e.errors(), cancelled, e.timed().sum(), buckets));
    }
    return out;
  }
}
