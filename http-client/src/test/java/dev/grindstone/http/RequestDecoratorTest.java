package dev.grindstone.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestDecoratorTest {
  private JdkServer server;
  private final List<String> paths = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    // /echo answers with the request's X-* headers, sorted, as "name=value" lines.
    server =
        JdkServer.http()
            .route(
                "/echo",
                ex -> {
                  paths.add(ex.getRequestURI().getPath());
                  StringBuilder seen = new StringBuilder();
                  ex.getRequestHeaders().entrySet().stream()
                      .filter(h -> h.getKey().toLowerCase().startsWith("x-"))
                      .sorted(Map.Entry.comparingByKey(String.CASE_INSENSITIVE_ORDER))
                      .forEach(
                          h ->
                              seen.append(h.getKey().toLowerCase())
                                  .append('=')
                                  .append(String.join(",", h.getValue()))
                                  .append('\n'));
                  JdkServer.respond(ex, 200, seen.toString());
                })
            .route(
                "/hop",
                ex -> {
                  paths.add(ex.getRequestURI().getPath());
                  ex.getResponseHeaders().add("Location", "/echo");
                  JdkServer.respond(ex, 302, "");
                });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void decorator_headers_reach_the_server_and_headers_the_request_has_win() {
    try (HttpClient client =
        HttpClient.builder()
            .decorator(r -> Map.of("X-Trace", "t-1", "X-Tenant", "decorated"))
            .build()) {
      HttpResponse r =
          client.send(HttpRequest.get(server.url("/echo")).header("X-Tenant", "own").build());
      assertThat(r.bodyString()).isEqualTo("x-tenant=own\nx-trace=t-1\n");
    }
  }

  @Test
  void an_earlier_decorator_wins_and_a_later_one_sees_its_headers() {
    List<String> seenByLater = new CopyOnWriteArrayList<>();
    try (HttpClient client =
        HttpClient.builder()
            .decorator(r -> Map.of("X-Trace", "first"))
            .decorator(
                r -> {
                  seenByLater.add(r.header("X-Trace"));
                  return Map.of("X-Trace", "second", "X-Other", "second");
                })
            .build()) {
      assertThat(client.get(server.url("/echo")).bodyString())
          .isEqualTo("x-other=second\nx-trace=first\n");
    }
    assertThat(seenByLater).containsExactly("first");
  }

  @Test
  void a_decorator_runs_once_per_send_and_redirect_hops_carry_its_headers() {
    AtomicInteger calls = new AtomicInteger();
    try (HttpClient client =
        HttpClient.builder()
            .redirects(RedirectPolicy.follow(2))
            .decorator(r -> Map.of("X-Call", String.valueOf(calls.incrementAndGet())))
            .build()) {
      HttpResponse r = client.get(server.url("/hop"));
      assertThat(r.redirects()).isEqualTo(1);
      assertThat(r.bodyString()).isEqualTo("x-call=1\n");
    }
    assertThat(calls).hasValue(1);
    assertThat(paths).containsExactly("/hop", "/echo");
  }

  @Test
  void decorators_listed_in_meta_inf_services_are_used_after_the_builders_own() throws Exception {
    try (HttpClient discovering =
            HttpClient.builder()
                .decorator(r -> Map.of(ScopedTagDecorator.HEADER, "builder", "X-Builder", "yes"))
                .build();
        HttpClient plain = HttpClient.create();
        AutoCloseable scope = ScopedTagDecorator.tag("discovered")) {
      assertThat(plain.get(server.url("/echo")).bodyString())
          .isEqualTo("x-scoped-tag=discovered\n");
      assertThat(discovering.get(server.url("/echo")).bodyString())
          .isEqualTo("x-builder=yes\nx-scoped-tag=builder\n");
    }
  }

  @Test
  void discovery_can_be_turned_off() throws Exception {
    try (HttpClient client = HttpClient.builder().discoverDecorators(false).build();
        AutoCloseable scope = ScopedTagDecorator.tag("discovered")) {
      assertThat(client.get(server.url("/echo")).bodyString()).isEmpty();
    }
  }

  @Test
  void a_decorator_that_throws_fails_the_call_before_anything_is_sent() {
    RecordingListener listener = new RecordingListener();
    try (HttpClient client =
        HttpClient.builder()
            .listener(listener)
            .decorator(
                r -> {
                  throw new IllegalStateException("no trace context");
                })
            .build()) {
      assertThatThrownBy(() -> client.get(server.url("/echo")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("no trace context");
    }
    assertThat(paths).isEmpty();
    assertThat(listener.calls).isEmpty();
  }

  @Test
  void a_decorator_returning_null_is_named_in_the_error() {
    try (HttpClient client = HttpClient.builder().decorator(r -> null).build()) {
      assertThatThrownBy(() -> client.get(server.url("/echo")))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("RequestDecorator dev.grindstone.http.RequestDecoratorTest")
          .hasMessageContaining("returned null; return an empty map to add no header");
    }
    assertThat(paths).isEmpty();
  }
}
