package dev.grindstone.livecheck.http;

import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.RequestDecorator;
import java.util.Map;

/**
 * Carries the current LiveCheck test on every request of Grindstone's HTTP client ({@code
 * grindstone-http-client}): inside a test, the request gets the test's context ({@link
 * LiveCheckHeaders#current()}: {@code LiveCheck-Test-Id}, {@code -Name}, {@code -Timestamp}, {@code
 * -Expires}, W3C {@code traceparent} and {@code baggage}) so the service under test can tell
 * live-test traffic apart; headers the caller set win. Outside a test it adds nothing and costs one
 * thread-local read.
 *
 * <p>Listed in {@code META-INF/services}, so every client built while {@code grindstone-livecheck}
 * is on the class path uses it without any setup. Stateless and thread-safe.
 */
public final class LiveCheckRequestDecorator implements RequestDecorator {

  /** For {@link java.util.ServiceLoader}; the decorator holds no state. */
  public LiveCheckRequestDecorator() {}

  @Override
  public Map<String, String> headers(HttpRequest request) {
    return LiveCheckHeaders.current();
  }
}
