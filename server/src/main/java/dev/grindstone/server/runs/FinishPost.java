package dev.grindstone.server.runs;

import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import java.time.Clock;

/**
 * {@code POST /api/v1/runs/<id>/finish}: the end of one agent's part of a run; the run is finished
 * when every agent's part is.
 *
 * @param endMs epoch milliseconds
 */
record FinishPost(String runId, String agent, long endMs) {

  /**
   * Reads and checks a body; without an end, the clock's time.
   *
   * @throws ApiError 400 naming the field at fault
   */
  static FinishPost parse(String runId, JsonBody b, Clock clock) {
    String agent = b.optText("agent", 256, "default");
    long end = b.optInteger("endMs", clock.millis(), 0, Long.MAX_VALUE);
    return new FinishPost(runId, agent, end);
  }
}
