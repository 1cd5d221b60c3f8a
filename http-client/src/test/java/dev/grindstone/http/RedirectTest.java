package dev.grindstone.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedirectTest {
  private JdkServer server;
  private final RecordingListener listener = new RecordingListener();
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    server =
        JdkServer.http()
            .route(
                "/redirect/",
                ex -> {
                  // /redirect/<code>[/<hops>] sends <code> to /target (or to itself with hops-1)
                  String[] parts = ex.getRequestURI().getPath().split("/");
                  int code = Integer.parseInt(parts[2]);
                  int hops = parts.length > 3 ? Integer.parseInt(parts[3]) : 1;
                  ex.getRequestBody().readAllBytes();
                  ex.getResponseHeaders()
                      .add(
                          "Location",
                          hops > 1
                              ? "/redirect/" + code + "/" + (hops - 1)
                              : parts.length > 3
                                  ? "/target?from=" + code
                                  : "../target?from=" + code);
                  JdkServer.respond(ex, code, "moved");
                })
            .route(
                "/target",
                ex -> {
                  String body =
                      new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                  JdkServer.respond(
                      ex,
                      200,
                      ex.getRequestMethod()
                          + " "
                          + ex.getRequestURI()
                          + " body="
                          + body
                          + " type="
                          + ex.getRequestHeaders().getFirst("Content-Type"));
                })
            .route(
                "/loop",
                ex -> {
                  ex.getResponseHeaders().add("Location", "/loop");
                  JdkServer.respond(ex, 302, "");
                });
    client = HttpClient.builder().redirects(RedirectPolicy.follow(5)).listener(listener).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @ParameterizedTest(name = "POST answered by {0} is repeated as {1}")
  @CsvSource({"301, GET", "302, GET", "303, GET", "307, POST", "308, POST"})
  void redirects_follow_browser_semantics(int code, String method) {
    HttpResponse r = client.post(server.url("/redirect/" + code), Body.text("payload"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.redirects()).isEqualTo(1);
    assertThat(r.uri().getPath()).isEqualTo("/target");
    if (method.equals("GET")) {
      assertThat(r.bodyString()).isEqualTo("GET /target?from=" + code + " body= type=null");
    } else {
      assertThat(r.bodyString())
          .isEqualTo("POST /target?from=" + code + " body=payload type=text/plain; charset=utf-8");
    }
    assertThat(listener.calls)
        .extracting(RecordingListener.Call::status)
        .containsExactly(code, 200);
  }

  @ParameterizedTest(name = "GET through {0}")
  @CsvSource({"301", "302", "303", "307", "308"})
  void get_stays_get(int code) {
    assertThat(client.get(server.url("/redirect/" + code)).bodyString()).startsWith("GET /target");
  }

  @Test
  void no_redirect_policy_returns_the_3xx() {
    HttpResponse r =
        client.send(
            HttpRequest.get(server.url("/redirect/302")).redirects(RedirectPolicy.none()).build());
    assertThat(r.status()).isEqualTo(302);
    assertThat(r.header("Location")).isEqualTo("../target?from=302");
  }

  @Test
  void chains_up_to_the_limit_are_followed() {
    assertThat(client.get(server.url("/redirect/301/5")).redirects()).isEqualTo(5);
  }

  @Test
  void too_many_redirects_fail_with_their_kind() {
    assertThatThrownBy(() -> client.get(server.url("/loop")))
        .isInstanceOfSatisfying(
            HttpFailure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.TOO_MANY_REDIRECTS);
              assertThat(f.getMessage()).contains("more than 5 redirects");
            });
    assertThat(listener.calls).hasSize(6);
  }
}
