package dev.grindstone.http;

/**
 * Told about every HTTP request the client completes or fails, each redirect hop included. The load
 * plugin ({@code HttpStatistics} in {@code grindstone-http}) implements it to fill the {@code
 * httpplugin.*} statistics of the current test.
 *
 * <p>Called on the thread that made the request (the virtual user's thread), after the response is
 * fully read or the failure is known, and before {@code send} returns or throws; for {@code
 * sendAsync}, on the client's event loop before the future completes, so off the virtual user's
 * thread: a listener that looks up the caller's context binds it in {@link #forAsync}, which runs
 * on the calling thread. It must be quick and must not throw; an exception it throws is swallowed
 * so that it can never break a request.
 */
@FunctionalInterface
public interface HttpRequestListener {

  /**
   * @param request the request as sent (for a redirect hop: the hop's method and URI)
   * @param status the response status, or 0 when {@code failure} is not null
   * @param responseLength the response body's length in bytes (0 on failure)
   * @param timings the timing breakdown; partial on failure
   * @param newConnection whether this request opened a new connection (DNS, connect and TLS are
   *     then measured)
   * @param failure null when a response arrived (whatever its status), else why it did not
   */
  void requestCompleted(
      HttpRequest request,
      int status,
      long responseLength,
      Timings timings,
      boolean newConnection,
      FailureKind failure);

  /**
   * The listener to tell about one {@code sendAsync} and its redirect hops, asked on the thread
   * that calls {@code sendAsync}: a listener that finds what it updates in the calling thread's
   * context (the load plug-in: the test in progress) returns one bound to it here. This listener
   * itself by default.
   */
  default HttpRequestListener forAsync() {
    return this;
  }

  /** A listener that does nothing. */
  HttpRequestListener NONE = (request, status, length, timings, newConnection, failure) -> {};
}
