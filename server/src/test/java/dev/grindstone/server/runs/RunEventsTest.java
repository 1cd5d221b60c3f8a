package dev.grindstone.server.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.server.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunEventsTest {
  @TempDir Path dir;

  private static HttpResponse<String> post(HttpClient c, String url, String body) throws Exception {
    return c.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String next(BlockingQueue<String> lines, String prefix)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && l.startsWith(prefix)) {
        return l;
      }
    }
    throw new AssertionError("no line starting with " + prefix);
  }

  @Test
  void subscribers_get_a_snapshot_event_per_snapshot_and_finished_at_the_end() throws Exception {
    try (MetricsServer s =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("e.db")).start()) {
      HttpClient c = HttpClient.newHttpClient();
      assertThat(
              post(c, s.url() + "/api/v1/runs", "{\"id\":\"live\",\"name\":\"x\",\"agent\":\"a\"}")
                  .statusCode())
          .isEqualTo(201);
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      HttpResponse<Stream<String>> stream =
          c.send(
              HttpRequest.newBuilder(URI.create(s.url() + "/api/v1/runs/live/events"))
                  .header("Accept", "text/event-stream")
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      assertThat(stream.statusCode()).isEqualTo(200);
      Thread reader = Thread.ofVirtual().start(() -> stream.body().forEach(lines::add));
      next(lines, "event: hello");
      assertThat(
              post(
                      c,
                      s.url() + "/api/v1/runs/live/snapshots",
                      "{\"agent\":\"a\",\"seq\":0,\"startMs\":0,\"endMs\":1000,\"tests\":[]}")
                  .statusCode())
          .isEqualTo(201);
      next(lines, "event: snapshot");
      assertThat(next(lines, "data:")).contains("\"seq\":0");
      assertThat(
              post(c, s.url() + "/api/v1/runs/live/finish", "{\"agent\":\"a\",\"endMs\":1000}")
                  .statusCode())
          .isEqualTo(200);
      next(lines, "event: finished");
      reader.join(10_000);
      assertThat(reader.isAlive()).as("the stream is closed after finished").isFalse();
    }
  }

  @Test
  void events_of_an_unknown_run_answer_404() throws Exception {
    try (MetricsServer s =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("e.db")).start()) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(s.url() + "/api/v1/runs/none/events"))
                      .header("Accept", "text/event-stream")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("\"field\":\"id\"");
    }
  }

  /**
   * A run whose summary (sent with hello and finished) is about 11 MB: more than the socket buffers
   * on both sides take (up to 4 MB each here), so a subscriber that does not read blocks its
   * writer.
   */
  private static void bigRun(HttpClient c, String url, String id) throws Exception {
    String description = "d".repeat(1000);
    for (int part = 0; part < 1; part++) {
      StringBuilder tests = new StringBuilder();
      for (int i = 0; i < 10_800; i++) {
        tests
            .append(i == 0 ? "" : ",")
            .append("{\"number\":")
            .append(i)
            .append(",\"description\":\"")
            .append(description)
            .append("\"}");
      }
      assertThat(
              post(
                      c,
                      url + "/api/v1/runs",
                      "{\"id\":\""
                          + id
                          + "\",\"name\":\"big\",\"agent\":\"a\",\"tests\":["
                          + tests
                          + "]}")
                  .statusCode())
          .isEqualTo(201);
    }
  }

  /**
   * Subscribes over a socket with a small receive buffer, reads until the hello event has begun (so
   * the subscription exists), then reads nothing more.
   */
  private static java.net.Socket stuckSubscriber(String url, String id) throws Exception {
    URI u = URI.create(url);
    java.net.Socket s = new java.net.Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new java.net.InetSocketAddress(u.getHost(), u.getPort()));
    s.getOutputStream()
        .write(
            ("GET /api/v1/runs/"
                    + id
                    + "/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    s.setSoTimeout(20_000);
    StringBuilder seen = new StringBuilder();
    while (seen.indexOf("event: hello") < 0) {
      int b = s.getInputStream().read();
      if (b < 0) {
        throw new AssertionError("the stream ended before hello: " + seen);
      }
      seen.append((char) b);
    }
    return s;
  }

  @Test
  void a_subscriber_that_never_reads_does_not_hold_up_finish() throws Exception {
    try (MetricsServer s =
        MetricsServer.builder()
            .port(0)
            .bodyLimit(16 << 20)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("slow.db"))
            .start()) {
      HttpClient c = HttpClient.newHttpClient();
      bigRun(c, s.url(), "slow");
      try (java.net.Socket subscriber = stuckSubscriber(s.url(), "slow")) {
        // The subscriber's stream is stuck in the 11 MB hello it does not read.
        HttpResponse<String> finished =
            c.send(
                HttpRequest.newBuilder(URI.create(s.url() + "/api/v1/runs/slow/finish"))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"agent\":\"a\",\"endMs\":1000}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(finished.body()).contains("\"status\":\"finished\"");
        // Only now does the subscriber read on: its stream was still in the middle of the hello.
        byte[] more = subscriber.getInputStream().readNBytes(4096);
        assertThat(new String(more, java.nio.charset.StandardCharsets.UTF_8))
            .startsWith("\ndata: ");
      }
    }
  }

  @Test
  void a_subscriber_that_falls_behind_is_disconnected_and_the_writers_go_on() throws Exception {
    try (MetricsServer s =
        MetricsServer.builder()
            .port(0)
            .bodyLimit(16 << 20)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("behind.db"))
            .start()) {
      HttpClient c = HttpClient.newHttpClient();
      bigRun(c, s.url(), "behind");
      try (java.net.Socket subscriber = stuckSubscriber(s.url(), "behind")) {
        for (int i = 0; i < RunEvents.QUEUE_LIMIT + 10; i++) {
          assertThat(
                  post(
                          c,
                          s.url() + "/api/v1/runs/behind/snapshots",
                          "{\"agent\":\"a\",\"seq\":"
                              + i
                              + ",\"startMs\":"
                              + i * 1000
                              + ",\"endMs\":"
                              + (i + 1) * 1000
                              + ",\"tests\":[]}")
                      .statusCode())
              .isEqualTo(201);
        }
        // Disconnected: what was sent can be read, then the stream ends although the run has not.
        subscriber.setSoTimeout(20_000);
        byte[] all = subscriber.getInputStream().readAllBytes();
        String text = new String(all, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("event: finished");
        assertThat(text.split("event: snapshot", -1).length - 1)
            .isLessThan(RunEvents.QUEUE_LIMIT + 10);
      }
      // A subscriber that reads still gets every event.
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      HttpResponse<Stream<String>> stream =
          c.send(
              HttpRequest.newBuilder(URI.create(s.url() + "/api/v1/runs/behind/events"))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      Thread reader = Thread.ofVirtual().start(() -> stream.body().forEach(lines::add));
      next(lines, "event: hello");
      post(c, s.url() + "/api/v1/runs/behind/finish", "{\"agent\":\"a\",\"endMs\":1000}");
      next(lines, "event: finished");
      reader.join(10_000);
      assertThat(reader.isAlive()).isFalse();
    }
  }
}
