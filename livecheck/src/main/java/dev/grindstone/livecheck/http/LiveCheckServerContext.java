package dev.grindstone.livecheck.http;

import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.TestExecution;
import java.util.Optional;
import java.util.function.Function;

/**
 * Restores the LiveCheck test of an incoming request in any HTTP server, without depending on it:
 * give {@link #before(Function)} a header lookup when the request starts and pass what it returns
 * to {@link #after(TestContext.Scope)} when it ends, on the same thread. With Javalin:
 *
 * <pre>{@code
 * app.before(ctx -> ctx.attribute("livecheck", LiveCheckServerContext.before(ctx::header)));
 * app.after(ctx -> LiveCheckServerContext.after(ctx.attribute("livecheck")));
 * }</pre>
 *
 * Thread-safe.
 */
public final class LiveCheckServerContext {
  private LiveCheckServerContext() {}

  /**
   * Opens the scope of the request's test.
   *
   * @return the scope, or {@code null} when the request carries no test
   */
  public static TestContext.Scope before(Function<String, String> header) {
    Optional<TestExecution> test = LiveCheckHeaders.read(header);
    return test.map(TestContext::enter).orElse(null);
  }

  /** Closes what {@link #before(Function)} opened; {@code null} is fine. */
  public static void after(TestContext.Scope scope) {
    if (scope != null) {
      scope.close();
    }
  }

  /** Runs {@code handler} inside the request's test, if it carries one. */
  public static void handle(Function<String, String> header, Runnable handler) {
    TestContext.Scope s = before(header);
    try {
      handler.run();
    } finally {
      after(s);
    }
  }
}
