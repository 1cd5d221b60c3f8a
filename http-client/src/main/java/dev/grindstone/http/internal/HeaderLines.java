package dev.grindstone.http.internal;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a response's header lines, kept as the bytes that came off the wire (see {@link
 * Exchange#headers()}), into a header map: names compare case-insensitively, values are decoded as
 * ISO-8859-1 as the HTTP grammar has it, and obsolete line folding is joined with one space (RFC
 * 9112, 5.2). Stateless.
 */
final class HeaderLines {
  private HeaderLines() {}

  /** The header lines of {@code b[from, to)}, each ending in CRLF or LF. */
  static HttpHeaders parse(byte[] b, int from, int to) {
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
