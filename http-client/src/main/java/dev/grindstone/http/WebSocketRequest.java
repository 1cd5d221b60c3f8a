package dev.grindstone.http;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to open a WebSocket: a {@code ws://} or {@code wss://} URL ({@code http://} and {@code
 * https://} are taken as their WebSocket equivalents), headers for the upgrade request, the
 * subprotocols to offer, and the timeout of each operation on the socket. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * WebSocketRequest chat = WebSocketRequest.newBuilder("ws://127.0.0.1:8080/ws/room?name=lobby")
 *     .header("Authorization", "Bearer " + token)
 *     .subprotocol("chat.v1")
 *     .timeout(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 */
public final class WebSocketRequest {
  private static final Set<String> HANDSHAKE_HEADERS =
      Set.of(
          "upgrade",
          "connection",
          "sec-websocket-key",
          "sec-websocket-version",
          "sec-websocket-extensions",
          "sec-websocket-protocol");

  private final URI uri;
  private final HttpRequest upgrade;
  private final List<String> subprotocols;
  private final Duration timeout;

  private WebSocketRequest(URI uri, HttpRequest upgrade, List<String> subprotocols, Duration t) {
    this.uri = uri;
    this.upgrade = upgrade;
    this.subprotocols = List.copyOf(subprotocols);
    this.timeout = t;
  }

  /**
   * A builder for {@code url}: {@code ws://}, {@code wss://}, {@code http://} or {@code https://}.
   */
  public static Builder newBuilder(String url) {
    return new Builder(url);
  }

  /** The {@code ws} or {@code wss} URI. */
  public URI uri() {
    return uri;
  }

  /**
   * The opening handshake as the HTTP request it is ({@code GET} on the {@code http}/{@code https}
   * form of the URL, with this request's headers): what request decorators and the request listener
   * see.
   */
  public HttpRequest upgradeRequest() {
    return upgrade;
  }

  /** The subprotocols offered, in order of preference; empty for none. */
  public List<String> subprotocols() {
    return subprotocols;
  }

  /**
   * The timeout of the handshake and the default of every later receive, ping and close on the
   * socket; null for the client's request timeout.
   */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public String toString() {
    return "WebSocket " + uri;
  }

  /** Builds a {@link WebSocketRequest}; not thread-safe. */
  public static final class Builder {
    private final String url;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private final List<String> subprotocols = new ArrayList<>();
    private Duration timeout;

    private Builder(String url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    /**
     * Adds a header to the upgrade request. The handshake's own headers ({@code Upgrade}, {@code
     * Connection}, {@code Sec-WebSocket-*}) are set by the client: use {@link #subprotocol} to
     * offer subprotocols.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      if (HANDSHAKE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "header '"
                + name
                + "' is set by the WebSocket handshake itself; offer subprotocols with"
                + " subprotocol(...)");
      }
      headers.add(Map.entry(name, Objects.requireNonNull(value, "header value")));
      return this;
    }

    /** Offers a subprotocol (repeat for several, most preferred first). */
    public Builder subprotocol(String name) {
      Objects.requireNonNull(name, "subprotocol");
      if (name.isEmpty()
          || !name.chars()
              .allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
        throw new IllegalArgumentException(
            "subprotocol must be an HTTP token such as chat.v1, was '" + name + "'");
      }
      subprotocols.add(name);
      return this;
    }

    /** The handshake's timeout and the default of later receives, pings and closes. */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * @throws IllegalArgumentException when the URL is not an absolute ws, wss, http or https URL
     *     with a host, or has a fragment
     */
    public WebSocketRequest build() {
      URI uri = HttpRequest.parse(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String ws =
          switch (scheme) {
            case "ws", "http" -> "ws";
            case "wss", "https" -> "wss";
            default ->
                throw new IllegalArgumentException(
                    "url '" + url + "' must start with ws://, wss://, http:// or https://");
          };
      if (uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "url '" + url + "' has a fragment (#...), which a WebSocket URL must not have");
      }
      String rest = url.substring(url.indexOf(':'));
      HttpRequest.Builder upgrade = HttpRequest.get((ws.equals("ws") ? "http" : "https") + rest);
      headers.forEach(h -> upgrade.header(h.getKey(), h.getValue()));
      HttpRequest request = upgrade.build(); // checks the host and the headers
      return new WebSocketRequest(URI.create(ws + rest), request, subprotocols, timeout);
    }
  }
}
