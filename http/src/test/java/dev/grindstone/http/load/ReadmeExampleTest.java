package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.StagedScenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.http.Body;
import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpFailure;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpResponse;
import dev.grindstone.http.HttpSession;
import dev.grindstone.http.RedirectPolicy;
import dev.grindstone.http.Timings;
import dev.grindstone.http.WebSocket;
import dev.grindstone.http.WebSocketMessage;
import dev.grindstone.http.WebSocketRequest;
import dev.grindstone.stats.results.TestFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The README's client examples, verbatim between the markers, so that it keeps compiling and
 * working.
 */
class ReadmeExampleTest {
  @org.junit.jupiter.api.Test
  void the_readme_example_runs() {
    HttpResponse seen = null;
    // README-BEGIN
    try (DemoService demo = DemoService.start();
        HttpClient client =
            HttpClient.builder()
                .requestTimeout(Duration.ofSeconds(5))
                .redirects(RedirectPolicy.follow(5))
                .build()) {
      HttpSession user = client.newSession(); // one per virtual user: its own cookies
      user.post(
          demo.url() + "/shop/login", Body.json(Map.of("username", "ann", "password", "secret")));
      HttpResponse cart =
          user.send(
              HttpRequest.post(demo.url() + "/shop/cart")
                  .header("Accept", "application/json")
                  .json(Map.of("productId", 3, "quantity", 2))
                  .timeout(Duration.ofSeconds(2))
                  .build());
      List<Check.Failure> failed =
          Check.verifyAll(
              cart,
              List.of(
                  Check.status(200),
                  Check.jsonPointer("/items/0/quantity", 2),
                  Check.responseTimeBelow(Duration.ofMillis(500))));
      Timings t = cart.timings(); // microseconds
      System.out.printf(
          "%d in %d us (first byte at %d us), new connection: %b, failed checks: %s%n",
          cart.status(), t.lastByteMicros(), t.firstByteMicros(), cart.newConnection(), failed);
      // README-END
      seen = cart;
      assertThat(failed).extracting(f -> f.check().name()).doesNotContain("status in [200]");
      // README-BEGIN
    } catch (HttpFailure f) { // f.kind(): REFUSED, RESET, READ_TIMEOUT, DNS, TLS...
      System.err.println(f.kind() + ": " + f.getMessage());
    }
    // README-END
    assertThat(seen).isNotNull();
    assertThat(seen.status()).isEqualTo(200);
    assertThat(seen.json().at("/items/0/quantity").asInt()).isEqualTo(2);
  }

  @org.junit.jupiter.api.Test
  void the_readme_websocket_example_runs() {
    WebSocketMessage seen = null;
    // README-WS-BEGIN
    try (DemoService demo = DemoService.start();
        HttpClient client = HttpStatistics.clientBuilder().build()) { // fills websocket.* in a test
      HttpSession user = client.newSession(); // the handshake carries this user's cookies
      try (WebSocket chat =
          user.openWebSocket(
              WebSocketRequest.newBuilder("ws://127.0.0.1:" + demo.port() + "/ws/room?name=lobby")
                  .subprotocol("chat.v1")
                  .timeout(Duration.ofSeconds(5)) // the handshake's, and later calls' default
                  .build())) {
        WebSocketMessage welcome = chat.receive(); // whole messages, in order
        chat.sendText("hello");
        WebSocketMessage echo = chat.receive(Duration.ofSeconds(2));
        Duration roundTrip = chat.ping(Duration.ofSeconds(1));
        System.out.printf(
            "%s then %s; handshake %d us, first message at %d us, ping %s, protocol %s%n",
            welcome.json().get("type"),
            echo.json().get("text"),
            chat.handshakeTimings().lastByteMicros(),
            chat.firstMessageMicros(),
            roundTrip,
            chat.subprotocol());
        // README-WS-END
        seen = echo;
        // README-WS-BEGIN
      } // closes with 1000 and waits for the server's close frame
    } catch (HttpFailure f) { // HANDSHAKE, CLOSED, READ_TIMEOUT (no message in time), PROTOCOL...
      System.err.println(f.kind() + ": " + f.getMessage());
    }
    // README-WS-END
    assertThat(seen).isNotNull();
    assertThat(seen.json().get("text").asText()).isEqualTo("hello");
  }

