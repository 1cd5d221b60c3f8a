package dev.grindstone.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The one Jackson mapper of the module (thread-safe once configured). */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot serialize " + value.getClass().getName() + " to JSON: " + e.getOriginalMessage(),
          e);
    }
  }

  public static JsonNode read(byte[] bytes) throws IOException {
    return MAPPER.readTree(bytes);
  }

  public static JsonNode read(byte[] bytes, int offset, int length) throws IOException {
    return MAPPER.readTree(bytes, offset, length);
  }
}
