package dev.grindstone.server.client;

import java.util.List;

/**
 * The body of {@code POST /api/v1/runs/<id>/snapshots}. {@code (agent, seq)} makes a re-post
 * idempotent; times are epoch milliseconds.
 *
 * @param activeUsers virtual users running at the end of the interval, or null (live figure for
 *     {@code /metrics}; not stored)
 * @param lateStarts iterations in the interval that started more than 10 ms late, or null (live
 *     figure for {@code /metrics}; not stored)
 */
public record SnapshotPost(String agent, long seq, String phase, long startMs, long endMs, List<TestSnapshot> tests,
    Integer activeUsers, Long lateStarts) {
  public SnapshotPost {
    tests = List.copyOf(tests);
  }

  /** A snapshot without the live figures. */
  public SnapshotPost(String agent, long seq, String phase, long startMs, long endMs, List<TestSnapshot> tests) {
    this(agent, seq, phase, startMs, endMs, tests, null, null);
  }
}
