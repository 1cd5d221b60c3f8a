package dev.grindstone.livecheck.http;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A {@link HttpClient} that adds the current LiveCheck test's headers ({@link
 * LiveCheckHeaders#current()}) to every request sent while a test is current, and nothing
 * otherwise. Everything else is delegated. {@code
 * LiveCheckHttpClient.wrap(HttpClient.newHttpClient())}. Thread-safe, like the client it wraps.
 */
public final class LiveCheckHttpClient extends HttpClient {
  private final HttpClient delegate;

  private LiveCheckHttpClient(HttpClient delegate) {
    this.delegate = delegate;
  }

  /** Wraps {@code client}; wrapping twice is harmless. */
  public static HttpClient wrap(HttpClient client) {
    return client instanceof LiveCheckHttpClient ? client : new LiveCheckHttpClient(client);
  }

  static HttpRequest withHeaders(HttpRequest request) {
    Map<String, String> h = LiveCheckHeaders.current();
    if (h.isEmpty()) {
      return request;
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
            request, (name, value) -> h.keySet().stream().noneMatch(name::equalsIgnoreCase));
    h.forEach(b::setHeader);
    return b.build();
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return delegate.send(withHeaders(request), handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return delegate.sendAsync(withHeaders(request), handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return delegate.sendAsync(withHeaders(request), handler, pushPromiseHandler);
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  @Override
  public boolean awaitTermination(Duration duration) throws InterruptedException {
    return delegate.awaitTermination(duration);
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public void shutdownNow() {
    delegate.shutdownNow();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
