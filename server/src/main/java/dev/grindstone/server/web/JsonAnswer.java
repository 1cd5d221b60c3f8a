package dev.grindstone.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.ContentType;
import io.javalin.http.Context;

/**
 * Answers with a value as JSON, as {@code Context.json} does, written straight to UTF-8 bytes
 * rather than to a string that is then encoded: for the answers sent many times a second (a
 * snapshot's) or large ones (a page of stored snapshots). Stateless.
 */
public final class JsonAnswer {
  private JsonAnswer() {}

  /** Sets the answer's body to {@code value} as JSON, and its content type. */
  public static void send(Context ctx, ObjectMapper mapper, Object value) {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the answer as JSON", e);
    }
    ctx.contentType(ContentType.APPLICATION_JSON).result(bytes);
  }
}
