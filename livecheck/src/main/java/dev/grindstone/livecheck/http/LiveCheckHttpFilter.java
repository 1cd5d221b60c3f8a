package dev.grindstone.livecheck.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.grindstone.livecheck.TestContext;
import java.io.IOException;

/**
 * A JDK {@code HttpServer} filter that makes the request's LiveCheck test current while the handler
 * runs: {@code server.createContext("/orders", handler).getFilters().add(new
 * LiveCheckHttpFilter())}. Requests without LiveCheck headers pass through untouched. Thread-safe.
 */
public final class LiveCheckHttpFilter extends Filter {
  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    TestContext.Scope s = LiveCheckServerContext.before(exchange.getRequestHeaders()::getFirst);
    try {
      chain.doFilter(exchange);
    } finally {
      LiveCheckServerContext.after(s);
    }
  }

  @Override
  public String description() {
    return "restores the LiveCheck test context from LiveCheck-* / traceparent / baggage headers";
  }
}
