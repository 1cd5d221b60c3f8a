package dev.grindstone.http.internal;

import dev.grindstone.http.FailureKind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Arrays;

/**
 * Reads HTTP/1.1 responses (RFC 9112) off a connection's bytes into its current {@link Exchange}:
 * the status, the framing (content length, chunked, or until the connection closes), whether the
 * connection stays open, whether cookies are set, and the body. The header lines are kept as bytes
 * ({@link HeaderBlock}), shared with the previous response when they are the same, and decoded only
 * when a caller asks for a header.
 *
 * <p>IMPLEMENTATION NOTES: Netty's {@code HttpResponseDecoder} builds a header map of {@code
 * String}s and {@code AsciiString}s, a response object and a content object per response, about
 * three quarters of what a request allocated. Here the head is copied once into a scratch array
 * reused by the connection and scanned for the four fields the client needs; its header lines are
 * copied out as one byte array, or not at all when they equal the previous response's; the body is
 * copied once, into an array of the announced length. Runs on the connection's event loop only.
 */
final class ResponseParser extends ChannelInboundHandlerAdapter {
  /** Longest response head (status line and header lines) accepted. */
  static final int MAX_HEAD = 20 * 1024;

  private static final int HEAD = 0;
  private static final int LENGTH = 1;
  private static final int CHUNK_SIZE = 2;
  private static final int CHUNK_DATA = 3;
  private static final int CHUNK_END = 4;
  private static final int TRAILERS = 5;
  private static final int UNTIL_CLOSE = 6;

  private final Connection conn;
  private byte[] scratch = new byte[256];
  private int length;
  private int lineStart;
  private int state = HEAD;
  private long remaining;

