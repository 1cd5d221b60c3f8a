package dev.grindstone.livecheck.kafka.example;

import dev.grindstone.livecheck.CaseSettings;
import dev.grindstone.livecheck.Durations;
import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.example.PlaceOrderCase;
import dev.grindstone.livecheck.kafka.KafkaTransport;
import dev.grindstone.livecheck.kafka.LiveCheckTopics;
import dev.grindstone.livecheck.time.TimeSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One replica of the order service with its LiveCheck app "orders-service" on Kafka: the {@link
 * KafkaTransport}, the report sink on {@code livecheck-report}, the {@link PlaceOrderCase} (every
 * order a test; the leader places a fake order every {@code every}) and the {@link
 * KafkaOrderService}. It tells what happens through {@code events}, one line each: {@code leader
 * true|false}, {@code fake-request}, {@code triggered ID}, {@code shipped ID}, {@code report ID
 * STATE}. Run as a program it prints them on standard output, for the end-to-end tests.
 * Thread-safe.
 */
public final class KafkaOrderReplica implements AutoCloseable {
  private final KafkaTransport transport;
  private final LiveCheck app;
  private final PlaceOrderCase placeOrder;
  private final KafkaOrderService service;
  private final TimeSource.Cancellable leaderWatch;

  private KafkaOrderReplica(
      String bootstrapServers,
      LiveCheckTopics topics,
      String name,
      Duration every,
      Duration shipWithin,
      Consumer<String> events)
      throws IOException {
    transport =
        KafkaTransport.builder(bootstrapServers)
            .topics(topics)
            .clientId("livecheck-" + name)
            .build();
    app =
        LiveCheck.builder("orders-service")
            .transport(transport)
            .sink(transport.reportSink())
            .sink(
                r -> {
                  if (r.execution() != null) {
                    events.accept("report " + r.execution().id() + " " + r.state());
                  }
                })
            .logReports(false)
            .log(line -> {})
            .build();
    placeOrder =
        app.register(
            new PlaceOrderCase(
                CaseSettings.builder()
                    .probability(1.0)
                    .frequency(every)
                    .warnStalledAfter("10m")
                    .urlErrorRetries(2)
                    .urlTimeoutTotal("5s")
                    .build(),
                shipWithin));
    placeOrder.onFakeRequest(() -> events.accept("fake-request"));
    service = KafkaOrderService.start(bootstrapServers, topics, name, placeOrder, events);
    app.start();
    boolean[] leading = {false};
    leaderWatch =
        TimeSource.system()
            .scheduleAtFixedRate(
                Duration.ZERO,
                Duration.ofMillis(50),
                () -> {
                  boolean now = app.isLeader();
                  synchronized (leading) {
                    if (now != leading[0]) {
                      leading[0] = now;
                      events.accept("leader " + now);
                    }
                  }
                });
  }

  /**
   * Starts a replica named {@code name}.
   *
   * @param every how often the leader places a fake order
   * @param shipWithin how long a test waits for its order to ship
   */
  public static KafkaOrderReplica start(
      String bootstrapServers,
      LiveCheckTopics topics,
      String name,
      Duration every,
      Duration shipWithin,
      Consumer<String> events)
      throws IOException {
    return new KafkaOrderReplica(bootstrapServers, topics, name, every, shipWithin, events);
  }

  /** The LiveCheck app. */
  public LiveCheck app() {
    return app;
  }

  /** The order service. */
  public KafkaOrderService service() {
    return service;
  }

  /**
   * Leaves the groups (the lead moves at once) and lets the tests in hand finish while orders still
   * ship, then stops the service and closes the clients.
   */
  @Override
  public void close() {
    leaderWatch.cancel();
    app.close();
    service.close();
    transport.close();
  }

  /**
   * {@code --bootstrap HOST:PORT [--prefix P] [--name N] [--every 500ms] [--ship-within 5s]}: runs
   * a replica until standard input closes or the process is stopped.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> o =
        new HashMap<>(
            Map.of("--prefix", "", "--name", "replica", "--every", "500ms", "--ship-within", "5s"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i], args[i + 1]);
    }
    if (!o.containsKey("--bootstrap")) {
      System.err.println(
          "usage: KafkaOrderReplica --bootstrap HOST:PORT [--prefix P] [--name N] [--every 500ms]"
              + " [--ship-within 5s]");
      System.exit(2);
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Consumer<String> events =
        line -> {
          synchronized (out) {
            out.println(line);
          }
        };
    KafkaOrderReplica r =
        start(
            o.get("--bootstrap"),
            new LiveCheckTopics(o.get("--prefix")),
            o.get("--name"),
            Durations.parse("--every", o.get("--every")),
            Durations.parse("--ship-within", o.get("--ship-within")),
            events);
    events.accept("started " + r.service().uri());
    Runtime.getRuntime().addShutdownHook(new Thread(r::close));
    // Standard input closing (the parent went away) ends the replica as well.
    while (System.in.read() >= 0) {
      // ignore input
    }
    System.exit(0);
  }
}
