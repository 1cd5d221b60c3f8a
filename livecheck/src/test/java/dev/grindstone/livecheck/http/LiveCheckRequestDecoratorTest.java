package dev.grindstone.livecheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.grindstone.http.HttpClient;
import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.TestExecution;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Requests that Grindstone's HTTP client makes inside a LiveCheck test carry its context to the
 * service, and restore there: the client finds {@link LiveCheckRequestDecorator} on the class path.
 */
class LiveCheckRequestDecoratorTest {

  @Test
  void requests_inside_a_livecheck_test_carry_its_headers_and_others_do_not() throws Exception {
    Map<String, Optional<TestExecution>> seen = new ConcurrentHashMap<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          seen.put(
              ex.getRequestURI().getPath(),
              LiveCheckHeaders.read(ex.getRequestHeaders()::getFirst));
          byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, ok.length);
          ex.getResponseBody().write(ok);
          ex.close();
        });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    TestExecution test =
        new TestExecution(
            "t-42", "orders.place_order", Instant.now(), Map.of(), Instant.now().plusSeconds(600));
    try (HttpClient client = HttpClient.create()) {
      client.get(base + "/outside");
      try (var scope = TestContext.enter(test)) {
        client.get(base + "/inside");
      }
    } finally {
      server.stop(0);
    }
    assertThat(seen.get("/outside")).isEmpty();
    assertThat(seen.get("/inside"))
        .hasValueSatisfying(
            e -> {
              assertThat(e.id()).isEqualTo("t-42");
              assertThat(e.caseName()).isEqualTo("orders.place_order");
            });
  }
}
