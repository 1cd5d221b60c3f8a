package dev.grindstone.server.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;
import java.util.List;

/**
 * {@code POST /api/v1/runs/<id>/snapshots}: one agent's interval snapshot, idempotent by agent and
 * sequence number.
 *
 * @param startMs epoch milliseconds
 * @param endMs epoch milliseconds, not before {@code startMs}
 * @param tests the entries, checked ({@link SnapshotTests})
 * @param testsJson the {@code tests} array as posted, which is what the store keeps
 * @param activeUsers virtual users running at the end of the interval, or null (for {@code
 *     /metrics}, and kept for the controller of a distributed run)
 * @param lateStarts iterations of the interval that started more than 10 ms late, or null (the
 *     same)
 */
record SnapshotPost(
    String runId,
    String agent,
    long seq,
    String phase,
    long startMs,
    long endMs,
    List<TestEntry> tests,
    String testsJson,
    Integer activeUsers,
    Long lateStarts) {

  SnapshotPost {
    tests = List.copyOf(tests);
  }

  /**
   * Reads and checks a body.
   *
   * @throws ApiError 400 naming the field at fault
   */
  static SnapshotPost parse(String runId, JsonBody b) {
    String agent = b.text("agent", 256);
    long seq = b.integer("seq", 0, Long.MAX_VALUE);
    String phase = b.optText("phase", 256, null);
    long start = b.integer("startMs", 0, Long.MAX_VALUE);
    long end = b.integer("endMs", 0, Long.MAX_VALUE);
    if (end < start) {
      throw ApiError.badRequest(
          "endMs", "'endMs' (" + end + ") must not be before 'startMs' (" + start + ")");
    }
    // Live figures for /metrics and a distributed run's controller; no figure of the run's reads
    // them.
    Integer activeUsers =
        b.has("activeUsers") ? (int) b.integer("activeUsers", 0, Integer.MAX_VALUE) : null;
    Long lateStarts = b.has("lateStarts") ? b.integer("lateStarts", 0, Limits.MAX_COUNT) : null;
    JsonNode tests = b.raw("tests");
    List<TestEntry> entries = SnapshotTests.parse(tests);
    return new SnapshotPost(
        runId, agent, seq, phase, start, end, entries, tests.toString(), activeUsers, lateStarts);
  }
}
