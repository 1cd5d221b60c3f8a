package dev.grindstone.server.pytestmonitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;

/**
 * {@code POST /sessions/}: one test session, by its hash.
 *
 * @param description the description object as JSON text (its keys become the session's tags)
 */
record SessionPost(String h, String runDate, String scmRef, String description) {

  /**
   * Reads and checks a body.
   *
   * @throws ApiError 400 naming the field at fault
   */
  static SessionPost parse(JsonBody b, ObjectMapper mapper) {
    String h = Hashes.read(b, "session_h");
    String runDate = b.text("run_date", 64);
    String scm = b.optText("scm_ref", 128, "");
    return new SessionPost(h, runDate, scm, description(b, mapper).toString());
  }

  private static ObjectNode description(JsonBody b, ObjectMapper mapper) {
    JsonNode d = b.raw("description");
    if (d == null || d.isNull()) {
      return mapper.createObjectNode();
    }
    if (d.isObject()) {
      return (ObjectNode) d;
    }
    if (d.isTextual()) {
      // The seed text documents a string; the real client sends an object. Keep both readable.
      ObjectNode o = mapper.createObjectNode();
      o.put("description", d.textValue());
      return o;
    }
    throw ApiError.badRequest(
        "description", "'description' must be a JSON object or a string, got " + JsonBody.kind(d));
  }
}
