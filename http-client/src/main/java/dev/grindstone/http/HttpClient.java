package dev.grindstone.http;

import dev.grindstone.http.internal.Exchange;
import dev.grindstone.http.internal.Transport;
import dev.grindstone.http.internal.WebSocketConnection;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.TrustManagerFactory;

/**
 * A blocking HTTP/1.1 client for load tests, built on Netty and meant to be called from many
 * virtual threads. Keeps a bounded pool of keep-alive connections per scheme, host and port,
 * measures every request's DNS, connect, TLS, send, first-byte and last-byte times, and reports
 * each request to an {@link HttpRequestListener}. {@link RequestDecorator}s add headers to every
 * request (LiveCheck's test context, for one).
 *
 * <pre>{@code
 * try (HttpClient client = HttpClient.builder().requestTimeout(Duration.ofSeconds(5)).build()) {
 *   HttpSession user = client.newSession(); // one per virtual user: its own cookies
 *   HttpResponse r = user.get("http://127.0.0.1:8080/ping");
 *   long firstByteMicros = r.timings().firstByteMicros();
 * }
 * }</pre>
 *
 * <p>{@link #sendAsync(HttpRequest, CookieJar)} sends without waiting: its future completes on the
 * event loop that read the response, so one caller can have several requests in flight at once.
 *
 * <p>Thread-safe. Network failures are thrown as {@link HttpFailure} with a {@link FailureKind} (or
 * complete a {@code sendAsync} future with it); nothing else a target does can break the calling
 * thread. One event loop is enough for tens of thousands of requests per second; close the client
 * to release its threads and connections.
 */
public final class HttpClient implements HttpOperations, AutoCloseable {
  private static final String[] NO_BODY_HEADERS = {
    "content-length", "content-type", "transfer-encoding"
  };

  private final Transport transport;
  private final long requestTimeoutNanos;
  private final RedirectPolicy redirects;
  private final String userAgent;
  private final HttpRequestListener listener;
  private final WebSocketListener webSocketListener;
  private final int maxResponseBytes;
  private final RequestDecorator[] decorators;
  private final boolean retryStale;

