package dev.grindstone.report;

import java.util.List;

/**
 * The body of {@code POST /api/v1/runs/<id>/snapshots}. {@code (agent, seq)} makes a re-post
 * idempotent; times are epoch milliseconds.
 */
public record SnapshotPost(String agent, long seq, String phase, long startMs, long endMs, List<TestSnapshot> tests) {
  public SnapshotPost {
    tests = List.copyOf(tests);
  }
}
