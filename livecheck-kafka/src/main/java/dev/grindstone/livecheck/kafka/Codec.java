package dev.grindstone.livecheck.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.TestExecution;
import dev.grindstone.livecheck.http.LiveCheckHeaders;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * The JSON values of the transport topics, with Faust's field names: a test execution is {@code
 * {"id", "case_name", "timestamp", "test_args", "test_kwargs", "expires"}} (times as Python's
 * isoformat), a signal event {@code {"signal_name", "case_name", "key", "value"}} plus {@code
 * test_id} and {@code expires}. Thread-safe.
 */
final class Codec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Codec() {}

  static byte[] execution(TestExecution e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", e.id());
    o.put("case_name", e.caseName());
    o.put("timestamp", LiveCheckHeaders.isoformat(e.timestamp()));
    o.putArray("test_args");
    o.set("test_kwargs", JSON.valueToTree(e.args()));
    o.put("expires", LiveCheckHeaders.isoformat(e.expires()));
    return bytes(o);
  }

  @SuppressWarnings("unchecked")
  static TestExecution execution(byte[] value) throws IOException {
    JsonNode o = JSON.readTree(value);
    Map<String, Object> args =
        o.hasNonNull("test_kwargs") ? JSON.convertValue(o.get("test_kwargs"), Map.class) : Map.of();
    return new TestExecution(
        text(o, "id"), text(o, "case_name"), instant(o, "timestamp"), args, instant(o, "expires"));
  }

  static byte[] signal(SignalEvent e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("signal_name", e.signalName());
    o.put("case_name", e.caseName());
    o.put("key", e.key());
    o.set("value", JSON.valueToTree(e.value()));
    o.put("test_id", e.testId());
    if (e.expires() != null) {
      o.put("expires", LiveCheckHeaders.isoformat(e.expires()));
    }
    return bytes(o);
  }

  static SignalEvent signal(byte[] value) throws IOException {
    JsonNode o = JSON.readTree(value);
    JsonNode v = o.get("value");
    return new SignalEvent(
        text(o, "signal_name"),
        text(o, "case_name"),
        text(o, "key"),
        o.hasNonNull("test_id") ? o.get("test_id").asText() : null,
        v == null || v.isNull() ? null : v,
        o.hasNonNull("expires") ? instant(o, "expires") : null);
  }

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  private static String text(JsonNode o, String field) throws IOException {
    JsonNode n = o.get(field);
    if (n == null || !n.isTextual()) {
      throw new IOException(
          "field '"
              + field
              + "' must be a string, got "
              + (n == null ? "nothing" : n.getNodeType()));
    }
    return n.asText();
  }

  private static Instant instant(JsonNode o, String field) throws IOException {
    String s = text(o, field);
    try {
      return LiveCheckHeaders.parseInstant(s);
    } catch (RuntimeException e) {
      throw new IOException("field '" + field + "' must be an ISO-8601 time, got '" + s + "'", e);
    }
  }
}
