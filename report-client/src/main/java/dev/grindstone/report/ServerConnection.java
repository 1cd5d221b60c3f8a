package dev.grindstone.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * One metrics server as its clients reach it: the base URL (a {@code /t/<token>} path prefix is
 * kept), the write token sent as {@code Authorization: Bearer <token>}, and the JDK's HTTP client
 * (HTTP/1.1) with a connect and a request timeout. Requests never throw for a server fault: a
 * server that cannot be reached is a {@link Response} too. Thread-safe.
 */
public final class ServerConnection {

  private final URI server;
  private final String base;
  private final String token;
  private final Duration requestTimeout;
  private final HttpClient http;

  private ServerConnection(Builder b) {
    this.server = b.server;
    this.base = b.server.toString().replaceAll("/+$", "");
    this.token = b.token;
    this.requestTimeout = b.requestTimeout;
    this.http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .build();
  }

  /**
   * @param server the base URL, e.g. {@code http://127.0.0.1:8080} or {@code
   *     http://host:8080/t/<token>/api/v1}; {@link Builder#build} checks it
   */
  public static Builder builder(URI server) {
    return new Builder(server);
  }

  /**
   * Returns {@code server} when it is an http(s) URL with a host.
   *
   * @throws IllegalArgumentException naming the URL and the form it must have
   */
  public static URI requireHttp(URI server) {
    String scheme = server.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || server.getHost() == null) {
      throw new IllegalArgumentException(
          "server: must be an http(s) URL like http://127.0.0.1:8080, got '" + server + "'");
    }
    return server;
  }

  /** The base URL as given. */
  public URI server() {
    return server;
  }

  /** {@code GET <base><path>}. */
  public Response get(String path) throws InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** {@code POST <base><path>} with a JSON body. */
  public Response post(String path, String json) throws InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
  }

  private Response send(HttpRequest.Builder request) throws InterruptedException {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r =
          http.send(request.timeout(requestTimeout).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), null);
    } catch (IOException e) {
      String type = e.getClass().getSimpleName();
      return new Response(
          Response.UNREACHABLE, "", e.getMessage() == null ? type : type + ": " + e.getMessage());
    }
  }

  /**
   * A server's answer.
   *
   * @param status the HTTP status, or {@link #UNREACHABLE} when no answer came (connection refused
   *     or reset, a timeout)
   * @param body the answer's body ({@code ""} when there is none)
   * @param failure why no answer came, e.g. {@code ConnectException: Connection refused}, or null
   */
  public record Response(int status, String body, String failure) {
    /** The status of a request that got no answer. */
    public static final int UNREACHABLE = -1;

    /** A 2xx answer. */
    public boolean delivered() {
      return status >= 200 && status < 300;
    }

    /**
     * True when the server refused the request itself for good (a 4xx other than 401, 403, 408 and
     * 429): sending it again cannot help. A missing or wrong token (401, 403) is not the request's
     * fault: it may be sent again with the right one.
     */
    public boolean refused() {
      return status >= 400
          && status < 500
          && status != 401
          && status != 403
          && status != 408
          && status != 429;
    }

    /** What became of the request as the delivery policy sees it. */
    public Outbox.Outcome outcome() {
      if (delivered()) {
        return Outbox.Outcome.delivered();
      }
      return refused() ? Outbox.Outcome.refused(describe()) : Outbox.Outcome.retry(describe());
    }

    /** {@code HTTP 400 <the start of the body>}, or the failure. */
    public String describe() {
      if (failure != null) {
        return failure;
      }
      String b = body == null ? "" : body.strip();
      return "HTTP "
          + status
          + (b.isEmpty() ? "" : " " + (b.length() > 200 ? b.substring(0, 200) + "…" : b));
    }
  }

  /** Options of a {@link ServerConnection}; checked by {@link #build}. Not thread-safe. */
  public static final class Builder {
    private final URI server;
    private String token;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private HttpClient http;

    private Builder(URI server) {
      this.server = Objects.requireNonNull(server, "server");
    }

    /** Sent as {@code Authorization: Bearer <token>}; null for none. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /**
     * How long a connection may take to open, and a whole request to be answered (defaults 2 s and
     * 10 s).
     */
    public Builder timeouts(Duration connect, Duration request) {
      this.connectTimeout = positive("connect timeout", connect);
      this.requestTimeout = positive("request timeout", request);
      return this;
    }

    /** A client of the caller's own (its connect timeout then applies). */
    public Builder httpClient(HttpClient client) {
      this.http = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * @throws IllegalArgumentException when the server is not an http(s) URL with a host
     */
    public ServerConnection build() {
      requireHttp(server);
      return new ServerConnection(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": must be more than 0, got " + d);
      }
      return d;
    }
  }
}
