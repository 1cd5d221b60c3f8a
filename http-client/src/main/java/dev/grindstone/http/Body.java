package dev.grindstone.http;

import dev.grindstone.http.internal.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * A request body: bytes and their content type. Immutable; the bytes are copied in and never
 * exposed for writing.
 */
public final class Body {
  private static final Body EMPTY = new Body(new byte[0], null);

  private final byte[] bytes;
  private final String contentType;

  private Body(byte[] bytes, String contentType) {
    this.bytes = bytes;
    this.contentType = contentType;
  }

  /** No body (a {@code Content-Length: 0} for methods that carry one). */
  public static Body empty() {
    return EMPTY;
  }

  /**
   * {@code value} serialized by Jackson ({@code Map}, {@code List}, a record, a {@code
   * JsonNode}...).
   */
  public static Body json(Object value) {
    return new Body(Json.write(value), "application/json");
  }

  /** A JSON document given as text, sent as it is. */
  public static Body jsonText(String json) {
    return new Body(json.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  /** {@code application/x-www-form-urlencoded}, in the map's iteration order. */
  public static Body form(Map<String, String> fields) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (!sb.isEmpty()) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(Objects.toString(e.getValue(), ""), StandardCharsets.UTF_8));
    }
    return new Body(
        sb.toString().getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded");
  }

  /** UTF-8 text with {@code text/plain; charset=utf-8}. */
  public static Body text(String text) {
    return new Body(text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
  }

  /** Raw bytes with the given content type (null for none). */
  public static Body bytes(byte[] bytes, String contentType) {
    return new Body(bytes.clone(), contentType);
  }

  public int length() {
    return bytes.length;
  }

  /** The content type, or null. */
  public String contentType() {
    return contentType;
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The bytes themselves, for the transport: must not be modified. */
  byte[] unsafeBytes() {
    return bytes;
  }
}
