package dev.grindstone.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HttpClientTest extends LoopbackTest {
  private JdkServer echo() throws Exception {
    return closeLater(
        JdkServer.http()
            .route(
                "/echo",
                ex -> {
                  String body =
                      new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                  String type = ex.getRequestHeaders().getFirst("Content-Type");
                  String cookie = ex.getRequestHeaders().getFirst("Cookie");
                  String text =
                      ex.getRequestMethod()
                          + " "
                          + ex.getRequestURI()
                          + "\ntype="
                          + type
                          + "\ncookie="
                          + cookie
                          + "\nagent="
                          + ex.getRequestHeaders().getFirst("User-Agent")
                          + "\nx="
                          + ex.getRequestHeaders().getFirst("X-Test")
                          + "\nbody="
                          + body;
                  ex.getResponseHeaders().add("X-Reply", "yes");
                  JdkServer.respond(ex, 200, text);
                }));
  }

  @Test
  void get_returns_status_headers_body_and_ordered_timings() throws Exception {
    JdkServer server = echo();
    HttpResponse r = client().get(server.url("/echo?a=1"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("x-reply")).isEqualTo("yes");
    assertThat(r.headerNames()).contains("x-reply", "content-length");
    assertThat(r.bodyString()).startsWith("GET /echo?a=1").contains("agent=Grindstone");
    Timings t = r.timings();
    assertThat(t.connectMicros())
        .as("connect includes DNS")
        .isGreaterThanOrEqualTo(t.dnsMicros())
        .isPositive();
    assertThat(t.requestSentMicros()).isGreaterThanOrEqualTo(t.connectMicros());
    assertThat(t.firstByteMicros()).isGreaterThanOrEqualTo(t.requestSentMicros());
    assertThat(t.lastByteMicros()).isGreaterThanOrEqualTo(t.firstByteMicros());
    assertThat(t.tlsMicros()).isZero();
  }

  @Test
  void first_byte_time_includes_a_50_ms_wait_of_the_server() throws Exception {
    RawServer server = okAfter(50);
    HttpClient client = client();
    for (int i = 0; i < 2; i++) {
      HttpResponse r = client.get(server.url("/slow"));
      assertThat(r.bodyString()).isEqualTo("ok");
      assertThat(r.timings().firstByteMicros()).as("request %d", i).isGreaterThanOrEqualTo(50_000);
      assertThat(r.timings().lastByteMicros())
          .isGreaterThanOrEqualTo(r.timings().firstByteMicros());
    }
    assertThat(listener.calls)
        .extracting(RecordingListener.Call::newConnection)
        .containsExactly(true, false);
  }

  @Test
  void an_interrupted_caller_waits_parked_for_its_response_and_keeps_its_interrupt()
      throws Exception {
    RawServer server = okAfter(300);
    HttpClient client = client();
    client.get(server.url("/slow")); // the connection the interrupted call reuses
    AtomicReference<HttpResponse> got = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread caller =
        Thread.ofVirtual()
            .start(
                () -> {
                  Thread.currentThread().interrupt(); // as the run's stop does to its users
                  got.set(client.get(server.url("/slow")));
                  stillInterrupted.set(Thread.currentThread().isInterrupted());
                });
    Thread.sleep(100);
    int parked = 0;
    for (int i = 0; i < 10; i++) {
      parked += caller.getState() == Thread.State.WAITING ? 1 : 0; // a spinning one is RUNNABLE
      Thread.sleep(10);
    }
    caller.join(5_000);

    assertThat(parked).as("samples of the caller parked, of 10").isGreaterThanOrEqualTo(5);
    assertThat(got.get().bodyString()).isEqualTo("ok");
    assertThat(stillInterrupted).isTrue();
  }

  @Test
  void keep_alive_reuses_one_connection_and_only_the_first_request_is_new() throws Exception {
    JdkServer server = echo();
    HttpClient client = client();
    List<Boolean> fresh = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse r = client.get(server.url("/echo"));
      fresh.add(r.newConnection());
      if (i > 0) {
        assertThat(r.timings().connectMicros()).isZero();
        assertThat(r.timings().dnsMicros()).isZero();
      }
    }
    assertThat(fresh).containsExactly(true, false, false, false, false);
    assertThat(client.openConnections()).isEqualTo(1);
  }

  @Test
  void a_closed_port_fails_with_kind_refused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/";
    assertThatThrownBy(() -> client().get(url))
        .isInstanceOfSatisfying(
            HttpFailure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.REFUSED);
              assertThat(f.getMessage()).contains("refused", "127.0.0.1:" + port);
            });
    assertThat(listener.count(FailureKind.REFUSED)).isEqualTo(1);
  }

  @Test
  void a_server_that_resets_mid_response_fails_with_kind_reset() throws Exception {
    RawServer server =
        closeLater(
            new RawServer(
                s -> {
                  RawServer.readHead(s.getInputStream());
                  RawServer.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a part");
                  Thread.sleep(20);
                  s.setSoLinger(true, 0); // close with RST
                  s.close();
                }));
    assertThatThrownBy(
            () -> client(HttpClient.builder().retryStaleConnections(false)).get(server.url("/")))
        .isInstanceOfSatisfying(
            HttpFailure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.RESET);
              assertThat(f.timings().firstByteMicros()).isPositive();
            });
    assertThat(listener.count(FailureKind.RESET)).isEqualTo(1);
  }

  @Test
  void a_server_that_closes_before_answering_fails_with_kind_reset() throws Exception {
    RawServer server = closeLater(new RawServer(s -> RawServer.readHead(s.getInputStream())));
    assertThatThrownBy(() -> client().get(server.url("/")))
        .isInstanceOfSatisfying(
            HttpFailure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.RESET);
              assertThat(f.getMessage()).contains("closed by the target before the response");
            });
  }

  @Test
  void a_server_that_never_answers_fails_with_kind_read_timeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RawServer server =
        closeLater(
            new RawServer(
                s -> {
                  RawServer.readHead(s.getInputStream());
                  release.await(10, TimeUnit.SECONDS);
                }));
    try {
      HttpClient client = client(HttpClient.builder().requestTimeout(Duration.ofMillis(200)));
      assertThatThrownBy(() -> client.get(server.url("/")))
          .isInstanceOfSatisfying(
              HttpFailure.class,
              f -> {
                assertThat(f.kind()).isEqualTo(FailureKind.READ_TIMEOUT);
                assertThat(f.getMessage()).contains("200 ms", "no byte received");
              });
      HttpRequest perRequest =
          HttpRequest.get(server.url("/")).timeout(Duration.ofMillis(100)).build();
      assertThatThrownBy(() -> client.send(perRequest))
          .isInstanceOfSatisfying(
              HttpFailure.class, f -> assertThat(f.getMessage()).contains("100 ms"));
      assertThat(listener.count(FailureKind.READ_TIMEOUT)).isEqualTo(2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (client.openConnections() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(client.openConnections()).as("timed-out connections are closed").isZero();
    } finally {
      release.countDown();
    }
  }

  @Test
  void a_full_accept_queue_fails_with_kind_connect_timeout() throws Exception {
    // Linux drops SYNs once the accept queue (backlog 1) is full, so further connects time out.
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> fillers = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket s = new Socket();
          try {
            s.connect(full.getLocalSocketAddress(), 200);
            fillers.add(s);
          } catch (java.io.IOException e) {
            s.close();
            break; // the queue is full already
          }
        }
        HttpClient client = client(HttpClient.builder().connectTimeout(Duration.ofMillis(200)));
        String url = "http://127.0.0.1:" + full.getLocalPort() + "/";
        assertThatThrownBy(() -> client.get(url))
            .isInstanceOfSatisfying(
                HttpFailure.class,
                f -> assertThat(f.kind()).isEqualTo(FailureKind.CONNECT_TIMEOUT));
      } finally {
        for (Socket s : fillers) {
          s.close();
        }
      }
    }
  }

  @Test
  void an_unknown_host_fails_with_kind_dns() {
    assertThatThrownBy(() -> client().get("http://no-such-host.invalid/"))
        .isInstanceOfSatisfying(
            HttpFailure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.DNS);
              assertThat(f.getMessage()).contains("no-such-host.invalid");
            });
    assertThat(listener.count(FailureKind.DNS)).isEqualTo(1);
  }

  @Test
  void garbage_instead_of_http_fails_with_kind_protocol() throws Exception {
    RawServer server =
        closeLater(
            new RawServer(
                s -> {
                  RawServer.readHead(s.getInputStream());
                  RawServer.write(s, "SMTP READY\r\n\r\n");
                  Thread.sleep(200);
                }));
    assertThatThrownBy(() -> client().get(server.url("/")))
        .isInstanceOfSatisfying(
            HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.PROTOCOL));
  }

  @Test
  void a_body_larger_than_the_limit_fails_with_kind_protocol() throws Exception {
    JdkServer server =
        closeLater(
            JdkServer.http().route("/big", ex -> JdkServer.respond(ex, 200, "x".repeat(5000))));
    assertThatThrownBy(
            () -> client(HttpClient.builder().maxResponseBytes(1000)).get(server.url("/big")))
        .isInstanceOfSatisfying(
            HttpFailure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.PROTOCOL);
              assertThat(f.getMessage()).contains("1000 bytes");
            });
  }

  @Test
  void failures_are_counted_by_kind_and_the_caller_keeps_going() throws Exception {
    JdkServer ok = echo();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    HttpClient client = client();
    Map<String, Integer> outcomes = new LinkedHashMap<>();
    String[] urls = {
      ok.url("/echo"),
      "http://127.0.0.1:" + closedPort + "/",
      ok.url("/echo"),
      "http://127.0.0.1:" + closedPort + "/",
      ok.url("/echo")
    };
    for (String url : urls) {
      try {
        outcomes.merge(String.valueOf(client.get(url).status()), 1, Integer::sum);
      } catch (HttpFailure f) {
        outcomes.merge(f.kind().name(), 1, Integer::sum);
      }
    }
    assertThat(outcomes).containsExactly(Map.entry("200", 3), Map.entry("REFUSED", 2));
    assertThat(listener.calls).hasSize(5);
  }

  @Test
  void status_400_and_above_is_a_response_not_a_failure() throws Exception {
    JdkServer server =
        closeLater(JdkServer.http().route("/missing", ex -> JdkServer.respond(ex, 404, "nope")));
    HttpResponse r = client().get(server.url("/missing"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(listener.calls)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.status()).isEqualTo(404);
              assertThat(c.length()).isEqualTo(4);
              assertThat(c.failure()).isNull();
              assertThat(c.newConnection()).isTrue();
            });
  }

  @Test
  void query_parameters_headers_json_and_form_bodies_are_sent() throws Exception {
    JdkServer server = echo();
    HttpClient client = client();
    HttpResponse json =
        client.send(
            HttpRequest.post(server.url("/echo"))
                .query("q", "a b&c")
                .query("n", "1")
                .header("X-Test", "42")
                .json(Map.of("productId", 1))
                .build());
    assertThat(json.bodyString())
        .startsWith("POST /echo?q=a+b%26c&n=1")
        .contains("type=application/json", "x=42", "body={\"productId\":1}");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("user", "ann");
    form.put("note", "x=y");
    HttpResponse f = client.put(server.url("/echo"), Body.form(form));
    assertThat(f.bodyString())
        .startsWith("PUT /echo")
        .contains("type=application/x-www-form-urlencoded", "body=user=ann&note=x%3Dy");
    assertThat(client.patch(server.url("/echo"), Body.text("t")).bodyString())
        .startsWith("PATCH")
        .contains("body=t");
    assertThat(client.delete(server.url("/echo")).bodyString()).startsWith("DELETE");
    assertThat(client.options(server.url("/echo")).bodyString()).startsWith("OPTIONS");
    HttpResponse head = client.head(server.url("/echo"));
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.bodyLength()).isZero();
    assertThat(client.get(server.url("/echo")).status())
        .as("connection usable after HEAD")
        .isEqualTo(200);
  }

  @Test
  void json_responses_parse() throws Exception {
    JdkServer server =
        closeLater(
            JdkServer.http()
                .route(
                    "/j",
                    ex -> {
                      ex.getResponseHeaders().add("Content-Type", "application/json");
                      JdkServer.respond(ex, 200, "{\"a\":{\"b\":[1,2,3]}}");
                    }));
    JsonNode node = client().get(server.url("/j")).json();
    assertThat(node.at("/a/b/2").asInt()).isEqualTo(3);
  }

  @Test
  void invalid_urls_are_rejected_with_a_clear_message() {
    assertThatThrownBy(() -> HttpRequest.get("ftp://x/").build()).hasMessageContaining("http://");
    assertThatThrownBy(() -> HttpRequest.get("http:///nohost").build())
        .hasMessageContaining("no host");
    assertThatThrownBy(() -> HttpRequest.get("http://a b/").build())
        .hasMessageContaining("not a valid URL");
    assertThatThrownBy(() -> HttpClient.builder().eventLoops(0)).hasMessageContaining("eventLoops");
    assertThatThrownBy(() -> HttpClient.builder().requestTimeout(Duration.ZERO))
        .hasMessageContaining("requestTimeout");
  }

  @Test
  void many_virtual_users_share_a_bounded_pool() throws Exception {
    JdkServer server = echo();
    HttpClient client = client(HttpClient.builder().maxConnectionsPerHost(4));
    AtomicInteger ok = new AtomicInteger();
    try (ExecutorService users = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (int u = 0; u < 20; u++) {
        futures.add(
            users.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    if (client.get(server.url("/echo")).status() == 200) {
                      ok.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
    assertThat(ok.get()).isEqualTo(400);
    assertThat(client.openConnections()).isBetween(1, 4);
    assertThat(listener.calls.stream().filter(RecordingListener.Call::newConnection).count())
        .isBetween(1L, 4L);
  }

  @Test
  void a_full_pool_fails_with_kind_pool_timeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RawServer server =
        closeLater(
            new RawServer(
                s -> {
                  RawServer.readHead(s.getInputStream());
                  release.await(10, TimeUnit.SECONDS);
                }));
    try {
      HttpClient client =
          client(
              HttpClient.builder().maxConnectionsPerHost(1).requestTimeout(Duration.ofMillis(300)));
      Thread holder =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      client.send(
                          HttpRequest.get(server.url("/hold"))
                              .timeout(Duration.ofSeconds(3))
                              .build());
                    } catch (HttpFailure expected) {
                      // it times out too
                    }
                  });
      Thread.sleep(100);
      assertThatThrownBy(() -> client.get(server.url("/second")))
          .isInstanceOfSatisfying(
              HttpFailure.class,
              f -> {
                assertThat(f.kind()).isEqualTo(FailureKind.POOL_TIMEOUT);
                assertThat(f.getMessage()).contains("maxConnectionsPerHost");
              });
    } finally {
      release.countDown();
    }
  }

  @Test
  void idle_connections_are_evicted() throws Exception {
    JdkServer server = echo();
    HttpClient client = client(HttpClient.builder().idleTimeout(Duration.ofMillis(100)));
    client.get(server.url("/echo"));
    assertThat(client.openConnections()).isEqualTo(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (client.openConnections() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(client.openConnections()).isZero();
    assertThat(client.get(server.url("/echo")).newConnection()).isTrue();
  }

  @Test
  void a_target_closing_idle_keep_alive_connections_is_retried_on_a_new_connection()
      throws Exception {
    RawServer server = oneAnswerPerConnection();
    HttpClient client = client();
    assertThat(client.get(server.url("/")).status()).isEqualTo(200);
    Thread.sleep(150);
    HttpResponse second = client.get(server.url("/"));
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.newConnection()).isTrue();
  }

  @Test
  void closing_the_client_fails_requests_in_flight_with_kind_client_closed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RawServer server =
        closeLater(
            new RawServer(
                s -> {
                  RawServer.readHead(s.getInputStream());
                  release.await(10, TimeUnit.SECONDS);
                }));
    try {
      HttpClient client = HttpClient.create();
      Future<FailureKind> outcome;
      try (ExecutorService e = Executors.newVirtualThreadPerTaskExecutor()) {
        outcome =
            e.submit(
                () -> {
                  try {
                    client.get(server.url("/"));
                    return null;
                  } catch (HttpFailure f) {
                    return f.kind();
                  }
                });
        Thread.sleep(200);
        client.close();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo(FailureKind.CLIENT_CLOSED);
      }
      assertThatThrownBy(() -> client.get(server.url("/")))
          .isInstanceOfSatisfying(
              HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.CLIENT_CLOSED));
    } finally {
      release.countDown();
    }
  }

  @Test
  void a_caller_whose_interrupt_status_is_set_gets_its_response_and_keeps_the_status()
      throws Exception {
    JdkServer server = echo();
    HttpClient client = client();
    assertThat(client.get(server.url("/echo")).status()).isEqualTo(200);
    Thread.currentThread().interrupt();
    try {
      HttpResponse r = client.get(server.url("/echo"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.newConnection()).as("the pooled connection was reused, not closed").isFalse();
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(client.get(server.url("/echo")).newConnection()).isFalse();
    assertThat(client.openConnections()).isEqualTo(1);
  }

  @Test
  void a_throwing_listener_does_not_break_requests() throws Exception {
    JdkServer server = echo();
    try (HttpClient client =
        HttpClient.builder()
            .listener(
                (r, s, l, t, n, f) -> {
                  throw new IllegalStateException("boom");
                })
            .build()) {
      assertThat(client.get(server.url("/echo")).status()).isEqualTo(200);
    }
  }

  @Test
  void chunked_interim_and_close_delimited_responses_are_read_in_full() throws Exception {
    RawServer chunked =
        closeLater(
            new RawServer(
                s -> {
                  InputStream in = s.getInputStream();
                  while (!RawServer.readHead(in).isEmpty()) {
                    RawServer.write(s, "HTTP/1.1 100 Continue\r\n\r\n");
                    RawServer.write(
                        s,
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
                  }
                }));
    RawServer closeDelimited =
        closeLater(
            new RawServer(
                s -> {
                  RawServer.readHead(s.getInputStream());
                  RawServer.write(
                      s, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
                }));
    HttpClient client = client();
    HttpResponse first = client.get(chunked.url("/"));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.bodyString()).isEqualTo("hello world");
    assertThat(client.get(chunked.url("/")).newConnection())
        .as("chunked keeps the connection")
        .isFalse();
    HttpResponse r = client.get(closeDelimited.url("/"));
    assertThat(r.bodyString()).isEqualTo("until the end");
    assertThat(client.get(closeDelimited.url("/")).newConnection())
        .as("HTTP/1.0 is not kept")
        .isTrue();
  }
}
