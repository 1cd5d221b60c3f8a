package dev.grindstone.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SendAsyncTest extends LoopbackTest {
  /** /echo answers with the method, URI, cookie and X-Test header; /status/N with status N. */
  private JdkServer server() throws Exception {
    return closeLater(
        JdkServer.http()
            .route(
                "/echo",
                ex ->
                    JdkServer.respond(
                        ex,
                        200,
                        ex.getRequestMethod()
                            + " "
                            + ex.getRequestURI()
                            + " cookie="
                            + ex.getRequestHeaders().getFirst("Cookie")
                            + " x="
                            + ex.getRequestHeaders().getFirst("X-Test")))
            .route(
                "/status/",
                ex ->
                    JdkServer.respond(
                        ex, Integer.parseInt(ex.getRequestURI().getPath().substring(8)), "status"))
            .route(
                "/login",
                ex -> {
                  ex.getResponseHeaders().add("Set-Cookie", "session=abc; Path=/");
                  JdkServer.respond(ex, 200, "welcome");
                })
            .route(
                "/moved",
                ex -> {
                  ex.getResponseHeaders().add("Location", "/echo?from=moved");
                  JdkServer.respond(ex, 302, "");
                })
            .route(
                "/loop",
                ex -> {
                  ex.getResponseHeaders().add("Location", "/loop");
                  JdkServer.respond(ex, 302, "");
                }));
  }

  /** The failure a future completed with, failing the test when it completed normally. */
  private static HttpFailure failureOf(CompletableFuture<HttpResponse> f) throws Exception {
    try {
      HttpResponse r = f.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got status " + r.status());
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(HttpFailure.class);
      return (HttpFailure) e.getCause();
    }
  }

  @Test
  void completes_with_the_response_on_an_event_loop_not_on_the_caller() throws Exception {
    // The server answers after 100 ms, so that the stage below is in place before the response
    // completes the future (a stage added to a completed future runs on the thread adding it).
    RawServer server = okAfter(100);
    HttpClient client = client();
    Thread caller = Thread.currentThread();
    for (int i = 0; i < 2; i++) { // a new connection, then the pooled one
      AtomicReference<Thread> completer = new AtomicReference<>();
      HttpResponse r =
          client
              .sendAsync(HttpRequest.get(server.url("/")).build())
              .whenComplete((x, e) -> completer.set(Thread.currentThread()))
              .get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyString()).isEqualTo("ok");
      assertThat(r.newConnection()).isEqualTo(i == 0);
      assertThat(r.timings().firstByteMicros()).isGreaterThanOrEqualTo(100_000);
      assertThat(r.timings().lastByteMicros())
          .isGreaterThanOrEqualTo(r.timings().firstByteMicros());
      assertThat(completer.get()).isNotSameAs(caller);
      assertThat(completer.get().getName()).startsWith("grindstone-http");
      assertThat(completer.get().isVirtual()).isFalse();
    }
    assertThat(listener.calls).extracting(RecordingListener.Call::status).containsExactly(200, 200);
  }

  @Test
  void an_error_status_completes_normally_with_that_status() throws Exception {
    JdkServer server = server();
    HttpResponse r = client().sendAsync(HttpRequest.get(server.url("/status/503")).build()).join();
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.bodyString()).isEqualTo("status");
  }

  @Test
  void redirects_are_followed_per_policy_and_too_many_fail_the_future() throws Exception {
    JdkServer server = server();
    HttpClient client = client(HttpClient.builder().redirects(RedirectPolicy.follow(3)));
    HttpResponse r = client.sendAsync(HttpRequest.get(server.url("/moved")).build()).join();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyString()).startsWith("GET /echo?from=moved");
    assertThat(r.redirects()).isEqualTo(1);
    assertThat(listener.calls).extracting(RecordingListener.Call::status).containsExactly(302, 200);

    HttpFailure loop = failureOf(client.sendAsync(HttpRequest.get(server.url("/loop")).build()));
    assertThat(loop.kind()).isEqualTo(FailureKind.TOO_MANY_REDIRECTS);
    assertThat(loop.getMessage()).contains("more than 3 redirects");

    HttpResponse notFollowed =
        client
            .sendAsync(
                HttpRequest.get(server.url("/moved")).redirects(RedirectPolicy.none()).build())
            .join();
    assertThat(notFollowed.status()).isEqualTo(302);
  }

  @Test
  void a_session_stores_and_sends_its_cookies() throws Exception {
    JdkServer server = server();
    HttpSession user = client().newSession();
    user.sendAsync(HttpRequest.get(server.url("/login")).build()).join();
    assertThat(user.cookies().cookieHeader(java.net.URI.create(server.url("/"))))
        .isEqualTo("session=abc");
    HttpResponse r = user.sendAsync(HttpRequest.get(server.url("/echo")).build()).join();
    assertThat(r.bodyString()).contains("cookie=session=abc");
  }

  @Test
  void decorators_run_on_the_calling_thread_and_add_their_headers() throws Exception {
    JdkServer server = server();
    List<Thread> decoratedOn = new ArrayList<>();
    HttpClient client =
        client(
            HttpClient.builder()
                .discoverDecorators(false)
                .decorator(
                    request -> {
                      decoratedOn.add(Thread.currentThread());
                      return Map.of("X-Test", "decorated");
                    }));
    HttpResponse r = client.sendAsync(HttpRequest.get(server.url("/echo")).build()).join();
    assertThat(r.bodyString()).contains("x=decorated");
    assertThat(decoratedOn).containsExactly(Thread.currentThread());
  }

  @Test
  void a_closed_port_fails_the_future_with_kind_refused() throws Exception {
    int port = closedPort();
    AtomicReference<Thread> completer = new AtomicReference<>();
    CompletableFuture<HttpResponse> f =
        client()
            .sendAsync(HttpRequest.get("http://127.0.0.1:" + port + "/").build())
            .whenComplete((r, e) -> completer.set(Thread.currentThread()));
    HttpFailure failure = failureOf(f);
    assertThat(failure.kind()).isEqualTo(FailureKind.REFUSED);
    assertThat(failure.getMessage()).contains("refused", "127.0.0.1:" + port);
    assertThat(completer.get().getName()).startsWith("grindstone-http");
    assertThat(listener.count(FailureKind.REFUSED)).isEqualTo(1);
  }

  @Test
  void a_server_that_never_answers_fails_the_future_with_kind_read_timeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RawServer server = silentServer(release);
    try {
      HttpClient client = client(HttpClient.builder().requestTimeout(Duration.ofMillis(200)));
      HttpFailure f = failureOf(client.sendAsync(HttpRequest.get(server.url("/")).build()));
      assertThat(f.kind()).isEqualTo(FailureKind.READ_TIMEOUT);
      assertThat(f.getMessage()).contains("200 ms", "no byte received");
      HttpFailure perRequest =
          failureOf(
              client.sendAsync(
                  HttpRequest.get(server.url("/")).timeout(Duration.ofMillis(100)).build()));
      assertThat(perRequest.getMessage()).contains("100 ms");
      assertThat(listener.count(FailureKind.READ_TIMEOUT)).isEqualTo(2);
    } finally {
      release.countDown();
    }
  }

  @Test
  void a_full_pool_fails_the_waiting_future_with_kind_pool_timeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RawServer server = silentServer(release);
    try {
      HttpClient client =
          client(
              HttpClient.builder().maxConnectionsPerHost(1).requestTimeout(Duration.ofMillis(300)));
      // The holder outlasts the waiter's timeout, so that its connection never becomes free.
      CompletableFuture<HttpResponse> holder =
          client.sendAsync(
              HttpRequest.get(server.url("/hold")).timeout(Duration.ofSeconds(3)).build());
      HttpFailure waiting =
          failureOf(client.sendAsync(HttpRequest.get(server.url("/second")).build()));
      assertThat(waiting.kind()).isEqualTo(FailureKind.POOL_TIMEOUT);
      assertThat(waiting.getMessage()).contains("maxConnectionsPerHost");
      assertThat(holder).isNotDone();
    } finally {
      release.countDown();
    }
  }

  @Test
  void a_pooled_connection_closed_by_the_target_is_retried_on_a_new_one() throws Exception {
    RawServer server = oneAnswerPerConnection();
    HttpClient client = client();
    assertThat(client.sendAsync(HttpRequest.get(server.url("/")).build()).join().status())
        .isEqualTo(200);
    Thread.sleep(150);
    HttpResponse second = client.sendAsync(HttpRequest.get(server.url("/")).build()).join();
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.newConnection()).isTrue();
  }

  @Test
  void one_thread_has_many_requests_in_flight_at_once_over_a_bounded_pool() throws Exception {
    // Every request waits at the server until all 40 have arrived: they can only complete if they
    // are all in flight together, on 40 connections, from this one thread.
    int n = 40;
    CountDownLatch arrived = new CountDownLatch(n);
    RawServer server =
        closeLater(
            new RawServer(
                s -> {
                  InputStream in = s.getInputStream();
                  while (!RawServer.readHead(in).isEmpty()) {
                    arrived.countDown();
                    arrived.await(10, TimeUnit.SECONDS);
                    RawServer.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                  }
                }));
    HttpClient client = client(HttpClient.builder().maxConnectionsPerHost(n));
    List<CompletableFuture<HttpResponse>> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(client.sendAsync(HttpRequest.get(server.url("/" + i)).build()));
    }
    CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(batch).allSatisfy(f -> assertThat(f.join().bodyString()).isEqualTo("ok"));
    assertThat(client.openConnections()).isEqualTo(n);

    // Far more than the pool allows: most wait for a connection, each connection goes from one
    // request to the next as soon as a response is complete, and none is lost or mixed up.
    RawServer echo =
        closeLater(
            new RawServer(
                s -> {
                  InputStream in = s.getInputStream();
                  String head;
                  while (!(head = RawServer.readHead(in)).isEmpty()) {
                    String path = head.substring(4, head.indexOf(' ', 4));
                    RawServer.write(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Length: " + path.length() + "\r\n\r\n" + path);
                  }
                }));
    HttpClient small = client(HttpClient.builder().maxConnectionsPerHost(4));
    List<CompletableFuture<HttpResponse>> more = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      more.add(small.sendAsync(HttpRequest.get(echo.url("/echo?i=" + i)).build()));
    }
    for (int i = 0; i < more.size(); i++) {
      assertThat(more.get(i).get(10, TimeUnit.SECONDS).bodyString()).isEqualTo("/echo?i=" + i);
    }
    assertThat(small.openConnections()).isBetween(1, 4);
  }

  @Test
  void a_stage_on_the_event_loop_sends_the_next_request_without_waiting() throws Exception {
    // A closed loop as a load generator runs it: each completion sends the next request.
    JdkServer server = server();
    HttpClient client = client();
    int total = 200;
    AtomicInteger done = new AtomicInteger();
    CompletableFuture<Integer> finished = new CompletableFuture<>();
    HttpRequest request = HttpRequest.get(server.url("/echo")).build();
    Runnable[] next = new Runnable[1];
    next[0] =
        () ->
            client
                .sendAsync(request)
                .whenComplete(
                    (r, e) -> {
                      if (e != null) {
                        finished.completeExceptionally(e);
                      } else if (done.incrementAndGet() == total) {
                        finished.complete(total);
                      } else {
                        next[0].run();
                      }
                    });
    next[0].run();
    assertThat(finished.get(10, TimeUnit.SECONDS)).isEqualTo(total);
    assertThat(client.openConnections()).isEqualTo(1);
  }

  @Test
  void bytes_after_a_response_never_become_the_response_of_the_next_request() throws Exception {
    // The first connection answers with two bytes more than its Content-Length; the stage that
    // sends the next request runs before the event loop has looked at them.
    AtomicInteger connections = new AtomicInteger();
    RawServer server =
        closeLater(
            new RawServer(
                s -> {
                  boolean first = connections.incrementAndGet() == 1;
                  InputStream in = s.getInputStream();
                  while (!RawServer.readHead(in).isEmpty()) {
                    RawServer.write(
                        s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + (first ? "XX" : ""));
                  }
                }));
    HttpClient client = client();
    HttpRequest request = HttpRequest.get(server.url("/")).build();
    HttpResponse second =
        client
            .sendAsync(request)
            .thenCompose(first -> client.sendAsync(request))
            .get(10, TimeUnit.SECONDS);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.bodyString()).isEqualTo("ok");
    assertThat(second.newConnection()).isTrue();
  }

  @Test
  void a_blocking_stage_runs_on_an_executor_of_its_own() throws Exception {
    JdkServer server = server();
    HttpClient client = client();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      // The stage sends a blocking request: on the event loop that would wait for itself.
      HttpResponse nested =
          client
              .sendAsync(HttpRequest.get(server.url("/echo?first")).build())
              .thenApplyAsync(r -> client.get(server.url("/echo?second")), executor)
              .get(10, TimeUnit.SECONDS);
      assertThat(nested.bodyString()).startsWith("GET /echo?second");
    }
  }

  @Test
  void closing_the_client_fails_requests_in_flight_and_later_ones_with_kind_client_closed()
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RawServer server = silentServer(release);
    try {
      HttpClient client = client();
      CompletableFuture<HttpResponse> inFlight =
          client.sendAsync(HttpRequest.get(server.url("/")).build());
      Thread.sleep(100);
      client.close();
      assertThat(failureOf(inFlight).kind()).isEqualTo(FailureKind.CLIENT_CLOSED);
      CompletableFuture<HttpResponse> later =
          client.sendAsync(HttpRequest.get(server.url("/")).build());
      assertThat(later).isCompletedExceptionally();
      assertThat(failureOf(later).kind()).isEqualTo(FailureKind.CLIENT_CLOSED);
    } finally {
      release.countDown();
    }
  }

  @Test
  void a_null_request_is_rejected_at_once() {
    HttpClient client = client();
    assertThatThrownBy(() -> client.sendAsync(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("request");
  }
}
