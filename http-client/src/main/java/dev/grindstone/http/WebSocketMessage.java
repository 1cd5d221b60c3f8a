package dev.grindstone.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.http.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One complete WebSocket message, text or binary (a message sent in several frames arrives here
 * whole), and when it arrived. Immutable; safe to share between threads.
 */
public final class WebSocketMessage {
  private final boolean text;
  private final byte[] data;
  private final long arrivalMicros;
  private String decoded;

  WebSocketMessage(boolean text, byte[] data, long arrivalMicros) {
    this.text = text;
    this.data = data;
    this.arrivalMicros = arrivalMicros;
  }

  /** Whether it is a text message (else binary). */
  public boolean isText() {
    return text;
  }

  /** The message as text: a text message's characters, a binary one decoded as UTF-8. */
  public String text() {
    String s = decoded;
    if (s == null) {
      decoded = s = new String(data, StandardCharsets.UTF_8);
    }
    return s;
  }

  /** A copy of the payload's bytes (a text message's in UTF-8). */
  public byte[] bytes() {
    return data.clone();
  }

  /** The payload's length in bytes. */
  public int length() {
    return data.length;
  }

  /**
   * The payload parsed as JSON.
   *
   * @throws IllegalStateException when it is not JSON, with the parser's message
   */
  public JsonNode json() {
    try {
      return Json.read(data);
    } catch (IOException e) {
      throw new IllegalStateException("the WebSocket message is not JSON: " + e.getMessage(), e);
    }
  }

  /**
   * When the message's last frame arrived, in microseconds since its WebSocket's opening handshake
   * started (the origin of the handshake's {@link Timings}).
   */
  public long arrivalMicros() {
    return arrivalMicros;
  }

  @Override
  public String toString() {
    String t = text();
    return (text ? "text" : "binary")
        + " message of "
        + data.length
        + " bytes: "
        + (t.length() > 80 ? t.substring(0, 80) + "..." : t);
  }
}
