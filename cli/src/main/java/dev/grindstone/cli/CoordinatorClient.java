package dev.grindstone.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The coordinator's routes on a metrics server, for agents and controllers: JSON in and out, the
 * token as {@code Authorization: Bearer}. Thread-safe.
 */
final class CoordinatorClient {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The server answered with an error: its status and its JSON error's message. */
  static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  CoordinatorClient(URI server, String token) {
    String s = server.toString();
    this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    this.token = token;
  }

  String base() {
    return base;
  }

  JsonNode get(String path) throws IOException {
    return json(send(request(path).GET(), path));
  }

  JsonNode post(String path, String json) throws IOException {
    return json(
        send(
            request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)),
            path));
  }

  JsonNode post(String path, byte[] body, String contentType) throws IOException {
    return json(
        send(
            request(path)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
            path));
  }

  byte[] postForBytes(String path) throws IOException {
    return send(request(path).POST(HttpRequest.BodyPublishers.noBody()), path);
  }

  byte[] getBytes(String path) throws IOException {
    return send(request(path).GET(), path);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /**
   * Sends, trying again twice when the exchange fails (a keep-alive connection the server had
   * closed, say): every route of the coordinator can take a request twice.
   */
  private byte[] send(HttpRequest.Builder b, String path) throws IOException {
    HttpRequest request = b.build();
    HttpResponse<byte[]> r = null;
    for (int attempt = 1; r == null; attempt++) {
      try {
        r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } catch (IOException e) {
        if (attempt == 3) {
          throw e;
        }
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    if (r.statusCode() >= 400) {
      String message;
      try {
        message = JSON.readTree(r.body()).path("error").asText(new String(r.body()));
      } catch (IOException notJson) {
        message = new String(r.body());
      }
      throw new Refused(
          r.statusCode(),
          "the server " + base + " answered " + r.statusCode() + " to " + path + ": " + message);
    }
    return r.body();
  }

  private static JsonNode json(byte[] body) throws IOException {
    return body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
  }
}
