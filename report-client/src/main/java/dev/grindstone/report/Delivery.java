package dev.grindstone.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Sends {@link RunRequest}s to one server and says what became of each. Thread-safe. */
final class Delivery {

  /** The server could not be reached (or the sending thread was interrupted). */
  static final int UNREACHABLE = -1;

  private final String base;
  private final String token;
  private final Duration requestTimeout;
  private final HttpClient http;

  /** @param server the base URL; a {@code /t/<token>} prefix is kept */
  Delivery(URI server, String token, Duration connectTimeout, Duration requestTimeout) {
    this.base = server.toString().replaceAll("/+$", "");
    this.token = token;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
  }

  /** The HTTP status, or {@link #UNREACHABLE}. */
  int send(RunRequest request) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + request.path()))
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(request.body()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return UNREACHABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNREACHABLE;
    }
  }

  /** True when the request succeeded. */
  static boolean delivered(int status) {
    return status >= 200 && status < 300;
  }

  /**
   * True when the server refused the request itself for good (a 4xx other than 401, 403, 408 and
   * 429): sending it again cannot help, so it is dropped and reported. A missing or wrong token
   * (401, 403) is not the request's fault: it is kept, to be sent again with the right one.
   */
  static boolean rejected(int status) {
    return status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 && status != 429;
  }
}
