package dev.grindstone.http;

import java.util.Map;

/**
 * Adds headers to every request an {@link HttpClient} sends: the hook through which tracing and
 * test-context propagation reach the wire without the client knowing them. LiveCheck's {@code
 * LiveCheckRequestDecorator} is one: inside a LiveCheck test it adds the test's {@code
 * LiveCheck-Test-*}, {@code traceparent} and {@code baggage} headers.
 *
 * <p>A client calls its decorators once per {@code send}, on the calling thread, before anything is
 * written; redirect hops carry the added headers on (cross-origin hops drop {@code Authorization}
 * and {@code Cookie}, as for the caller's own headers). A header the request already has is kept,
 * and a decorator called earlier wins over one called later: decorators added with {@link
 * HttpClient.Builder#decorator} run first, in the order added, then those found on the class path
 * (see {@link HttpClient.Builder#discoverDecorators}).
 *
 * <p>To have every client use a decorator, list its class (public, with a public no-argument
 * constructor) in {@code META-INF/services/dev.grindstone.http.RequestDecorator}.
 *
 * <p>Implementations must be thread-safe and quick: they run on every request, on the virtual
 * user's thread. Returning an empty map ({@link Map#of()}) adds nothing and costs the client no
 * allocation. An exception a decorator throws reaches the caller of {@code send}, and no request is
 * sent.
 */
@FunctionalInterface
public interface RequestDecorator {

  /**
   * The headers to add to {@code request}, by name; empty to add none, never null.
   *
   * @param request the request about to be sent, with the headers of the decorators called before
   */
  Map<String, String> headers(HttpRequest request);
}
