package dev.grindstone.server.livecheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * One LiveCheck report as {@code POST /api/v1/livecheck/reports} takes it (the body, or each
 * element of an array) and as the Kafka report topic carries it.
 *
 * @param testId null for a suite report
 * @param timestamp epoch seconds
 * @param runtime seconds, or null (suite reports)
 * @param signalLatency seconds per signal, as a JSON object's text, or null
 */
record ReportPost(
    String app,
    String caseName,
    String state,
    String testId,
    String testName,
    double timestamp,
    Double runtime,
    String signalLatency,
    String error,
    String traceback,
    long consecutiveFailures,
    long totalFailures,
    boolean suiteFailed) {

  /** The states a LiveCheck case reports. */
  static final Set<String> STATES =
      Set.of("PASS", "FAIL", "ERROR", "TIMEOUT", "STALL", "SKIP", "INIT");

  /**
   * Reads and checks one report.
   *
   * @throws ApiError 400 naming the field at fault, with its path in the body (e.g. {@code
   *     [1].case})
   */
  static ReportPost parse(JsonBody b) {
    String state = b.text("state", 16);
    if (!STATES.contains(state)) {
      throw ApiError.badRequest(
          b.path("state"),
          "'"
              + b.path("state")
              + "' must be one of PASS, FAIL, ERROR, TIMEOUT, STALL, SKIP, INIT; got '"
              + state
              + "'");
    }
    ObjectNode latency = b.optObject("signal_latency");
    if (latency != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = latency.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        String p = b.path("signal_latency") + "." + e.getKey();
        if (!v.isNumber() && !v.isNull()) {
          throw ApiError.badRequest(
              p, "'" + p + "' must be a number of seconds, got " + JsonBody.kind(v));
        }
        if (v.isNumber() && !(Double.isFinite(v.doubleValue()) && v.doubleValue() >= 0)) {
          throw ApiError.badRequest(
              p, "'" + p + "' must be a finite number of seconds, 0 or more, got " + v.asText());
        }
      }
    }
    // Both columns are int on every store (2^31 failures are 68 years at one a second).
    long consecutive = b.optInteger("consecutive_failures", 0, 0, Limits.MAX_INT);
    long total = b.optInteger("total_failures", 0, 0, Limits.MAX_INT);
    Double runtime = b.optNonNegative("runtime");
    return new ReportPost(
        b.optText("app", 256, ""),
        b.text("case", 512),
        state,
        b.optText("test_id", 256, null),
        b.optText("test_name", 512, null),
        b.nonNegative("timestamp"),
        runtime,
        latency == null ? null : latency.toString(),
        b.optText("error", 1_000_000, null),
        b.optText("traceback", 1_000_000, null),
        consecutive,
        total,
        b.optBoolean("suite_failed", false));
  }
}
