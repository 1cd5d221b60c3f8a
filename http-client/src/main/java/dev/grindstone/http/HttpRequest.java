package dev.grindstone.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request: method, absolute {@code http}/{@code https} URI, headers, body, and optional
 * per-request timeout and redirect policy (the client's defaults apply when they are not set).
 * Immutable and thread-safe; build it once and send it many times.
 *
 * <pre>{@code
 * HttpRequest request = HttpRequest.post("http://127.0.0.1:8080/shop/cart")
 *     .header("Accept", "application/json")
 *     .json(Map.of("productId", 1, "quantity", 2))
 *     .timeout(Duration.ofSeconds(2))
 *     .build();
 * }</pre>
 */
public final class HttpRequest {
  private final String method;
  private final URI uri;
  private final List<Map.Entry<String, String>> headers;
  private final Body body;
  private final Duration timeout;
  private final RedirectPolicy redirects;
  // Derived once so that sending does no parsing.
  private final boolean tls;
  private final String host;
  private final int port;
  private final String target;
  private final String hostHeader;
  private volatile Object[] wireHead;

  private HttpRequest(Builder b, URI uri) {
    this.method = b.method;
    this.uri = uri;
    this.headers = Collections.unmodifiableList(new ArrayList<>(b.headers));
    this.body = b.body;
    this.timeout = b.timeout;
    this.redirects = b.redirects;
    this.tls = "https".equalsIgnoreCase(uri.getScheme());
    String h = uri.getHost();
    this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    int p = uri.getPort();
    this.port = p == -1 ? (tls ? 443 : 80) : p;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    this.target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    this.hostHeader = p == -1 ? h : h + ":" + p;
  }

  public static Builder get(String url) {
    return newBuilder("GET", url);
  }

  public static Builder head(String url) {
    return newBuilder("HEAD", url);
  }

  public static Builder delete(String url) {
    return newBuilder("DELETE", url);
  }

  public static Builder options(String url) {
    return newBuilder("OPTIONS", url);
  }

  public static Builder post(String url) {
    return newBuilder("POST", url);
  }

  public static Builder put(String url) {
    return newBuilder("PUT", url);
  }

  public static Builder patch(String url) {
    return newBuilder("PATCH", url);
  }

  /**
   * A builder for any method (an HTTP token such as {@code GET} or {@code PROPFIND}) and an
   * absolute {@code http} or {@code https} URL.
   */
  public static Builder newBuilder(String method, String url) {
    return new Builder(method, url);
  }

  /** A builder that starts as a copy of this request. */
  public Builder toBuilder() {
    Builder b = new Builder(method, uri.toString());
    b.headers.addAll(headers);
    b.body = body;
    b.timeout = timeout;
    b.redirects = redirects;
    return b;
  }

  public String method() {
    return method;
  }

  public URI uri() {
    return uri;
  }

  /** Headers in the order they were added; names as given. */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** The first value of a header (names compare case-insensitively), or null. */
  public String header(String name) {
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  public Body body() {
    return body;
  }

  /** The per-request timeout, or null for the client's default. */
  public Duration timeout() {
    return timeout;
  }

  /** The per-request redirect policy, or null for the client's default. */
  public RedirectPolicy redirects() {
    return redirects;
  }

  public boolean isHttps() {
    return tls;
  }

  /** The host without IPv6 brackets. */
  public String host() {
    return host;
  }

  /** The port, the scheme's default when the URL has none. */
  public int port() {
    return port;
  }

  /** The request target: raw path and query. */
  public String target() {
    return target;
  }

  /** The {@code Host} header value. */
  public String hostHeader() {
    return hostHeader;
  }

  @Override
  public String toString() {
    return method + " " + uri;
  }

  /**
   * The request head as it goes on the wire, encoded once per user agent and then shared. Not API.
   *
   * @return {request line and headers without the blank line, the same with it, the caller's own
   *     Cookie header value or null}
   */
  Object[] wireHead(String userAgent) {
    Object[] cached = wireHead;
    if (cached != null && cached[0] == userAgent) {
      return cached;
    }
    StringBuilder sb = new StringBuilder(128);
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(hostHeader).append("\r\n");
    boolean agent = false;
    boolean type = false;
    String cookie = null;
    for (Map.Entry<String, String> e : headers) {
      String n = e.getKey();
      if (n.equalsIgnoreCase("Cookie")) {
        cookie = cookie == null ? e.getValue() : cookie + "; " + e.getValue();
        continue;
      }
      if (n.equalsIgnoreCase("Host") || n.equalsIgnoreCase("Content-Length")) {
        continue; // derived from the URL and the body
      }
      agent |= n.equalsIgnoreCase("User-Agent");
      type |= n.equalsIgnoreCase("Content-Type");
      sb.append(n).append(": ").append(e.getValue()).append("\r\n");
    }
    if (!agent) {
      sb.append("User-Agent: ").append(userAgent).append("\r\n");
    }
    boolean bodyAllowed =
        body.length() > 0
            || !(method.equals("GET")
                || method.equals("HEAD")
                || method.equals("DELETE")
                || method.equals("OPTIONS")
                || method.equals("TRACE"));
    if (bodyAllowed) {
      if (body.contentType() != null && !type) {
        sb.append("Content-Type: ").append(body.contentType()).append("\r\n");
      }
      sb.append("Content-Length: ").append(body.length()).append("\r\n");
    }
    byte[] prefix = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] full = java.util.Arrays.copyOf(prefix, prefix.length + 2);
    full[prefix.length] = '\r';
    full[prefix.length + 1] = '\n';
    Object[] head = {userAgent, prefix, full, cookie};
    wireHead = head;
    return head;
  }

  /** {@code url} as a URI, or an IllegalArgumentException saying where it is malformed. */
  static URI parse(String url) {
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "url '" + url + "' is not a valid URL: " + e.getReason() + " at index " + e.getIndex(),
          e);
    }
  }

  /** Builds an {@link HttpRequest}; not thread-safe. */
  public static final class Builder {
    private final String method;
    private final String url;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private final StringBuilder query = new StringBuilder();
    private Body body = Body.empty();
    private Duration timeout;
    private RedirectPolicy redirects;

    private Builder(String method, String url) {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(url, "url");
      if (method.isEmpty()
          || !method
              .chars()
              .allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
        throw new IllegalArgumentException(
            "method must be an HTTP token such as GET, was '" + method + "'");
      }
      this.method = method.toUpperCase(Locale.ROOT);
      this.url = url;
    }

    /** Adds a header (repeat the name to send several values). */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      if (name.isEmpty()
          || name.indexOf(':') >= 0
          || name.indexOf('\n') >= 0
          || value.indexOf('\n') >= 0
          || value.indexOf('\r') >= 0) {
        throw new IllegalArgumentException(
            "header '"
                + name
                + "' has an empty name, a ':' in its name or"
                + " a line break; remove it");
      }
      headers.add(Map.entry(name, value));
      return this;
    }

    /** Appends a query parameter to the URL's query, URL-encoded. */
    public Builder query(String name, String value) {
      if (!query.isEmpty()) {
        query.append('&');
      }
      query
          .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(Objects.toString(value, ""), StandardCharsets.UTF_8));
      return this;
    }

    public Builder body(Body body) {
      this.body = Objects.requireNonNull(body, "body");
      return this;
    }

    /** A Jackson-serialized JSON body with {@code Content-Type: application/json}. */
    public Builder json(Object value) {
      return body(Body.json(value));
    }

    /** A form body, {@code application/x-www-form-urlencoded}. */
    public Builder form(Map<String, String> fields) {
      return body(Body.form(fields));
    }

    /** How long the whole request may take, from acquiring a connection to the last byte. */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    public Builder redirects(RedirectPolicy redirects) {
      this.redirects = Objects.requireNonNull(redirects, "redirects");
      return this;
    }

    /**
     * @throws IllegalArgumentException when the URL is not an absolute http or https URL with a
     *     host
     */
    public HttpRequest build() {
      URI uri = parse(url);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        throw new IllegalArgumentException("url '" + url + "' must start with http:// or https://");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new IllegalArgumentException(
            "url '" + url + "' has no host; write it as http://host:port/path");
      }
      if (!query.isEmpty()) {
        String raw = uri.toString();
        int hash = raw.indexOf('#');
        String fragment = hash >= 0 ? raw.substring(hash) : "";
        String base = hash >= 0 ? raw.substring(0, hash) : raw;
        uri = URI.create(base + (uri.getRawQuery() == null ? "?" : "&") + query + fragment);
      }
      return new HttpRequest(this, uri);
    }
  }
}
