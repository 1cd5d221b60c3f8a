package dev.grindstone.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests to a real HTTP server on loopback, and how their answers count for the delivery policy.
 */
class ServerConnectionTest {
  private HttpServer server;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private volatile int status = 201;
  private volatile String answer = "{}";

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(
                ex.getRequestMethod()
                    + " "
                    + ex.getRequestURI()
                    + " "
                    + ex.getRequestHeaders().getFirst("Content-Type")
                    + " "
                    + ex.getRequestHeaders().getFirst("Authorization")
                    + " "
                    + body);
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
              ex.getResponseBody().write(out);
            }
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI base(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void a_post_carries_json_the_token_and_keeps_the_base_urls_path() throws Exception {
    ServerConnection c =
        ServerConnection.builder(base("/t/abc123/api/v1/")).token("s3cret-token").build();
    ServerConnection.Response r = c.post("/runs", "{\"id\":\"r1\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.delivered()).isTrue();
    assertThat(r.outcome()).isEqualTo(Outbox.Outcome.delivered());
    assertThat(seen)
        .containsExactly(
            "POST /t/abc123/api/v1/runs application/json Bearer s3cret-token {\"id\":\"r1\"}");
  }

  @Test
  void a_get_sends_no_body_and_returns_the_answer() throws Exception {
    status = 200;
    answer = "{\"contexts\":[]}";
    ServerConnection.Response r = ServerConnection.builder(base("")).build().get("/contexts/abc");
    assertThat(r.body()).isEqualTo("{\"contexts\":[]}");
    assertThat(seen).containsExactly("GET /contexts/abc null null ");
  }

  @Test
  void a_bad_request_is_refused_for_good_and_described_with_the_start_of_the_answer()
      throws Exception {
    status = 400;
    answer = "{\"error\":\"" + "x".repeat(300) + "\"}";
    ServerConnection.Response r = ServerConnection.builder(base("")).build().post("/runs", "{}");
    assertThat(r.refused()).isTrue();
    assertThat(r.outcome().kind()).isEqualTo(Outbox.Outcome.Kind.REFUSED);
    assertThat(r.describe())
        .startsWith("HTTP 400 {\"error\":\"xxx")
        .endsWith("…")
        .hasSize(9 + 200 + 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403, 408, 429, 500, 503})
  void answers_that_may_change_later_are_retried(int code) throws Exception {
    status = code;
    answer = "";
    ServerConnection.Response r = ServerConnection.builder(base("")).build().post("/runs", "{}");
    assertThat(r.refused()).isFalse();
    assertThat(r.outcome()).isEqualTo(Outbox.Outcome.retry("HTTP " + code));
  }

  @Test
  void a_server_that_cannot_be_reached_is_an_answer_too() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    ServerConnection.Response r =
        ServerConnection.builder(URI.create("http://127.0.0.1:" + closed))
            .build()
            .post("/runs", "{}");
    assertThat(r.status()).isEqualTo(ServerConnection.Response.UNREACHABLE);
    assertThat(r.outcome().kind()).isEqualTo(Outbox.Outcome.Kind.RETRY);
    assertThat(r.describe()).startsWith("ConnectException");
  }

  @Test
  void a_server_url_that_is_not_http_is_refused() {
    assertThatThrownBy(() -> ServerConnection.builder(URI.create("ftp://host")).build())
        .hasMessage("server: must be an http(s) URL like http://127.0.0.1:8080, got 'ftp://host'");
    assertThatThrownBy(() -> ServerConnection.builder(URI.create("localhost:8080")).build())
        .hasMessageContaining("server: must be");
  }
}
