package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrashRecoveryTest {
  @TempDir Path dir;

  private record Child(Process process, String url) {}

  private Child startChild(String jdbcUrl) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            ChildServer.class.getName(),
            jdbcUrl);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("PORT ")) {
        String port = line.substring(5).trim();
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // Keep the pipe empty so the child never blocks on its log.
                    }
                  } catch (java.io.IOException ignored) {
                    // The child was killed.
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return new Child(p, "http://127.0.0.1:" + port);
      }
    }
    throw new AssertionError("child server did not start, exit " + p.waitFor());
  }

  @Test
  void a_server_killed_during_ingest_keeps_every_acknowledged_row_and_restarts_cleanly()
      throws Exception {
    String jdbc = "jdbc:sqlite:" + dir.resolve("crash.db");
    Child first = startChild(jdbc);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    try {
      Http http = new Http(first.url());
      assertThat(http.post("/contexts/", Http.context("ctx")).status()).isEqualTo(201);
      assertThat(http.post("/sessions/", Http.session("ses", "x", "{}")).status()).isEqualTo(201);
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new java.util.ArrayList<>();
      for (int w = 0; w < 8; w++) {
        int writer = w;
        Thread t =
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; !stop.get(); i++) {
                        String item = "w" + writer + "_" + i;
                        try {
                          HttpRequest req =
                              HttpRequest.newBuilder(URI.create(first.url() + "/metrics/"))
                                  .timeout(Duration.ofSeconds(5))
                                  .header("Content-Type", "application/json")
                                  .POST(
                                      HttpRequest.BodyPublishers.ofString(
                                          Http.metric("ses", "ctx", item, "c", i)))
                                  .build();
                          if (client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode()
                              == 201) {
                            acknowledged.add(item);
                          }
                        } catch (Exception e) {
                          return; // The server is gone.
                        }
                      }
                    });
        writers.add(t);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (acknowledged.size() < 500 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
      assertThat(first.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      for (Thread t : writers) {
        t.join(10_000);
      }
    } finally {
      first.process().destroyForcibly();
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(100);

    Child second = startChild(jdbc);
    try {
      Http http = new Http(second.url());
      Set<String> stored = new HashSet<>();
      for (int page = 1; ; page++) {
        Http.Response r = http.get("/sessions/ses/metrics?page=" + page);
        if (r.status() == 204) {
          break;
        }
        JsonNode j = r.json();
        for (JsonNode m : j.get("metrics")) {
          stored.add(m.get("item").asText());
        }
        if (page >= j.get("total_page").asInt()) {
          break;
        }
      }
      assertThat(stored).containsAll(acknowledged);
      assertThat(
              http.post("/metrics/", Http.metric("ses", "ctx", "after_restart", "c", 1)).status())
          .isEqualTo(201);
    } finally {
      second.process().destroyForcibly();
      second.process().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
