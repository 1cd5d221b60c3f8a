package dev.grindstone.http;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A virtual user's view of an {@link HttpClient}: the client's connections and settings, plus this
 * user's {@link CookieJar}. Cheap to create (one per virtual user); use it from one thread at a
 * time, which may have several {@link #sendAsync} requests in flight at once (their cookies are
 * stored as each response arrives).
 */
public final class HttpSession implements HttpOperations {
  private final HttpClient client;
  private final CookieJar cookies;

  HttpSession(HttpClient client, CookieJar cookies) {
    this.client = client;
    this.cookies = Objects.requireNonNull(cookies, "cookies");
  }

  @Override
  public HttpResponse send(HttpRequest request) {
    return client.send(request, cookies);
  }

  /**
   * Sends with this user's cookies without waiting (see {@link HttpClient#sendAsync(HttpRequest,
   * CookieJar)}: the future completes on the client's event loop).
   */
  public CompletableFuture<HttpResponse> sendAsync(HttpRequest request) {
    return client.sendAsync(request, cookies);
  }

  /**
   * Opens a WebSocket with this user's cookies (see {@link HttpClient#openWebSocket(
   * WebSocketRequest, CookieJar)}).
   */
  public WebSocket openWebSocket(WebSocketRequest request) {
    return client.openWebSocket(request, cookies);
  }

  /**
   * Opens a WebSocket to {@code url} ({@code ws://} or {@code wss://}) with this user's cookies.
   */
  public WebSocket openWebSocket(String url) {
    return client.openWebSocket(WebSocketRequest.newBuilder(url).build(), cookies);
  }

  public CookieJar cookies() {
    return cookies;
  }

  public HttpClient client() {
    return client;
  }
}
