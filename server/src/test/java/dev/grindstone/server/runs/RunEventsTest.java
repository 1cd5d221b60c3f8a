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
    return c.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String next(BlockingQueue<String> lines, String prefix) throws InterruptedException {
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
    try (MetricsServer s = MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("e.db")).start()) {
      HttpClient c = HttpClient.newHttpClient();
      assertThat(post(c, s.url() + "/api/v1/runs", "{\"id\":\"live\",\"name\":\"x\",\"agent\":\"a\"}").statusCode()).isEqualTo(201);
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      HttpResponse<Stream<String>> stream = c.send(
          HttpRequest.newBuilder(URI.create(s.url() + "/api/v1/runs/live/events")).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofLines());
      assertThat(stream.statusCode()).isEqualTo(200);
      Thread reader = Thread.ofVirtual().start(() -> stream.body().forEach(lines::add));
      next(lines, "event: hello");
      assertThat(post(c, s.url() + "/api/v1/runs/live/snapshots",
          "{\"agent\":\"a\",\"seq\":0,\"startMs\":0,\"endMs\":1000,\"tests\":[]}").statusCode()).isEqualTo(201);
      next(lines, "event: snapshot");
      assertThat(next(lines, "data:")).contains("\"seq\":0");
      assertThat(post(c, s.url() + "/api/v1/runs/live/finish", "{\"agent\":\"a\",\"endMs\":1000}").statusCode()).isEqualTo(200);
      next(lines, "event: finished");
      reader.join(10_000);
      assertThat(reader.isAlive()).as("the stream is closed after finished").isFalse();
    }
  }

  @Test
  void events_of_an_unknown_run_answer_404() throws Exception {
    try (MetricsServer s = MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("e.db")).start()) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(s.url() + "/api/v1/runs/none/events")).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("\"field\":\"id\"");
    }
  }
}
