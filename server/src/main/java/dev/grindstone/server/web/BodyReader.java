package dev.grindstone.server.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request's body within the server's size limit: 413 beyond it, 400 when the body cannot be
 * read at all (cut short, broken chunked framing). Javalin's own limit is off, since it would
 * answer in plain text. Thread-safe.
 */
public final class BodyReader {
  /**
   * How much of an oversized body is read and discarded, so that a client still sending gets the
   * 413 instead of a reset connection; beyond it the connection is simply closed.
   */
  private static final long DRAIN_BUDGET = 8L << 20;

  private final int limit;

  /**
   * @param limit the largest body accepted, in bytes
   */
  public BodyReader(int limit) {
    this.limit = limit;
  }

  /** The body's bytes. */
  public byte[] read(Context ctx) {
    long declared = ctx.contentLength();
    try (InputStream in = ctx.bodyInputStream()) {
      if (declared > limit) {
        drain(in);
        throw new ApiError(
            413, "the body is " + declared + " bytes; the limit is " + limit + " bytes", null);
      }
      if (declared >= 0) {
        // Its length known: read into one array of that size, not in chunks copied together.
        byte[] bytes = new byte[(int) declared];
        if (in.readNBytes(bytes, 0, bytes.length) < bytes.length || in.read() != -1) {
          throw new IOException("the body is not as long as its Content-Length");
        }
        return bytes;
      }
      byte[] bytes = in.readNBytes(limit + 1);
      if (bytes.length > limit) {
        drain(in);
        throw new ApiError(413, "the body is larger than the limit of " + limit + " bytes", null);
      }
      return bytes;
    } catch (IOException | UncheckedIOException e) {
      // The client went away mid-body or broke the chunked framing: its fault, not ours.
      throw ApiError.badBody(
          "the body could not be read (cut short, or broken chunked framing); nothing was stored");
    }
  }

  private static void drain(InputStream in) throws IOException {
    long budget = DRAIN_BUDGET;
    byte[] buf = new byte[64 * 1024];
    int n;
    while (budget > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, budget))) > 0) {
      budget -= n;
    }
  }
}
