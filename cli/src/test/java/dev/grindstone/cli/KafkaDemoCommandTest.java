package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.livecheck.kafka.broker.KafkaBrokerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code livecheck demo --replicas} and {@code server --kafka-bootstrap} with real brokers, from
 * the jars the build copies.
 */
class KafkaDemoCommandTest {
  @TempDir Path dir;

  private static String[] run(String... args) {
    return LiveCheckCommandTest.run(args);
  }

  @Test
  void the_demo_starts_a_broker_runs_replicas_and_shows_who_leads_and_who_sent_each_signal() {
    String[] r =
        run("livecheck", "demo", "--replicas", "2", "--duration", "4s", "--every", "400ms");
    assertThat(r[0]).as(r[2] + r[1]).isEqualTo("0");
    String out = r[1];
    assertThat(out)
        .contains("starting a single-node Kafka broker in a child JVM")
        .contains("broker ready on 127.0.0.1:");
    assertThat(out).containsPattern("replica-\\d leads: it places the fake orders");
    assertThat(out)
        .containsPattern(
            "test \\w+ triggered on replica-\\d, shipped by replica-\\d, ran on replica-\\d: PASS");
    assertThat(out)
        .containsPattern("replica-\\d \\(the leader\\) leaves; another replica takes the lead");
    assertThat(out).containsPattern("reports by state: \\{PASS=\\d+");
  }

  @Test
  void the_server_stores_the_reports_of_the_kafka_topic_once_each() throws Exception {
    try (KafkaBrokerProcess broker =
        KafkaBrokerProcess.start(
            dir.resolve("broker"), KafkaBrokerClasspath.find(), Duration.ofSeconds(60))) {
      Process server =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "server",
                  "--port",
                  "0",
                  "--db",
                  "jdbc:sqlite:" + dir.resolve("server.db"),
                  "--kafka-bootstrap",
                  broker.bootstrapServers())
              .redirectErrorStream(true)
              .start();
      try {
        CompletableFuture<URI> url = new CompletableFuture<>();
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  Pattern listening = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                      Matcher m = listening.matcher(line);
                      if (m.find()) {
                        url.complete(URI.create(m.group(1)));
                      }
                    }
                  } catch (java.io.IOException e) {
                    url.completeExceptionally(e);
                  }
                });
        URI base = url.get(60, TimeUnit.SECONDS);

        String[] r =
            run(
                "livecheck",
                "demo",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--replicas",
                "2",
                "--duration",
                "4s",
                "--every",
                "300ms");
        assertThat(r[0]).as(r[2] + r[1]).isEqualTo("0");
        Matcher m = Pattern.compile("reports by state: \\{([^}]*)\\}").matcher(r[1]);
        assertThat(m.find()).as(r[1]).isTrue();
        int reports = 0;
        for (String kv : m.group(1).split(", ")) {
          reports += Integer.parseInt(kv.substring(kv.indexOf('=') + 1));
        }
        assertThat(reports).isPositive();

        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> ids = List.of();
        while (System.nanoTime() < deadline) {
          JsonNode body =
              json.readTree(
                  http.send(
                          HttpRequest.newBuilder(base.resolve("/api/livecheck/reports?limit=500"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
          ids = body.get("reports").findValuesAsText("test_id");
          if (ids.size() >= reports) {
            break;
          }
          Thread.sleep(200);
        }
        assertThat(ids).as("reports stored by the server").hasSize(reports).doesNotHaveDuplicates();
      } finally {
        server.destroy();
        server.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }
}
