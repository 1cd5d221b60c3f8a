package dev.grindstone.http.internal;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * A response's header fields, kept as the bytes that came off the wire until someone asks for one:
 * most load-test requests only need the status, the length and the framing, which the parser reads
 * as it goes, so the header map is built (once) only for callers that look. Header names compare
 * case-insensitively; values are decoded as ISO-8859-1, as the HTTP grammar has it. Thread-safe
 * (the map is built at most once per caller thread and published safely through a volatile field).
 */
public final class RawHeaders {
  private static final RawHeaders EMPTY = new RawHeaders(new byte[0]);

  private final byte[] block;
  private volatile HttpHeaders decoded;

  /**
   * @param block the header lines (without the status line), each ending in CRLF or LF, without the
   *     final empty line
   */
  RawHeaders(byte[] block) {
    this.block = block;
  }

  private RawHeaders(HttpHeaders decoded) {
    this.block = null;
    this.decoded = decoded;
  }

  /** Headers already decoded by Netty (the WebSocket handshake's). */
  public static RawHeaders of(HttpHeaders headers) {
    return new RawHeaders(headers);
  }

  /** No header at all. */
  public static RawHeaders empty() {
    return EMPTY;
  }

  /** The first value of {@code name}, or null. */
  public String get(String name) {
    return map().get(name);
  }

  /** Every value of {@code name}, in order; empty when absent. */
  public List<String> getAll(String name) {
    return map().getAll(name);
  }

  /** The names, as sent. */
  public Set<String> names() {
    return map().names();
  }

  private HttpHeaders map() {
    HttpHeaders h = decoded;
    if (h == null) {
      decoded = h = parse(block);
    }
    return h;
  }

  private static HttpHeaders parse(byte[] b) {
    HttpHeaders h = new DefaultHttpHeaders(false);
    String name = null;
    StringBuilder value = null;
    int i = 0;
    while (i < b.length) {
      int end = i;
      while (end < b.length && b[end] != '\n') {
        end++;
      }
      int lineEnd = end > i && b[end - 1] == '\r' ? end - 1 : end;
      if (lineEnd > i && (b[i] == ' ' || b[i] == '\t') && name != null) {
        // obs-fold: a continuation of the previous value, joined with one space (RFC 9112, 5.2)
        value.append(' ').append(trimmed(b, i, lineEnd));
      } else {
        if (name != null) {
          h.add(name, value.toString());
        }
        name = null;
        int colon = i;
        while (colon < lineEnd && b[colon] != ':') {
          colon++;
        }
        if (colon < lineEnd && colon > i) {
          name = trimmed(b, i, colon);
          value = new StringBuilder(trimmed(b, colon + 1, lineEnd));
        }
      }
      i = end + 1;
    }
    if (name != null) {
      h.add(name, value.toString());
    }
    return h;
  }

  private static String trimmed(byte[] b, int from, int to) {
    while (from < to && (b[from] == ' ' || b[from] == '\t')) {
      from++;
    }
    while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
      to--;
    }
    return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return map().toString();
  }
}
