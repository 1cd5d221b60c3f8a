package dev.grindstone.livecheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.TestExecution;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // scopes are opened for their effect on the thread's context
class HttpPropagationTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.250Z");
  private static final TestExecution TEST =
      new TestExecution(
          "4f2c9e1a-77", "orders.place_order", T0, Map.of("side", "buy"), T0.plusSeconds(3600));

  private HttpServer server;
  private final List<Optional<TestExecution>> seen = new CopyOnWriteArrayList<>();
  private final List<Map<String, String>> headers = new CopyOnWriteArrayList<>();
  private URI uri;
  private final HttpClient client = LiveCheckHttpClient.wrap(HttpClient.newHttpClient());

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server
        .createContext(
            "/ship",
            ex -> {
              seen.add(LiveCheck.current());
              Map<String, String> h = new HashMap<>();
              ex.getRequestHeaders()
                  .forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
              headers.add(h);
              ex.sendResponseHeaders(204, -1);
              ex.close();
            })
        .getFilters()
        .add(new LiveCheckHttpFilter());
    server.start();
    uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ship");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private int get(HttpRequest.Builder b) throws Exception {
    return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void the_wrapped_client_sends_the_test_and_the_filter_restores_it_in_the_service()
      throws Exception {
    try (TestContext.Scope s = TestContext.enter(TEST)) {
      assertThat(get(HttpRequest.newBuilder(uri))).isEqualTo(204);
    }
    TestExecution restored = seen.get(0).orElseThrow();
    assertThat(restored.id()).isEqualTo(TEST.id());
    assertThat(restored.caseName()).isEqualTo(TEST.caseName());
    assertThat(restored.timestamp()).isEqualTo(TEST.timestamp());
    assertThat(restored.expires()).isEqualTo(TEST.expires());
    Map<String, String> h = headers.get(0);
    assertThat(h)
        .containsEntry("livecheck-test-id", "4f2c9e1a-77")
        .containsEntry("livecheck-test-name", "orders.place_order")
        .containsEntry("livecheck-test-timestamp", "2026-01-01T00:00:00.250000+00:00")
        .containsEntry("livecheck-test-expires", "2026-01-01T01:00:00.250000+00:00");
    assertThat(h.get("traceparent"))
        .matches("00-" + LiveCheckHeaders.traceId("4f2c9e1a-77") + "-[0-9a-f]{16}-01");
    assertThat(LiveCheckHeaders.traceId("4f2c9e1a-77")).matches("[0-9a-f]{32}");
    assertThat(h.get("baggage"))
        .contains("livecheck.test_id=4f2c9e1a-77")
        .contains("livecheck.case=orders.place_order")
        .contains("livecheck.expires=2026-01-01T01%3A00%3A00.250000%2B00%3A00");
  }

  @Test
  void requests_outside_a_test_carry_nothing_and_the_service_sees_no_test() throws Exception {
    assertThat(get(HttpRequest.newBuilder(uri))).isEqualTo(204);
    assertThat(seen.get(0)).isEmpty();
    assertThat(headers.get(0)).doesNotContainKeys("livecheck-test-id", "traceparent", "baggage");
  }

  @Test
  void baggage_alone_restores_the_test() throws Exception {
    String baggage = LiveCheckHeaders.of(TEST).get(LiveCheckHeaders.BAGGAGE);
    assertThat(get(HttpRequest.newBuilder(uri).header("baggage", "other=1," + baggage)))
        .isEqualTo(204);
    assertThat(seen.get(0).map(TestExecution::id)).contains("4f2c9e1a-77");
  }

  @Test
  void malformed_headers_are_ignored_and_the_request_is_served() throws Exception {
    int status =
        get(
            HttpRequest.newBuilder(uri)
                .header(LiveCheckHeaders.TEST_ID, "x")
                .header(LiveCheckHeaders.TEST_NAME, "c")
                .header(LiveCheckHeaders.TEST_TIMESTAMP, "yesterday")
                .header(LiveCheckHeaders.TEST_EXPIRES, "tomorrow"));
    assertThat(status).isEqualTo(204);
    assertThat(seen.get(0)).isEmpty();
  }

  @Test
  void a_test_id_that_is_a_trace_id_is_used_as_one() {
    assertThat(LiveCheckHeaders.traceId("4BF92F3577B34DA6A3CE929D0E0E4736"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(LiveCheckHeaders.traceId("4bf92f35-77b3-4da6-a3ce-929d0e0e4736"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void the_framework_neutral_before_and_after_pair_restores_and_clears_the_test() {
    Map<String, String> incoming = new HashMap<>();
    LiveCheckHeaders.of(TEST)
        .forEach((k, v) -> incoming.put(k.toLowerCase(java.util.Locale.ROOT), v));
    java.util.function.Function<String, String> lookup =
        name -> incoming.get(name.toLowerCase(java.util.Locale.ROOT));
    TestContext.Scope scope = LiveCheckServerContext.before(lookup);
    assertThat(LiveCheck.current().map(TestExecution::id)).contains("4f2c9e1a-77");
    assertThat(LiveCheckHeaders.current()).containsEntry(LiveCheckHeaders.TEST_ID, "4f2c9e1a-77");
    LiveCheckServerContext.after(scope);
    assertThat(LiveCheck.current()).isEmpty();
    assertThat(LiveCheckServerContext.before(name -> null)).isNull();
    LiveCheckServerContext.after(null);
    List<String> inHandler = new CopyOnWriteArrayList<>();
    LiveCheckServerContext.handle(
        lookup, () -> inHandler.add(LiveCheck.current().orElseThrow().caseName()));
    assertThat(inHandler).containsExactly("orders.place_order");
    assertThat(LiveCheck.current()).isEmpty();
  }
}