  @org.junit.jupiter.api.Test
  void the_readme_async_example_runs() {
    List<Integer> seenStatuses = null;
    HttpResponse seen = null;
    // README-ASYNC-BEGIN
    try (DemoService demo = DemoService.start();
        HttpClient client = HttpClient.create();
        ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor()) {
      HttpSession user = client.newSession();
      user.post(
          demo.url() + "/shop/login", Body.json(Map.of("username", "ann", "password", "secret")));
      // A page's resources in parallel (k6's http.batch, Gatling's resources), with the cookies
      List<CompletableFuture<HttpResponse>> batch =
          Stream.of("/shop/products", "/shop/products/1", "/shop/cart")
              .map(path -> user.sendAsync(HttpRequest.get(demo.url() + path).build()))
              .toList();
      CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join(); // one wait for all
      List<Integer> statuses = batch.stream().map(f -> f.join().status()).toList();
      // Stages run on the client's event loop: a stage that blocks gets an executor of its own
      HttpResponse details =
          user.sendAsync(HttpRequest.get(demo.url() + "/shop/products").build())
              .thenApply(r -> r.json().at("/products/0/id").asInt()) // quick: on the event loop
              .thenApplyAsync(id -> user.get(demo.url() + "/shop/products/" + id), blocking)
              .join();
      System.out.println(statuses + " then " + details.bodyString());
      // README-ASYNC-END
      seenStatuses = statuses;
      seen = details;
      // README-ASYNC-BEGIN
    }
    // README-ASYNC-END
    assertThat(seenStatuses).containsExactly(200, 200, 200);
    assertThat(seen.status()).isEqualTo(200);
    assertThat(seen.json().get("id").asInt()).isEqualTo(1);
  }

  @org.junit.jupiter.api.Test
  void the_readme_staged_example_runs() throws Exception {
    try (DemoService demo = DemoService.start()) {
      // README-STAGED-BEGIN
      /** Lists the products, then views the first: two calls an iteration, run as stages. */
      class Browse implements StagedScenario, AutoCloseable {
        static final Test LIST = new Test(1, "List");
        static final Test VIEW = new Test(2, "View");
        final HttpClient client = HttpStatistics.clientBuilder().build(); // fills httpplugin.*
        final String base;

        Browse(String base) {
          this.base = base;
        }

        @Override
        public CompletionStage<?> startIteration(VirtualUser user) {
          return LIST.recordAsync(
                  () -> client.sendAsync(HttpRequest.get(base + "/shop/products").build()),
                  r -> r.json().at("/products/0/id").asInt()) // inside the call: a throw fails it
              .thenCompose( // runs where LIST completed, with the user's tests at hand
                  id ->
                      VIEW.recordAsync(
                          () ->
                              client.sendAsync(
                                  HttpRequest.get(base + "/shop/products/" + id).build()),
                          HttpResponse::status));
        }

        @Override
        public void iteration(VirtualUser user) throws Exception { // the same on the user's thread
          int id =
              LIST.record(
                  () -> client.get(base + "/shop/products").json().at("/products/0/id").asInt());
          VIEW.record(() -> client.get(base + "/shop/products/" + id));
        }

        @Override
        public List<Plugin> plugins() {
          return List.of(HttpPlugin.INSTANCE);
        }

        @Override
        public void close() {
          client.close();
        }
      }
      // README-STAGED-END
      try (Browse browse = new Browse(demo.url())) {
        RunSummary s =
            Run.of(
                    RunConfig.builder("browse")
                        .phase(Phase.hold("hold", Duration.ofMillis(300), 4))
                        .console(false)
                        .build(),
                    browse)
                .execute();
        assertThat(s.iterationFailures()).isEmpty();
        assertThat(s.tests()).extracting(TestFigures::errors).containsOnly(0L);
        TestFigures view = s.tests().get(1);
        assertThat(view.tests()).isPositive();
        assertThat(
                view.statistics()
                    .getLong(
                        view.statistics().schema().longIndex(HttpPlugin.RESPONSE_STATUS.name())))
            .isEqualTo(200 * view.tests());
      }
    }
  }

  @org.junit.jupiter.api.Test
  void the_readme_shows_exactly_these_examples() throws IOException {
    Path readme = Path.of("..", "README.md");
    Assumptions.assumeTrue(
        Files.exists(readme), "run from the module folder inside the repository");
    List<String> source =
        Files.readAllLines(
            Path.of("src/test/java/dev/grindstone/http/load/ReadmeExampleTest.java"));
    assertThat(Files.readString(readme))
        .contains(example(source, "README"))
        .contains(example(source, "README-WS"))
        .contains(example(source, "README-ASYNC"))
        .contains(example(source, "README-STAGED"));
  }

  /** The lines between {@code // marker-BEGIN} and {@code // marker-END}, at the margin. */
  private static String example(List<String> source, String marker) {
    StringBuilder example = new StringBuilder();
    boolean inside = false;
    int depth = -1;
    for (String line : source) {
      if (line.trim().equals("// " + marker + "-BEGIN")) {
        inside = true;
        depth = depth < 0 ? line.indexOf('/') : depth; // the first marker's depth

      } else if (line.trim().equals("// " + marker + "-END")) {
        inside = false;
      } else if (inside) {
        // as deep in the source as its first marker, at the margin in the README
        example.append(line.length() >= depth ? line.substring(depth) : line.strip()).append('\n');
      }
    }
    return example.toString();
  }
}