  ResponseParser(Connection conn) {
    this.conn = conn;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      while (buf.isReadable()) {
        Exchange ex = conn.current;
        if (ex == null) {
          // Bytes nobody asked for: the connection's framing can no longer be trusted.
          ctx.close();
          return;
        }
        if (!step(ex, buf)) {
          return;
        }
        if (buf.isReadable() && !ex.isPending()) {
          // Bytes after a complete response, before any request: the same as above. (The
          // exchange's ending may already have put its connection back and sent the next request,
          // whose response these bytes must not become.)
          ctx.close();
          return;
        }
      }
    } finally {
      buf.release();
    }
  }

  /** Consumes what it can of {@code buf}; false when the exchange failed. */
  private boolean step(Exchange ex, ByteBuf buf) {
    switch (state) {
      case HEAD -> {
        while (buf.isReadable()) {
          boolean complete = readLine(buf);
          if (length > MAX_HEAD) {
            return fail(ex, "the response head is larger than " + MAX_HEAD + " bytes");
          }
          if (!complete) {
            return true;
          }
          if (isEmptyLine()) {
            return head(ex);
          }
          lineStart = length;
        }
      }
      case LENGTH, CHUNK_DATA -> {
        int n = (int) Math.min(remaining, buf.readableBytes());
        if (!ex.appendFrom(buf, n)) {
          return tooLarge(ex);
        }
        remaining -= n;
        if (remaining == 0) {
          if (state == LENGTH) {
            finish(ex);
          } else {
            state = CHUNK_END;
          }
        }
      }
      case CHUNK_SIZE -> {
        if (readLine(buf)) {
          long size = chunkSize();
          length = 0;
          if (size < 0) {
            return fail(ex, "invalid chunk size line");
          }
          remaining = size;
          state = size == 0 ? TRAILERS : CHUNK_DATA;
        } else if (length > 1024) {
          return fail(ex, "chunk size line too long");
        }
      }
      case CHUNK_END -> {
        if (readLine(buf)) {
          boolean empty = isEmptyLine();
          length = 0;
          if (!empty) {
            return fail(ex, "chunk data longer than its size");
          }
          state = CHUNK_SIZE;
        }
      }
      case TRAILERS -> {
        if (readLine(buf)) {
          boolean empty = isEmptyLine();
          length = 0; // trailer fields are read past
          if (empty) {
            finish(ex);
          }
        } else if (length > MAX_HEAD) {
          return fail(ex, "the trailer section is larger than " + MAX_HEAD);
        }
      }
      default -> { // UNTIL_CLOSE
        if (!ex.appendFrom(buf, buf.readableBytes())) {
          return tooLarge(ex);
        }
      }
    }
    return true;
  }

  /**
   * Copies bytes up to and including the next LF into the scratch array; true when a line is
   * complete (it then runs from {@code lineStart} to {@code length}).
   */
  private boolean readLine(ByteBuf buf) {
    int lf = buf.bytesBefore((byte) '\n');
    int n = lf < 0 ? buf.readableBytes() : lf + 1;
    if (length + n > scratch.length) {
      if (length + n > MAX_HEAD + 1024) {
        n = Math.max(0, MAX_HEAD + 1024 - length); // the caller fails on the length
        lf = -1;
      }
      scratch = Arrays.copyOf(scratch, Math.max(length + n, scratch.length * 2));
    }
    buf.readBytes(scratch, length, n);
    length += n;
    return lf >= 0;
  }

  private boolean isEmptyLine() {
    int n = length - lineStart;
    return n == 1 || (n == 2 && scratch[lineStart] == '\r');
  }

  /** Parses the head in {@code scratch[0, lineStart)}; false when the exchange failed. */
  private boolean head(Exchange ex) {
    byte[] b = scratch;
    int end = lineStart;
    int eol = indexOf(b, 0, end, (byte) '\n');
    // "HTTP/1.1 200 OK": the version, a space, three digits, then a space or the end of the line.
    if (eol < 12
        || b[0] != 'H'
        || b[1] != 'T'
        || b[2] != 'T'
        || b[3] != 'P'
        || b[4] != '/'
        || b[5] != '1'
        || b[6] != '.'
        || b[8] != ' '
        || !digit(b[9])
        || !digit(b[10])
        || !digit(b[11])
        || (b[12] != ' ' && b[12] != '\r' && b[12] != '\n')) {
      int show = Math.min(eol < 0 ? end : eol, 60);
      return fail(
          ex,
          "invalid status line '"
              + new String(b, 0, Math.max(0, show), java.nio.charset.StandardCharsets.ISO_8859_1)
                  .strip()
              + "'");
    }
    int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
    boolean keepAlive = b[7] == '1';
    boolean chunked = false;
    boolean setCookie = false;
    long contentLength = -1;
    int i = eol + 1;
    while (i < end) {
      int lf = indexOf(b, i, end, (byte) '\n');
      int lineEnd = lf > i && b[lf - 1] == '\r' ? lf - 1 : lf;
      int colon = indexOf(b, i, lineEnd, (byte) ':');
      if (colon > i && b[i] != ' ' && b[i] != '\t') {
        int nameLength = colon - i;
        if (nameLength == 14 && named(b, i, "content-length")) {
          long v = number(b, colon + 1, lineEnd);
          if (v < 0 || (contentLength >= 0 && v != contentLength)) {
            return fail(ex, "invalid or conflicting Content-Length");
          }
          contentLength = v;
        } else if (nameLength == 17 && named(b, i, "transfer-encoding")) {
          chunked = endsWithChunked(b, colon + 1, lineEnd);
        } else if (nameLength == 10 && named(b, i, "connection")) {
          if (hasToken(b, colon + 1, lineEnd, "close")) {
            keepAlive = false;
          } else if (hasToken(b, colon + 1, lineEnd, "keep-alive")) {
            keepAlive = true;
          }
        } else if (nameLength == 10 && named(b, i, "set-cookie")) {
          setCookie = true;
        }
      }
      i = lf + 1;
    }
    if (status >= 100 && status < 200 && status != 101) {
      length = 0; // an interim response; the final one follows
      lineStart = 0;
      return true;
    }
    ex.status = status;
    ex.setCookie = setCookie;
    boolean noBody = ex.headRequest || status == 204 || status == 304 || status == 101;
    if (!noBody && !chunked && contentLength > ex.maxBodyBytes) {
      return tooLarge(ex);
    }
    HeaderBlock lines = conn.lastHead;
    if (lines == null || !lines.sameAs(b, eol + 1, end)) {
      conn.lastHead = lines = new HeaderBlock(Arrays.copyOfRange(b, eol + 1, end));
    }
    ex.head(lines, noBody || chunked ? 0 : contentLength);
    length = 0;
    lineStart = 0;
    if (noBody) {
      ex.keepAlive = keepAlive && status != 101;
      finish(ex);
    } else if (chunked) {
      ex.keepAlive = keepAlive;
      state = CHUNK_SIZE;
    } else if (contentLength >= 0) {
      ex.keepAlive = keepAlive;
      remaining = contentLength;
      state = LENGTH;
      if (contentLength == 0) {
        finish(ex);
      }
    } else {
      ex.keepAlive = false; // the body ends when the connection closes
      state = UNTIL_CLOSE;
    }
    return true;
  }

  private void finish(Exchange ex) {
    state = HEAD;
    length = 0;
    lineStart = 0;
    conn.current = null;
    ex.complete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange ex = conn.current;
    if (ex != null) {
      if (state == UNTIL_CLOSE) {
        finish(ex);
      } else {
        conn.current = null;
        String where =
            ex.status == 0 ? "before the response" : "in the middle of the response body";
        ex.fail(
            FailureKind.RESET,
            "connection to " + conn.pool.key.authority() + " closed by the target " + where,
            null);
      }
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Exchange ex = conn.current;
    if (ex != null) {
      FailureKind kind = Failures.kindOf(cause);
      String authority = conn.pool.key.authority();
      String what =
          switch (kind) {
            case RESET -> "connection to " + authority + " reset: ";
            case TLS -> "TLS failure with " + authority + ": ";
            case PROTOCOL -> "invalid HTTP response from " + authority + ": ";
            default -> "I/O failure with " + authority + ": ";
          };
      conn.failCurrent(ex, kind, what + Failures.describe(cause), cause);
    } else {
      ctx.close();
    }
  }

  private boolean fail(Exchange ex, String what) {
    conn.failCurrent(
        ex,
        FailureKind.PROTOCOL,
        "invalid HTTP response from " + conn.pool.key.authority() + ": " + what,
        null);
    return false;
  }

  private boolean tooLarge(Exchange ex) {
    conn.failCurrent(
        ex,
        FailureKind.PROTOCOL,
        "response body from "
            + conn.pool.key.authority()
            + " is larger than the limit of "
            + ex.maxBodyBytes
            + " bytes",
        null);
    return false;
  }

  /** The chunk size at the start of the line in scratch (extensions after ';' ignored), or -1. */
  private long chunkSize() {
    long size = 0;
    int digits = 0;
    for (int i = 0; i < length; i++) {
      byte c = scratch[i];
      int v =
          c >= '0' && c <= '9'
              ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (v < 0) {
        if (c == ';' || c == '\r' || c == '\n' || c == ' ' || c == '\t') {
          break;
        }
        return -1;
      }
      if (++digits > 15) {
        return -1;
      }
      size = size * 16 + v;
    }
    return digits == 0 ? -1 : size;
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return to;
  }

  /** Whether {@code b[at...]} is {@code lowerName}, ignoring ASCII case. */
  private static boolean named(byte[] b, int at, String lowerName) {
    for (int k = 0; k < lowerName.length(); k++) {
      int c = b[at + k];
      if ((c | 0x20) != lowerName.charAt(k) && c != lowerName.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** The whole number in {@code b[from, to)} between optional whitespace, or -1. */
  private static long number(byte[] b, int from, int to) {
    while (from < to && (b[from] == ' ' || b[from] == '\t')) {
      from++;
    }
    while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
      to--;
    }
    if (from == to || to - from > 18) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      if (!digit(b[i])) {
        return -1;
      }
      v = v * 10 + (b[i] - '0');
    }
    return v;
  }

  /** Whether the comma-separated list in {@code b[from, to)} has {@code token} (any case). */
  private static boolean hasToken(byte[] b, int from, int to, String token) {
    int i = from;
    while (i < to) {
      while (i < to && (b[i] == ' ' || b[i] == '\t' || b[i] == ',')) {
        i++;
      }
      int start = i;
      while (i < to && b[i] != ',') {
        i++;
      }
      int end = i;
      while (end > start && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
        end--;
      }
      if (end - start == token.length() && named(b, start, token)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the last transfer coding in {@code b[from, to)} is {@code chunked}. */
  private static boolean endsWithChunked(byte[] b, int from, int to) {
    while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
      to--;
    }
    return to - from >= 7
        && named(b, to - 7, "chunked")
        && (to - from == 7 || isSeparator(b[to - 8]));
  }

  private static boolean isSeparator(byte c) {
    return c == ',' || c == ' ' || c == '\t';
  }
}
