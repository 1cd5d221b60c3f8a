package dev.grindstone.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Sends bytes over a plain socket, for requests an HTTP client refuses to make (cut-short bodies,
 * broken chunked framing, CONNECT, raw paths). Reads the answer until the server closes.
 */
final class RawHttp {
  private RawHttp() {}

  record Answer(int status, String head, String body) {}

  static Answer send(String baseUrl, String request) {
    return send(baseUrl, request.getBytes(StandardCharsets.ISO_8859_1), false);
  }

  /**
   * Sends {@code request}; with {@code halfClose}, shuts the output down (the body is cut short).
   */
  static Answer send(String baseUrl, byte[] request, boolean halfClose) {
    URI uri = URI.create(baseUrl);
    try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      if (halfClose) {
        s.shutdownOutput();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          if (complete(out.toString(StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // What arrived so far is the answer.
      }
      String all = out.toString(StandardCharsets.UTF_8);
      int split = all.indexOf("\r\n\r\n");
      if (split < 0) {
        throw new AssertionError("no HTTP answer: '" + all + "'");
      }
      String head = all.substring(0, split);
      String status = head.substring(head.indexOf(' ') + 1);
      return new Answer(Integer.parseInt(status.substring(0, 3)), head, all.substring(split + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True once a Content-Length answer has all its body. */
  private static boolean complete(String sofar) {
    int split = sofar.indexOf("\r\n\r\n");
    if (split < 0) {
      return false;
    }
    for (String h : sofar.substring(0, split).split("\r\n")) {
      int colon = h.indexOf(':');
      if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        int length = Integer.parseInt(h.substring(colon + 1).trim());
        return sofar.getBytes(StandardCharsets.ISO_8859_1).length - split - 4 >= length;
      }
    }
    return false;
  }
}
