package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.Reservation;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScenarioLoad;
import dev.grindstone.engine.run.Shard;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent's side of reservations, against a server on loopback that answers as told. */
class ReserverTest {

  private HttpServer server;
  private final List<String> said = new ArrayList<>();

  /** A server answering {@code POST /api/v1/agents/a1/reserve} with {@code answer}. */
  private CoordinatorClient serve(int status, Function<JsonNode, String> answer) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/agents/a1/reserve",
        exchange -> {
          JsonNode body = CoordinatorClient.JSON.readTree(exchange.getRequestBody());
          byte[] out = answer.apply(body).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
    return new CoordinatorClient(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), null);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** Reserves what is asked, an attempt that starts at {@code from}. */
  private static String grant(JsonNode body, long from) {
    ObjectNode reserved = CoordinatorClient.JSON.createObjectNode();
    body.get("reserve")
        .fields()
        .forEachRemaining(
            e -> {
              long used = Math.max(from, e.getValue().get("used").asLong());
              ObjectNode a = reserved.putObject(e.getKey());
              a.put("from", from);
              a.put("reserved", used + e.getValue().get("ahead").asLong());
            });
    ObjectNode answer = CoordinatorClient.JSON.createObjectNode();
    answer.set("reserved", reserved);
    return answer.toString();
  }

  @Test
  void rows_are_reserved_ahead_from_where_the_attempt_starts_and_users_beyond_them_get_more()
      throws Exception {
    AtomicInteger requests = new AtomicInteger();
    CoordinatorClient client =
        serve(
            200,
            body -> {
              requests.incrementAndGet();
              return grant(body, 40);
            });
    Reservation rows = new Reservation("queue feeder 'users.csv'", 10_000, 0);
    Reservation counted = Reservation.counted("iterations of phase 1 'once'", 100);
    try (Reserver reserver =
        new Reserver(
            client, "a1", List.of(rows, counted), Duration.ofMinutes(1), said::add, () -> {})) {
      reserver.begin();
      assertThat(rows.from()).isEqualTo(40);
      assertThat(rows.limit()).as("twice the floor ahead").isEqualTo(40 + 2 * Reservation.FLOOR);
      assertThat(counted.from()).isEqualTo(40);
      reserver.start();
      // Users take far more than the margin: they ask for more as they go, long before the
      // interval's ask, and wait for the answer when they get beyond it.
      Set<Long> taken = ConcurrentHashMap.newKeySet();
      List<Thread> users = new ArrayList<>();
      for (int u = 0; u < 4; u++) {
        users.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      for (int i = 0; i < 100; i++) {
                        long p = rows.tryTake();
                        while (p == Reservation.NONE) {
                          rows.await(() -> false);
                          p = rows.tryTake();
                        }
                        assertThat(taken.add(p)).as("row %d once", p).isTrue();
                      }
                    }));
      }
      for (Thread t : users) {
        t.join(30_000);
        assertThat(t.isAlive()).as("served at once, not at the minute's ask").isFalse();
      }
      assertThat(taken).hasSize(400).allMatch(p -> p >= 40 && p < 440);
      assertThat(requests.get()).as("not one request a row").isLessThan(40);
      assertThat(reserver.notes())
          .anyMatch(n -> n.contains("The queue feeder 'users.csv' started at row 40"));
    }
  }

  @Test
  void a_server_without_reservations_lets_the_agent_take_every_row_from_the_first()
      throws Exception {
    CoordinatorClient client =
        serve(404, body -> "{\"error\":\"no route POST /api/v1/agents/a1/reserve\"}");
    Reservation rows = new Reservation("queue feeder 'users.csv'", 3, 0);
    try (Reserver reserver =
        new Reserver(client, "a1", List.of(rows), Duration.ofSeconds(1), said::add, () -> {})) {
      reserver.begin();
      reserver.start();
    }
    assertThat(List.of(rows.tryTake(), rows.tryTake(), rows.tryTake())).containsExactly(0L, 1L, 2L);
    assertThat(said)
        .singleElement()
        .asString()
        .contains("keeps no reservations (an older version)");
  }

  @Test
  void an_agent_keeps_reserved_at_least_the_users_its_share_may_start_at_once() {
    RunConfig open =
        RunConfig.builder("open")
            .period(Duration.ofSeconds(1))
            .phase(Phase.hold("hold", Duration.ofSeconds(10), 9))
            .phase(Phase.rate("open", Duration.ofSeconds(10), 100, 5))
            .build();
    // Agent 0 of 2: 5 of the 9 users, or two intervals of its 50 arrivals a second.
    assertThat(Reserver.concurrentUsers(open, new Shard(0, 2))).isEqualTo(100);
    RunConfig once =
        RunConfig.builder("once")
            .phase(new Phase("once", null, new LoadShape.Constant(9), null, null, 3, null))
            .build();
    assertThat(Reserver.concurrentUsers(once, new Shard(0, 2))).isEqualTo(5);
    RunConfig both =
        RunConfig.builder("both")
            .phase(
                Phase.of(
                    "both",
                    Duration.ofSeconds(10),
                    ScenarioLoad.of("a").users(7),
                    ScenarioLoad.of("b").users(4)))
            .build();
    assertThat(Reserver.concurrentUsers(both, new Shard(0, 2))).as("4 + 2").isEqualTo(6);
  }
}
