package dev.grindstone.livecheck.readme;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

  @Test
  void the_readme_shows_exactly_the_example_that_is_compiled_here() throws IOException {
    String source =
        Files.readString(
            Path.of("src/test/java/dev/grindstone/livecheck/readme/ReadmeExample.java"));
    String readme = Files.readString(Path.of("../README.md"));
    List<String> readmeLines = ReadmeBlocks.lines(readme);
    for (String name : List.of("case", "wiring")) {
      List<String> lines = ReadmeBlocks.block(source, name);
      assertThat(lines).isNotEmpty();
      int start = readmeLines.indexOf(lines.get(0));
      assertThat(start).as("README contains the %s example", name).isNotNegative();
      assertThat(readmeLines.subList(start, start + lines.size()))
          .as("README's %s example matches ReadmeExample.java", name)
          .isEqualTo(lines);
    }
  }

  @Test
  void the_readme_example_runs_and_its_reports_reach_the_metrics_server() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> reports = new CopyOnWriteArrayList<>();
    AtomicInteger fakeOrders = new AtomicInteger();
    HttpServer servers = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    servers.createContext(
        "/api/v1/livecheck/reports",
        ex -> {
          json.readTree(ex.getRequestBody()).forEach(reports::add);
          ex.sendResponseHeaders(201, -1);
          ex.close();
        });
    servers.createContext(
        "/orders",
        ex -> {
          fakeOrders.incrementAndGet();
          ex.getRequestBody().readAllBytes();
          ex.sendResponseHeaders(201, -1);
          ex.close();
        });
    servers.start();
    URI base = URI.create("http://127.0.0.1:" + servers.getAddress().getPort());
    ReadmeExample.PlaceOrder placeOrder = ReadmeExample.startLiveCheck(base, base);
    try {
      int triggered = 0;
      for (int i = 0; i < 40; i++) {
        if (ReadmeExample.acceptOrder(placeOrder, "order-" + i)) {
          triggered++;
        }
      }
      ReadmeExample.shipOrder(placeOrder); // outside a test: nothing happens
      assertThat(triggered).as("probability 0.5 over 40 orders").isBetween(1, 39);
      long deadline = System.nanoTime() + 20_000_000_000L;
      while ((reports.size() < triggered || fakeOrders.get() == 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(20); // waiting for real HTTP deliveries, not for a clock rule
      }
      assertThat(reports).hasSize(triggered);
      assertThat(reports)
          .allSatisfy(
              r -> {
                assertThat(r.get("state").asText()).isEqualTo("PASS");
                assertThat(r.get("app").asText()).isEqualTo("orders-service");
                assertThat(r.get("signal_latency").has("order_shipped")).isTrue();
              });
      assertThat(fakeOrders.get()).as("the leader's first fake order").isGreaterThanOrEqualTo(1);
    } finally {
      placeOrder.app().close();
      servers.stop(0);
    }
  }
}
