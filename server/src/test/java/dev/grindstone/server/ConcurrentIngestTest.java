package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentIngestTest {
  @TempDir Path dir;

  @Test
  void fifty_concurrent_writers_of_a_thousand_metrics_store_exactly_fifty_thousand_rows()
      throws Exception {
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      Http http = new Http(server.url());
      http.post("/contexts/", Http.context("ctx"));
      http.post("/sessions/", Http.session("ses", "x", "{}"));
      HttpClient client = HttpClient.newHttpClient();
      AtomicInteger notCreated = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
        for (int w = 0; w < 50; w++) {
          int writer = w;
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 1000; i++) {
                      HttpRequest req =
                          HttpRequest.newBuilder(URI.create(server.url() + "/metrics/"))
                              .header("Content-Type", "application/json")
                              .POST(
                                  HttpRequest.BodyPublishers.ofString(
                                      Http.metric("ses", "ctx", "w" + writer + "_" + i, "c", i)))
                              .build();
                      if (client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode()
                          != 201) {
                        notCreated.incrementAndGet();
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      }
      assertThat(notCreated.get()).isZero();
      assertThat(http.get("/metrics/count").json().get("count").asLong()).isEqualTo(50_000);
      assertThat(http.get("/sessions/ses/metrics/count").json().get("count").asLong())
          .isEqualTo(50_000);
    }
  }
}
