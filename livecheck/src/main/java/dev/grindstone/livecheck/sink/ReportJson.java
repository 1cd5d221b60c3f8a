package dev.grindstone.livecheck.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.livecheck.Durations;
import dev.grindstone.livecheck.TestReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The wire form of a {@link TestReport} for {@code POST /api/v1/livecheck/reports}: snake_case
 * fields, times in epoch seconds (double), durations in seconds. Suite reports have {@code test_id}
 * null. Stateless and thread-safe.
 */
public final class ReportJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReportJson() {}

  /** One report as a JSON object. */
  public static ObjectNode toJson(TestReport r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("app", r.app());
    o.put("case", r.caseName());
    o.put("state", r.state().name());
    if (r.execution() == null) {
      o.putNull("test_id");
    } else {
      o.put("test_id", r.execution().id());
    }
    o.put("test_name", r.execution() == null ? r.caseName() : r.execution().caseName());
    o.put("timestamp", epochSeconds(r.timestamp()));
    if (r.runtime() == null) {
      o.putNull("runtime");
    } else {
      o.put("runtime", Durations.seconds(r.runtime()));
    }
    ObjectNode lat = o.putObject("signal_latency");
    for (Map.Entry<String, Duration> e : new TreeMap<>(r.signalLatency()).entrySet()) {
      lat.put(e.getKey(), Durations.seconds(e.getValue()));
    }
    putNullable(o, "error", r.error());
    putNullable(o, "traceback", r.traceback());
    o.put("consecutive_failures", r.consecutiveFailures());
    o.put("total_failures", r.totalFailures());
    o.put("suite_failed", r.suiteFailed());
    return o;
  }

  /** Several reports as a JSON array string. */
  public static String toJsonArray(Collection<TestReport> reports) {
    ArrayNode a = MAPPER.createArrayNode();
    reports.forEach(r -> a.add(toJson(r)));
    return a.toString();
  }

  static double epochSeconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }

  private static void putNullable(ObjectNode o, String field, String value) {
    if (value == null) {
      o.putNull(field);
    } else {
      o.put(field, value);
    }
  }
}
