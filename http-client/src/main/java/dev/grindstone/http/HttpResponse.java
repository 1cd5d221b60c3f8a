package dev.grindstone.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.http.internal.Exchange;
import dev.grindstone.http.internal.Json;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A complete HTTP response: status, headers, body, and how long each phase of its request took.
 * Immutable once returned (the body is read in full before {@code send} returns); safe to share
 * between threads.
 */
public final class HttpResponse {
  private final HttpRequest request;
  private final Exchange exchange;
  private final int redirects;
  private Timings timings;

  /** A view of a completed exchange, which nothing changes any more. */
  HttpResponse(HttpRequest request, Exchange exchange, int redirects) {
    this.request = request;
    this.exchange = exchange;
    this.redirects = redirects;
  }

  /** The request that produced this response (after redirects: the last hop). */
  public HttpRequest request() {
    return request;
  }

  public java.net.URI uri() {
    return request.uri();
  }

  public int status() {
    return exchange.status();
  }

  /** The first value of a header, names compared case-insensitively, or null. */
  public String header(String name) {
    return exchange.headers().get(name);
  }

  /** Every value of a header, in order; empty when absent. */
  public List<String> headers(String name) {
    return exchange.headers().getAll(name);
  }

  /** Header names in lower case, sorted. */
  public Set<String> headerNames() {
    Set<String> names = new TreeSet<>();
    for (String n : exchange.headers().names()) {
      names.add(n.toLowerCase(Locale.ROOT));
    }
    return names;
  }

  /** A copy of the body. */
  public byte[] body() {
    return exchange.bodyCopy();
  }

  /** The body's length in bytes. */
  public int bodyLength() {
    return exchange.bodyLength();
  }

  /** The body decoded with the charset of {@code Content-Type} (UTF-8 when none or unknown). */
  public String bodyString() {
    return new String(exchange.data(), exchange.bodyOffset(), exchange.bodyLength(), charset());
  }

  /**
   * The body parsed as JSON.
   *
   * @throws IllegalStateException when the body is not JSON, naming the status and the parser's
   *     message
   */
  public JsonNode json() {
    try {
      return Json.read(exchange.data(), exchange.bodyOffset(), exchange.bodyLength());
    } catch (IOException e) {
      throw new IllegalStateException(
          "response " + status() + " from " + request + " is not JSON: " + e.getMessage(), e);
    }
  }

  /** The body mapped by Jackson onto {@code type}. */
  public <T> T json(Class<T> type) {
    try {
      return Json.MAPPER.readValue(
          exchange.data(), exchange.bodyOffset(), exchange.bodyLength(), type);
    } catch (IOException e) {
      throw new IllegalStateException(
          "response "
              + status()
              + " from "
              + request
              + " does not map onto "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The timing breakdown (made on the first call: most callers never ask). */
  public Timings timings() {
    Timings t = timings;
    if (t == null) {
      timings = t = exchange.timings();
    }
    return t;
  }

  /** Whether the final request opened a new connection. */
  public boolean newConnection() {
    return exchange.isNewConnection();
  }

  /** How many redirects were followed to reach this response. */
  public int redirects() {
    return redirects;
  }

  private Charset charset() {
    String type = exchange.headers().get("Content-Type");
    if (type != null) {
      int i = type.toLowerCase(Locale.ROOT).indexOf("charset=");
      if (i >= 0) {
        String name = type.substring(i + 8).trim();
        int end = name.indexOf(';');
        if (end >= 0) {
          name = name.substring(0, end).trim();
        }
        name = name.replace("\"", "");
        try {
          return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  @Override
  public String toString() {
    return status()
        + " "
        + request
        + " ("
        + bodyLength()
        + " bytes, "
        + timings().totalMicros()
        + " us)";
  }
}
