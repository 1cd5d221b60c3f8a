package dev.grindstone.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The coordinator's routes on a metrics server, for agents and controllers: JSON in and out, the
 * token as {@code Authorization: Bearer}.
 *
 * <p>A {@linkplain #patient patient} client rides out a server that is down (restarted, say): it
 * tries again with backoff (250 ms doubling to 5 s) while the server cannot be reached or answers
 * 502, 503 or 504, for up to its limit from the first failure of the outage, and says when the
 * outage began and when it ended. Every route of the coordinator can take a request twice, so
 * trying again is safe. Thread-safe.
 */
final class CoordinatorClient {
  static final ObjectMapper JSON = new ObjectMapper();

  /** How long agents and controllers ride out an unreachable server: 5 minutes. */
  static final Duration OUTAGE_LIMIT = Duration.ofMinutes(5);

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

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
  private final Duration patience;
  private final Consumer<String> say;
  private final Object outageLock = new Object();
  private long outageStartNanos; // guarded by outageLock; meaningful while outageSince != null
  private Instant outageSince; // guarded by outageLock; null while the server answers

  CoordinatorClient(URI server, String token) {
    this(server, token, Duration.ZERO, message -> {});
  }

  private CoordinatorClient(URI server, String token, Duration patience, Consumer<String> say) {
    String s = server.toString();
    this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    this.token = token;
    this.patience = patience;
    this.say = say;
  }

  /**
   * A client of the same server that rides out an outage of up to {@code limit}, telling {@code
   * say} when it begins and ends.
   */
  CoordinatorClient patient(Duration limit, Consumer<String> say) {
    return new CoordinatorClient(URI.create(base), token, limit, say);
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
   * closed, say), and a patient client for as long as its outage limit allows: every route of the
   * coordinator can take a request twice.
   */
  private byte[] send(HttpRequest.Builder b, String path) throws IOException {
    HttpRequest request = b.build();
    HttpResponse<byte[]> r = null;
    for (int attempt = 1; r == null; attempt++) {
      String failure;
      IOException error = null;
      try {
        r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        int status = r.statusCode();
        if ((status != 502 && status != 503 && status != 504) || patience.isZero()) {
          answered();
          break;
        }
        failure = "HTTP " + status;
        r = null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } catch (IOException e) {
        error = e;
        failure =
            e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
      // Two quick tries first (a closed keep-alive connection), then the outage is said.
      if (attempt >= 3 && (patience.isZero() || !unreachable(failure))) {
        if (error != null) {
          throw error;
        }
        throw new IOException("the server " + base + " answered " + failure + " to " + path);
      }
      try {
        Thread.sleep(
            attempt < 3 ? 200L * attempt : Math.min(5_000, 250L << Math.min(5, attempt - 3)));
      } catch (InterruptedException stop) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while the server " + base + " was unreachable", stop);
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

  /**
   * Notes a failed exchange of a patient client: the first of an outage is said. False once the
   * outage has lasted longer than the limit (then it is said too).
   */
  private boolean unreachable(String failure) {
    synchronized (outageLock) {
      long now = System.nanoTime();
      if (outageSince == null) {
        outageSince = Instant.now();
        outageStartNanos = now;
        say.accept(
            "The metrics server "
                + base
                + " is unreachable since "
                + TIME.format(outageSince)
                + " UTC ("
                + failure
                + "); trying again for up to "
                + limit());
        return true;
      }
      if (now - outageStartNanos <= patience.toNanos()) {
        return true;
      }
      say.accept(
          "The metrics server "
              + base
              + " has been unreachable since "
              + TIME.format(outageSince)
              + " UTC, beyond the limit of "
              + limit()
              + " ("
              + failure
              + ")");
      return false;
    }
  }

  private String limit() {
    long s = patience.toSeconds();
    return s % 60 == 0 ? s / 60 + " min" : s + " s";
  }

  /** Notes an answer: an outage in progress ended, and is said so. */
  private void answered() {
    if (patience.isZero()) {
      return;
    }
    synchronized (outageLock) {
      if (outageSince != null) {
        say.accept(
            String.format(
                Locale.ROOT,
                "The metrics server %s answers again (unreachable for %.1f s since %s UTC)",
                base,
                (System.nanoTime() - outageStartNanos) / 1e9,
                TIME.format(outageSince)));
        outageSince = null;
      }
    }
  }

  private static JsonNode json(byte[] body) throws IOException {
    return body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
  }
}
