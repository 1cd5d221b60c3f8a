package dev.grindstone.server.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answers to requests it refuses before any route sees them (an ambiguous {@code ..} or
 * {@code %00} in the path, an overlong URI or header, {@code CONNECT}, broken framing): the
 * documented JSON {@code {"error": ..., "field": null}} instead of Jetty's HTML page, for every
 * method. Jetty's own reason is kept only when it is plain words, never a class name.
 */
public final class JsonErrorHandler extends ErrorHandler {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9 ,;:'()/%._-]{1,200}");

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    String reason = (String) request.getAttribute(ERROR_MESSAGE);
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException e) {
      status = e.getCode();
      response.setStatus(status);
      if (reason == null) {
        reason = e.getReason();
      }
    }
    if (HttpStatus.hasNoBody(status)) {
      callback.succeeded();
      return true;
    }
    String message = HttpStatus.getMessage(status).toLowerCase(java.util.Locale.ROOT);
    if (reason != null
        && PLAIN.matcher(reason).matches()
        && !reason.contains("Exception")
        && !reason.equalsIgnoreCase(message)) {
      message += ": " + reason;
    }
    String body =
        "{\"error\":"
            + quote("the server refused the request (" + message + ")")
            + ",\"field\":null}";
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    return true;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }
}
