package dev.grindstone.http.internal;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * A response's header lines as they came off the wire, decoded into a header map only when a caller
 * asks for a header: names compare case-insensitively, values are decoded as ISO-8859-1 as the HTTP
 * grammar has it, and obsolete line folding is joined with one space (RFC 9112, 5.2).
 *
 * <p>Immutable (the map is never handed out, only read), so a connection gives the same block to
 * consecutive responses whose header lines are byte for byte the same, as most responses of a load
 * test are: one copy per change (nginx's {@code Date} changes once a second) instead of one per
 * response. Thread-safe: the map is built at most once per thread and published through a volatile
 * field.
 */
final class HeaderBlock {
  static final HeaderBlock EMPTY = new HeaderBlock(new byte[0]);

  private final byte[] lines;
  private volatile HttpHeaders decoded;

  HeaderBlock(byte[] lines) {
    this.lines = lines;
  }

  /** A block of headers that are already decoded (a WebSocket handshake's, read by Netty). */
  HeaderBlock(HttpHeaders decoded) {
    this.lines = EMPTY.lines;
    this.decoded = decoded;
  }

  /** Whether {@code b[from, to)} holds exactly these header lines. */
  boolean sameAs(byte[] b, int from, int to) {
    return java.util.Arrays.equals(lines, 0, lines.length, b, from, to);
  }

  /** The header map; decoded on the first call. */
  HttpHeaders headers() {
    HttpHeaders h = decoded;
    if (h == null) {
      decoded = h = parse(lines, 0, lines.length);
    }
    return h;
  }

  /** The header lines of {@code b[from, to)}, each ending in CRLF or LF. */
  private static HttpHeaders parse(byte[] b, int from, int to) {
    HttpHeaders h = new DefaultHttpHeaders(false);
    String name = null;
    StringBuilder value = null;
    int i = from;
    while (i < to) {
      int end = i;
      while (end < to && b[end] != '\n') {
        end++;
      }
      int lineEnd = end > i && b[end - 1] == '\r' ? end - 1 : end;
      if (lineEnd > i && (b[i] == ' ' || b[i] == '\t') && name != null) {
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
}