  private HttpClient(Builder b, SslContext ssl) {
    this.decorators = b.decorators(); // first: it may throw, and the transport starts threads
    this.transport =
        new Transport(
            b.eventLoops,
            b.maxConnectionsPerHost,
            b.idleTimeout.toNanos(),
            b.connectTimeout.toNanos(),
            b.maxResponseBytes,
            ssl);
    this.requestTimeoutNanos = b.requestTimeout.toNanos();
    this.redirects = b.redirects;
    this.userAgent = b.userAgent;
    this.listener = b.listener;
    this.webSocketListener = b.webSocketListener;
    this.maxResponseBytes = b.maxResponseBytes;
    this.retryStale = b.retryStaleConnections;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A client with the defaults. */
  public static HttpClient create() {
    return builder().build();
  }

  /** A session with a fresh cookie jar, for one virtual user. */
  public HttpSession newSession() {
    return new HttpSession(this, CookieJar.create());
  }

  /** A session over the given cookie jar. */
  public HttpSession newSession(CookieJar cookies) {
    return new HttpSession(this, cookies);
  }

  /** Sends without cookies. */
  @Override
  public HttpResponse send(HttpRequest request) {
    return send(request, null);
  }

  /**
   * Sends {@code request}, following redirects as its policy (or the client's) says, sending and
   * storing cookies in {@code cookies} when it is not null.
   *
   * @throws HttpFailure when no response arrived (the listener has been told first)
   */
  public HttpResponse send(HttpRequest request, CookieJar cookies) {
    Objects.requireNonNull(request, "request");
    request = decorate(request);
    RedirectPolicy policy = policyOf(request);
    HttpRequest hop = request;
    int followed = 0;
    while (true) {
      HttpResponse response = sendOnce(hop, cookies, followed);
      HttpRequest next = nextHop(policy, request, response, followed);
      if (next == null) {
        return response;
      }
      hop = next;
      followed++;
    }
  }

  /** Sends without cookies and without waiting (see {@link #sendAsync(HttpRequest, CookieJar)}). */
  public CompletableFuture<HttpResponse> sendAsync(HttpRequest request) {
    return sendAsync(request, null);
  }

  /**
   * Sends {@code request} as {@link #send(HttpRequest, CookieJar)} does (decorators, redirects,
   * cookies, stale-connection retry, the listener, timeouts) but returns at once, with a future
   * that completes with the response, or exceptionally with the {@link HttpFailure} {@code send}
   * would have thrown. No thread waits for the response: the client's event loop that reads it
   * completes the future, so several requests may be in flight from one caller at once.
   *
   * <p>The future completes on the event loop (when the client is already closed: at once, on the
   * calling thread). Dependent stages added without an executor ({@code thenApply}, {@code
   * whenComplete}...) run there too and hold up every connection of that loop while they run: they
   * must be quick and never block. Whatever blocks or takes time (another {@code send}, a {@code
   * join}, I/O) goes into an {@code ...Async(fn, executor)} stage, for example on a virtual-thread
   * executor. Sending another {@code sendAsync} from a stage is fine: it does not block.
   *
   * @throws NullPointerException when {@code request} is null (a decorator's defect is thrown here
   *     too, as {@code send} would throw it)
   */
  public CompletableFuture<HttpResponse> sendAsync(HttpRequest request, CookieJar cookies) {
    Objects.requireNonNull(request, "request");
    request = decorate(request);
    AsyncSend send = new AsyncSend(request, policyOf(request), cookies);
    send.sendHop();
    return send.result;
  }

  /**
   * One {@link #sendAsync} through its redirects: each hop is sent when the previous one's response
   * completed, on the event loop that read it.
   */
  private final class AsyncSend extends Transport.AsyncRequest {
    private final HttpRequest request;
    private final RedirectPolicy policy;
    private final CookieJar cookies;
    private final HttpRequestListener told = asyncListener();
    final CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    private HttpRequest hop;
    private int followed;

    AsyncSend(HttpRequest request, RedirectPolicy policy, CookieJar cookies) {
      this.request = request;
      this.policy = policy;
      this.cookies = cookies;
      this.hop = request;
    }

    void sendHop() {
      long start = System.nanoTime();
      byte[] head = wireHead(hop, cookies);
      transport.executeAsync(
          hop.isHttps(),
          hop.host(),
          hop.port(),
          head,
          hop.body().unsafeBytes(),
          hop.method().equals("HEAD"),
          start,
          timeoutOf(hop),
          retryStale,
          this);
    }

    @Override
    protected void completed(Exchange ex) {
      try {
        HttpResponse response = received(hop, cookies, ex, followed, told);
        HttpRequest next = nextHop(policy, request, response, followed);
        if (next == null) {
          result.complete(response);
        } else {
          hop = next;
          followed++;
          sendHop();
        }
      } catch (RuntimeException | Error e) { // a failed redirect, or a defect: never on the loop
        result.completeExceptionally(e);
      }
    }

    @Override
    protected void failed(Throwable cause) {
      if (cause instanceof HttpFailure f) {
        notifyFailure(hop, f, told);
      }
      result.completeExceptionally(cause);
    }
  }

  /**
   * The request to send after {@code response} under {@code policy}, or null when {@code response}
   * is the answer.
   *
   * @throws HttpFailure {@code TOO_MANY_REDIRECTS}, or {@code PROTOCOL} for an unusable {@code
   *     Location}
   */
  private static HttpRequest nextHop(
      RedirectPolicy policy, HttpRequest request, HttpResponse response, int followed) {
    int s = response.status();
    if (!policy.follows() || !(s == 301 || s == 302 || s == 303 || s == 307 || s == 308)) {
      return null;
    }
    String location = response.header("Location"); // decodes the headers: only for redirects
    if (location == null) {
      return null;
    }
    if (followed == policy.maxRedirects()) {
      throw new HttpFailure(
          FailureKind.TOO_MANY_REDIRECTS,
          "more than "
              + policy.maxRedirects()
              + " redirects, starting at "
              + request
              + "; the last one was "
              + s
              + " to "
              + location,
          response.timings(),
          null);
    }
    return redirect(response.request(), s, location);
  }

  /**
   * Adds each decorator's headers that the request does not have yet (see {@link
   * RequestDecorator}); a decorator that adds nothing costs no allocation.
   */
  private HttpRequest decorate(HttpRequest request) {
    for (RequestDecorator decorator : decorators) {
      Map<String, String> extra = decorator.headers(request);
      if (extra == null) {
        throw new NullPointerException(
            "RequestDecorator "
                + decorator.getClass().getName()
                + " returned null; return an empty map to add no header");
      }
      if (extra.isEmpty()) {
        continue;
      }
      HttpRequest.Builder b = null;
      for (Map.Entry<String, String> h : extra.entrySet()) {
        if (request.header(h.getKey()) == null) {
          b = b == null ? request.toBuilder() : b;
          b.header(h.getKey(), h.getValue());
        }
      }
      request = b == null ? request : b.build();
    }
    return request;
  }

  private static HttpRequest redirect(HttpRequest from, int status, String location) {
    URI target;
    try {
      target = from.uri().resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw new HttpFailure(
          FailureKind.PROTOCOL,
          "redirect " + status + " from " + from + " has an invalid Location '" + location + "'",
          null,
          e);
    }
    String method = from.method();
    boolean toGet =
        (status == 303 && !method.equals("HEAD") && !method.equals("GET"))
            || ((status == 301 || status == 302) && method.equals("POST"));
    boolean sameOrigin =
        target.getHost() != null
            && target.getHost().equalsIgnoreCase(from.uri().getHost())
            && from.port() == portOf(target)
            && Objects.equals(target.getScheme(), from.uri().getScheme());
    String fragmentless =
        target.getRawFragment() == null
            ? target.toString()
            : target.toString().substring(0, target.toString().indexOf('#'));
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(toGet ? "GET" : method, fragmentless);
    } catch (IllegalArgumentException e) {
      throw new HttpFailure(
          FailureKind.PROTOCOL,
          "redirect " + status + " from " + from + " points to an unusable URL '" + location + "'",
          null,
          e);
    }
    for (Map.Entry<String, String> h : from.headers()) {
      String n = h.getKey();
      if (toGet && isBodyHeader(n)) {
        continue;
      }
      if (!sameOrigin && (n.equalsIgnoreCase("Authorization") || n.equalsIgnoreCase("Cookie"))) {
        continue;
      }
      b.header(n, h.getValue());
    }
    if (!toGet) {
      b.body(from.body());
    }
    if (from.timeout() != null) {
      b.timeout(from.timeout());
    }
    b.redirects(RedirectPolicy.none());
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new HttpFailure(
          FailureKind.PROTOCOL,
          "redirect "
              + status
              + " from "
              + from
              + " points to an unusable URL '"
              + location
              + "': "
              + e.getMessage(),
          null,
          e);
    }
  }

  private static int portOf(URI uri) {
    return uri.getPort() != -1
        ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static boolean isBodyHeader(String name) {
    for (String h : NO_BODY_HEADERS) {
      if (h.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  private HttpResponse sendOnce(HttpRequest request, CookieJar cookies, int followed) {
    long start = System.nanoTime();
    byte[] head = wireHead(request, cookies);
    Exchange ex;
    try {
      ex =
          transport.execute(
              request.isHttps(),
              request.host(),
              request.port(),
              head,
              request.body().unsafeBytes(),
              request.method().equals("HEAD"),
              start,
              timeoutOf(request),
              retryStale);
    } catch (HttpFailure f) {
      notifyFailure(request, f, listener);
      throw f;
    }
    return received(request, cookies, ex, followed, listener);
  }

  /** The request's head as sent, with the jar's cookies for its URI when {@code cookies} is set. */
  private byte[] wireHead(HttpRequest request, CookieJar cookies) {
    Object[] wire = request.wireHead(userAgent);
    byte[] head = (byte[]) wire[2];
    String cookie = (String) wire[3];
    if (cookies != null) {
      String jar = cookies.cookieHeader(request.uri());
      if (jar != null) {
        cookie = cookie == null ? jar : cookie + "; " + jar;
      }
    }
    if (cookie != null) {
      byte[] prefix = (byte[]) wire[1];
      byte[] line = ("Cookie: " + cookie + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
      head = Arrays.copyOf(prefix, prefix.length + line.length);
      System.arraycopy(line, 0, head, prefix.length, line.length);
    }
    return head;
  }

  private RedirectPolicy policyOf(HttpRequest request) {
    return request.redirects() != null ? request.redirects() : redirects;
  }

  private long timeoutOf(HttpRequest request) {
    return request.timeout() != null ? request.timeout().toNanos() : requestTimeoutNanos;
  }

  /** Stores the response's cookies, tells {@code told}, and wraps the completed exchange. */
  private HttpResponse received(
      HttpRequest request, CookieJar cookies, Exchange ex, int followed, HttpRequestListener told) {
    if (cookies != null && ex.setsCookies()) {
      List<String> setCookies = ex.headers().getAll("Set-Cookie");
      if (!setCookies.isEmpty()) {
        cookies.receive(request.uri(), setCookies);
      }
    }
    notify(told, request, ex.status(), ex.bodyLength(), ex.timings(), ex.isNewConnection(), null);
    return new HttpResponse(request, ex, followed);
  }

  private static void notifyFailure(HttpRequest request, HttpFailure f, HttpRequestListener told) {
    notify(
        told,
        request,
        0,
        0,
        f.timings(),
        f.timings().connectMicros() > 0 || f.timings().dnsMicros() > 0,
        f.kind());
  }

  /** The listener bound for one {@code sendAsync} (see {@link HttpRequestListener#forAsync}). */
  private HttpRequestListener asyncListener() {
    try {
      HttpRequestListener bound = listener.forAsync();
      return bound != null ? bound : listener;
    } catch (RuntimeException e) {
      return listener; // a listener must never break a request
    }
  }

  private static void notify(
      HttpRequestListener told,
      HttpRequest request,
      int status,
      long length,
      Timings timings,
      boolean newConnection,
      FailureKind failure) {
    try {
      told.requestCompleted(request, status, length, timings, newConnection, failure);
    } catch (RuntimeException ignored) {
      // A listener must never break a request (see HttpRequestListener).
    }
  }

  /** Opens a WebSocket to {@code url} ({@code ws://} or {@code wss://}) without cookies. */
  public WebSocket openWebSocket(String url) {
    return openWebSocket(WebSocketRequest.newBuilder(url).build(), null);
  }

  /**
   * Opens a WebSocket on a connection of its own (never pooled) and completes the opening
   * handshake, sending the cookies of {@code cookies} (when not null) and storing those the
   * handshake response sets. Request decorators add their headers to the handshake, and the request
   * listener is told about it as an HTTP request.
   *
   * @throws HttpFailure {@code HANDSHAKE} when the target answered with anything but a valid 101,
   *     else as for a request ({@code REFUSED}, {@code READ_TIMEOUT}, {@code TLS}...)
   */
  public WebSocket openWebSocket(WebSocketRequest request, CookieJar cookies) {
    Objects.requireNonNull(request, "request");
    long start = System.nanoTime();
    HttpRequest upgrade = decorate(request.upgradeRequest());
    HttpHeaders headers = new DefaultHttpHeaders(false);
    String cookie = cookies == null ? null : cookies.cookieHeader(upgrade.uri());
    boolean agent = false;
    for (Map.Entry<String, String> h : upgrade.headers()) {
      if (h.getKey().equalsIgnoreCase("Cookie")) {
        cookie = cookie == null ? h.getValue() : h.getValue() + "; " + cookie;
      } else if (!h.getKey().equalsIgnoreCase("Host")) {
        agent |= h.getKey().equalsIgnoreCase("User-Agent");
        headers.add(h.getKey(), h.getValue());
      }
    }
    if (!agent) {
      headers.add("User-Agent", userAgent);
    }
    if (cookie != null) {
      headers.add("Cookie", cookie);
    }
    long timeout = request.timeout() != null ? request.timeout().toNanos() : requestTimeoutNanos;
    WebSocketConnection connection;
    try {
      connection =
          transport.openWebSocket(
              request.uri(),
              headers,
              request.subprotocols().isEmpty() ? null : String.join(",", request.subprotocols()),
              maxResponseBytes,
              start,
              timeout);
    } catch (HttpFailure f) {
      notify(listener, upgrade, 0, 0, f.timings(), true, f.kind());
      throw f;
    }
    Exchange handshake = connection.handshakeExchange();
    HttpFailure failed = null;
    try {
      connection.handshake(start + timeout);
    } catch (HttpFailure f) {
      failed = f;
    }
    Timings timings = handshake.timings();
    if (handshake.status() != 0) {
      if (cookies != null) {
        List<String> setCookies = handshake.headers().getAll("Set-Cookie");
        if (!setCookies.isEmpty()) {
          cookies.receive(upgrade.uri(), setCookies);
        }
      }
      notify(listener, upgrade, handshake.status(), handshake.bodyLength(), timings, true, null);
    } else {
      notify(listener, upgrade, 0, 0, timings, true, failed == null ? null : failed.kind());
    }
    if (failed != null) {
      throw failed;
    }
    WebSocket ws =
        new WebSocket(
            connection,
            webSocketListener,
            request.uri(),
            timings,
            handshake.status(),
            handshake.headers(),
            start,
            timeout);
    try {
      webSocketListener.opened(ws);
    } catch (RuntimeException ignored) {
      // A listener must never break a call (see WebSocketListener).
    }
    return ws;
  }

  /** Connections open now, idle or in use (for diagnostics and tests). */
  public int openConnections() {
    return transport.openConnections();
  }

  /**
   * Fails requests in flight with {@link FailureKind#CLIENT_CLOSED} and releases threads and
   * connections.
   */
  @Override
  public void close() {
    transport.close();
  }

  /** Configures an {@link HttpClient}; every setting is validated when set. Not thread-safe. */
  public static final class Builder {
    private int eventLoops = 1;
    private int maxConnectionsPerHost = 1024;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private RedirectPolicy redirects = RedirectPolicy.none();
    private String userAgent = "Grindstone";
    private int maxResponseBytes = 64 * 1024 * 1024;
    private HttpRequestListener listener = HttpRequestListener.NONE;
    private WebSocketListener webSocketListener = WebSocketListener.NONE;
    private final List<RequestDecorator> decorators = new ArrayList<>();
    private boolean discoverDecorators = true;
    private boolean insecure;
    private KeyStore trustStore;
    private boolean retryStaleConnections = true;

    private Builder() {}

    /** Event-loop threads for all connections (default 1, enough for one generator process). */
    public Builder eventLoops(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("eventLoops must be between 1 and 64, was " + n);
      }
      this.eventLoops = n;
      return this;
    }

    /** Connections per scheme, host and port, in use at once (default 1024). */
    public Builder maxConnectionsPerHost(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConnectionsPerHost must be at least 1, was " + n);
      }
      this.maxConnectionsPerHost = n;
      return this;
    }

    /** How long an unused keep-alive connection is kept (default 60 s). */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = positive("idleTimeout", d);
      return this;
    }

    /** How long a TCP connect may take (default 10 s; never longer than the request timeout). */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive("connectTimeout", d);
      return this;
    }

    /**
     * Default whole-request timeout, pool wait and connect included (default 60 s; precision 10
     * ms).
     */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive("requestTimeout", d);
      return this;
    }

    /** Default redirect policy (default: none, as in The Grinder). */
    public Builder redirects(RedirectPolicy policy) {
      this.redirects = Objects.requireNonNull(policy, "redirects");
      return this;
    }

    public Builder userAgent(String userAgent) {
      if (userAgent == null || userAgent.isBlank() || userAgent.indexOf('\n') >= 0) {
        throw new IllegalArgumentException(
            "userAgent must be a non-blank single line, was '" + userAgent + "'");
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Largest response body, and largest WebSocket message, accepted (default 64 MiB); a larger one
     * fails with {@link FailureKind#PROTOCOL}.
     */
    public Builder maxResponseBytes(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxResponseBytes must not be negative, was " + n);
      }
      this.maxResponseBytes = n;
      return this;
    }

    /** Told about every request (see {@link HttpRequestListener}). */
    public Builder listener(HttpRequestListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Told about every WebSocket's messages (see {@link WebSocketListener}). */
    public Builder webSocketListener(WebSocketListener listener) {
      this.webSocketListener = Objects.requireNonNull(listener, "webSocketListener");
      return this;
    }

    /**
     * Adds headers to every request (see {@link RequestDecorator}). Decorators added here run in
     * the order added, before those found on the class path, so their headers win over those.
     */
    public Builder decorator(RequestDecorator decorator) {
      decorators.add(Objects.requireNonNull(decorator, "decorator"));
      return this;
    }

    /**
     * Whether the client also uses every {@link RequestDecorator} listed in {@code
     * META-INF/services/dev.grindstone.http.RequestDecorator} on the class path (default true):
     * this is how requests made inside a LiveCheck test carry its context when {@code
     * grindstone-livecheck} is present. Providers are looked up once, by {@link #build()}, through
     * the thread's context class loader.
     */
    public Builder discoverDecorators(boolean discover) {
      this.discoverDecorators = discover;
      return this;
    }

    private RequestDecorator[] decorators() {
      List<RequestDecorator> all = new ArrayList<>(decorators);
      if (discoverDecorators) {
        try {
          ServiceLoader.load(RequestDecorator.class).forEach(all::add);
        } catch (ServiceConfigurationError e) {
          throw new IllegalStateException(
              "a RequestDecorator listed in META-INF/services cannot be"
                  + " loaded ("
                  + e.getMessage()
                  + "); fix or remove the listing, or call"
                  + " discoverDecorators(false)",
              e);
        }
      }
      return all.toArray(RequestDecorator[]::new);
    }

    /**
     * Trusts every server certificate and skips host name verification: for self-signed test
     * targets only.
     */
    public Builder insecure() {
      this.insecure = true;
      return this;
    }

    /**
     * Trusts the certificates in this key store (PKCS12 or JKS) instead of the JDK's default trust
     * store.
     */
    public Builder trustStore(Path file, String password) {
      Objects.requireNonNull(file, "trustStore file");
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(
            "trustStore '" + file + "' does not exist or is not readable");
      }
      try {
        this.trustStore =
            KeyStore.getInstance(file.toFile(), password == null ? null : password.toCharArray());
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "trustStore '"
                + file
                + "' cannot be read (wrong password or"
                + " not a PKCS12/JKS key store): "
                + e.getMessage(),
            e);
      }
      return this;
    }

    /**
     * Resend once on a fresh connection when a reused keep-alive connection was closed (default
     * true).
     */
    public Builder retryStaleConnections(boolean retry) {
      this.retryStaleConnections = retry;
      return this;
    }

    public HttpClient build() {
      SslContextBuilder ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
      try {
        if (insecure) {
          ssl.trustManager(InsecureTrustManagerFactory.INSTANCE)
              .endpointIdentificationAlgorithm(null);
        } else {
          if (trustStore != null) {
            TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            ssl.trustManager(tmf);
          }
          ssl.endpointIdentificationAlgorithm("HTTPS");
        }
        return new HttpClient(this, ssl.build());
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
      }
    }

    private static Duration positive(String field, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be a positive duration, was " + d);
      }
      return d;
    }
  }
}
