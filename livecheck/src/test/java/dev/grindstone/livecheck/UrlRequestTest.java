package dev.grindstone.livecheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.grindstone.livecheck.http.LiveCheckHeaders;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UrlRequestTest {
  private HttpServer server;
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> testIds = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private String url;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/orders",
        ex -> {
          requests.incrementAndGet();
          testIds.add(String.valueOf(ex.getRequestHeaders().getFirst(LiveCheckHeaders.TEST_ID)));
          bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          boolean fail = failuresLeft.getAndDecrement() > 0;
          byte[] b = (fail ? "unavailable" : "ok").getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(fail ? 503 : 200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/orders";
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private static Case caseWith(CaseSettings settings, List<String> suiteFails) {
    return new Case("orders.http", settings) {
      @Override
      protected void run(TestExecution test) {}

      @Override
      protected void onSuiteFail(SuiteFailedException e, State s) {
        suiteFails.add(e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    };
  }

  @Test
  void failures_are_retried_with_growing_delays_until_the_service_answers() {
    try (Fixture f = new Fixture()) {
      Case c = f.app.register(caseWith(CaseSettings.defaults(), new CopyOnWriteArrayList<>()));
      failuresLeft.set(3);
      assertThat(c.getUrl(url))
          .hasValueSatisfying(
              b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("ok"));
      assertThat(requests.get()).isEqualTo(4);
      assertThat(f.time.sleeps())
          .containsExactly(
              Duration.ofMillis(750),
              Duration.ofNanos(1_125_000_000),
              Duration.ofNanos(1_687_500_000));
      assertThat(c.status()).as("retries that succeed are no failure").isEqualTo(State.INIT);
    }
  }

  @Test
  void when_retries_run_out_the_service_is_down_and_the_suite_fails() {
    try (Fixture f = new Fixture()) {
      List<String> suiteFails = new CopyOnWriteArrayList<>();
      Case c = f.app.register(caseWith(CaseSettings.defaults(), suiteFails));
      failuresLeft.set(Integer.MAX_VALUE);
      assertThat(c.postUrl(url, "{\"item\":\"book\"}")).isEmpty();
      assertThat(requests.get()).as("1 attempt + url_error_retries").isEqualTo(11);
      assertThat(bodies).allMatch(b -> b.equals("{\"item\":\"book\"}"));
      assertThat(f.time.sleeps().stream().map(d -> d.toNanos() / 1e9))
          .containsExactly(0.75, 1.125, 1.6875, 2.53125, 3.796875, 5.0, 5.0, 5.0, 5.0, 5.0);
      assertThat(c.status()).isEqualTo(State.FAIL);
      assertThat(c.suiteFailed()).isTrue();
      assertThat(suiteFails)
          .singleElement()
          .asString()
          .startsWith(
              "ServiceDownException: POST "
                  + url
                  + " failed after 11 attempt(s), url_error_retries 10 used up")
          .endsWith("last error: HTTP 503");
      assertThat(f.last().isSuiteReport()).isTrue();
      assertThat(f.last().state()).isEqualTo(State.FAIL);

      // The service comes back: a later success after state_transition_delay recovers the case.
      failuresLeft.set(0);
      f.time.advance(Duration.ofSeconds(61));
      assertThat(c.getUrl(url)).isPresent();
      assertThat(c.status()).isEqualTo(State.PASS);
    }
  }

  @Test
  void an_answering_service_does_not_hide_failing_tests() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.failing")
                  .run(
                      (t, self) -> {
                        throw new AssertionError("not shipped");
                      })
                  .build());
      f.app.start();
      c.trigger("t1", Map.of());
      assertThat(c.getUrl(url)).isPresent();
      assertThat(c.status()).isEqualTo(State.FAIL);
    }
  }

  @Test
  void the_total_timeout_bounds_each_attempt_not_all_of_them() {
    // A total of 5 s on the fake clock: the delays alone (0.75 + 1.125 + ... ≈ 35 s) exceed it, yet
    // every retry is made, as with Faust's per-request aiohttp timeout.
    try (Fixture f = new Fixture()) {
      List<String> suiteFails = new CopyOnWriteArrayList<>();
      Case c =
          f.app.register(
              caseWith(CaseSettings.builder().urlTimeoutTotal("5s").build(), suiteFails));
      failuresLeft.set(Integer.MAX_VALUE);
      assertThat(c.getUrl(url)).isEmpty();
      assertThat(requests.get()).isEqualTo(11);
      assertThat(f.time.sleeps()).hasSize(10);
      assertThat(suiteFails)
          .singleElement()
          .asString()
          .contains("failed after 11 attempt(s), url_error_retries 10 used up");
    }
  }

  @Test
  void an_attempt_that_outlives_the_total_timeout_is_cut_and_retried() {
    server.createContext(
        "/slow",
        ex -> {
          int n = requests.incrementAndGet();
          try {
            if (n < 3) {
              Thread.sleep(2_000); // the first two attempts hang past the 200 ms limit
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] b = "late but fine".getBytes(StandardCharsets.UTF_8);
          try {
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
          } catch (IOException e) {
            // the client gave up on this attempt
          }
          ex.close();
        });
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              caseWith(
                  CaseSettings.builder().urlTimeoutTotal("200ms").build(),
                  new CopyOnWriteArrayList<>()));
      String slow = url.replace("/orders", "/slow");
      assertThat(c.getUrl(slow))
          .hasValueSatisfying(
              b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("late but fine"));
      assertThat(requests.get()).isEqualTo(3);
      assertThat(f.time.sleeps()).hasSize(2);
      assertThat(c.status()).isEqualTo(State.INIT);
    }
  }

  @Test
  void connection_errors_are_retried_too() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    try (Fixture f = new Fixture()) {
      List<String> suiteFails = new CopyOnWriteArrayList<>();
      Case c =
          f.app.register(caseWith(CaseSettings.builder().urlErrorRetries(2).build(), suiteFails));
      assertThat(c.getUrl("http://127.0.0.1:" + closedPort + "/")).isEmpty();
      assertThat(f.time.sleeps()).hasSize(2);
      assertThat(suiteFails)
          .singleElement()
          .asString()
          .contains("failed after 3 attempt(s)")
          .contains("ConnectException");
    }
  }

  @Test
  void requests_made_during_a_test_carry_its_headers() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.http")
                  .run((t, self) -> assertThat(self.getUrl(url)).isPresent())
                  .build());
      f.app.start();
      c.getUrl(url);
      c.trigger("t-42", Map.of());
      assertThat(f.states()).containsExactly(State.PASS);
      assertThat(testIds).containsExactly("null", "t-42");
    }
  }
}
