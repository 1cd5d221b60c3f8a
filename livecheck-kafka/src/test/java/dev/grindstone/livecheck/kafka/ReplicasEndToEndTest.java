package dev.grindstone.livecheck.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.livecheck.kafka.broker.KafkaBrokerProcess;
import dev.grindstone.livecheck.kafka.example.KafkaOrderReplica;
import dev.grindstone.server.MetricsServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas of the example order service, each in a JVM of its own, on a broker in a child JVM
 * ({@code kafka.Kafka}, 256 MB heap), with the metrics server storing the report topic as {@code
 * grindstone server --kafka-bootstrap} does. The steps build on each other, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasEndToEndTest {
  private static final LiveCheckTopics TOPICS = new LiveCheckTopics("e2e.");

  @TempDir static Path dir;
  private KafkaBrokerProcess broker;
  private MetricsServer server;
  private KafkaReportReader reader;
  private final Map<String, ReplicaProcess> replicas = new HashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();

  /** A replica JVM and the lines it printed. */
  record Event(String replica, long nanos, String line) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();

  final class ReplicaProcess {
    final String name;
    final Process process;
    volatile URI uri;

    ReplicaProcess(String name) throws IOException {
      this.name = name;
      List<String> cmd =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx128m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-cp",
              System.getProperty("java.class.path"),
              KafkaOrderReplica.class.getName(),
              "--bootstrap",
              broker.bootstrapServers(),
              "--prefix",
              TOPICS.prefix(),
              "--name",
              name,
              "--every",
              "300ms",
              "--ship-within",
              "15s");
      process = new ProcessBuilder(cmd).redirectError(dir.resolve(name + ".err").toFile()).start();
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("started ")) {
                      uri = URI.create(line.substring(8));
                    }
                    events.add(new Event(name, System.nanoTime(), line));
                  }
                } catch (IOException e) {
                  // the replica died
                }
              });
    }
  }

  @BeforeAll
  void start() throws Exception {
    broker =
        KafkaBrokerProcess.start(
            dir.resolve("broker"), System.getProperty("java.class.path"), Duration.ofSeconds(60));
    server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("server.db")).start();
    reader =
        KafkaReportReader.builder(broker.bootstrapServers())
            .topics(TOPICS)
            .start(server::ingestLiveCheckReports);
    for (String name : List.of("r1", "r2", "r3")) {
      replicas.put(name, new ReplicaProcess(name));
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (ReplicaProcess p : replicas.values()) {
      p.process.destroy();
    }
    for (ReplicaProcess p : replicas.values()) {
      if (!p.process.waitFor(20, TimeUnit.SECONDS)) {
        p.process.destroyForcibly();
      }
    }
    if (reader != null) {
      reader.close();
    }
    if (server != null) {
      server.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private static void eventually(String what, Duration within, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + within);
      }
      Thread.sleep(20);
    }
  }

  private List<Event> lines(String prefix) {
    return events.stream().filter(e -> e.line().startsWith(prefix)).toList();
  }

  private String leader() {
    String current = null;
    for (Event e : events) {
      if (e.line().equals("leader true")) {
        current = e.replica();
      } else if (e.line().equals("leader false") && e.replica().equals(current)) {
        current = null;
      }
    }
    return current;
  }

  private void placeOrder(ReplicaProcess on) throws Exception {
    http.send(
        HttpRequest.newBuilder(on.uri.resolve("/orders"))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  @Test
  @Order(1)
  void a_test_triggered_on_one_replica_passes_with_the_signal_sent_by_another() throws Exception {
    eventually("all replicas started", Duration.ofSeconds(60), () -> lines("started ").size() == 3);
    eventually("a leader", Duration.ofSeconds(30), () -> leader() != null);
    for (ReplicaProcess p : replicas.values()) {
      for (int i = 0; i < 4; i++) {
        placeOrder(p); // real traffic on every replica, besides the leader's fake orders
      }
    }
    eventually(
        "20 passing tests",
        Duration.ofSeconds(60),
        () -> lines("report ").stream().filter(e -> e.line().endsWith(" PASS")).count() >= 20);
    Map<String, String> triggeredOn = new HashMap<>();
    Map<String, String> shippedBy = new HashMap<>();
    Map<String, String> ranOn = new HashMap<>();
    lines("triggered ").forEach(e -> triggeredOn.put(e.line().substring(10), e.replica()));
    lines("shipped ").forEach(e -> shippedBy.put(e.line().substring(8), e.replica()));
    List<String> crossReplicaPasses = new ArrayList<>();
    for (Event e : lines("report ")) {
      String[] p = e.line().split(" ");
      ranOn.put(p[1], e.replica());
      String t = triggeredOn.get(p[1]);
      String s = shippedBy.get(p[1]);
      if (p[2].equals("PASS") && t != null && s != null && !t.equals(s)) {
        crossReplicaPasses.add(
            p[1] + ": triggered on " + t + ", shipped by " + s + ", ran on " + e.replica());
      }
    }
    assertThat(crossReplicaPasses)
        .as("tests whose signal came from another replica than the trigger")
        .isNotEmpty();
    assertThat(new HashSet<>(triggeredOn.values())).as("replicas that triggered tests").hasSize(3);
    assertThat(new HashSet<>(ranOn.values())).as("replicas that ran tests").hasSizeGreaterThan(1);
    assertThat(lines("report ")).as("no test failed").allMatch(e -> e.line().endsWith(" PASS"));
  }

  @Test
  @Order(2)
  void
      exactly_one_replica_makes_fake_requests_and_another_takes_over_within_10s_after_it_is_killed()
          throws Exception {
    String leader = leader();
    int before = events.size();
    Thread.sleep(1_500);
    Set<String> faking = new HashSet<>();
    events.subList(before, events.size()).stream()
        .filter(e -> e.line().equals("fake-request"))
        .forEach(e -> faking.add(e.replica()));
    assertThat(faking).as("replicas that made fake requests in 1.5 s").containsExactly(leader);

    long killedAt = System.nanoTime();
    replicas.get(leader).process.destroyForcibly(); // SIGKILL: no goodbye to the group
    replicas.get(leader).process.waitFor(10, TimeUnit.SECONDS);
    eventually(
        "another replica leads",
        Duration.ofSeconds(10),
        () ->
            events.stream()
                .anyMatch(
                    e ->
                        e.nanos() > killedAt
                            && e.line().equals("leader true")
                            && !e.replica().equals(leader)));
    Event takeover =
        events.stream()
            .filter(e -> e.nanos() > killedAt && e.line().equals("leader true"))
            .findFirst()
            .orElseThrow();
    double seconds = (takeover.nanos() - killedAt) / 1e9;
    System.out.printf(
        "leader %s killed; %s took over after %.2f s%n", leader, takeover.replica(), seconds);
    assertThat(seconds).as("seconds until another replica leads").isLessThanOrEqualTo(10.0);
    eventually(
        "the new leader makes fake requests",
        Duration.ofSeconds(5),
        () ->
            events.stream()
                .anyMatch(
                    e ->
                        e.nanos() > takeover.nanos()
                            && e.line().equals("fake-request")
                            && e.replica().equals(takeover.replica())));
    replicas.remove(leader);
  }

  @Test
  @Order(3)
  void when_the_broker_restarts_mid_run_every_execution_still_has_exactly_one_report_on_the_server()
      throws Exception {
    broker.restart();
    int reportsBefore = lines("report ").size();
    eventually(
        "tests run again after the restart",
        Duration.ofSeconds(60),
        () -> lines("report ").size() > reportsBefore + 5);

    // Every execution published so far (read from the topic itself) must get its report.
    Set<String> executions = executionsOnTopic();
    assertThat(executions).hasSizeGreaterThan(20);
    try {
      eventually(
          "a report on the server for each of " + executions.size() + " executions",
          Duration.ofSeconds(60),
          () -> storedReportCounts().keySet().containsAll(executions));
    } catch (AssertionError e) {
      Set<String> missing = new HashSet<>(executions);
      missing.removeAll(storedReportCounts().keySet());
      StringBuilder why = new StringBuilder(e.getMessage() + "; without a report: " + missing);
      for (Event ev : events) {
        if (missing.stream().anyMatch(ev.line()::contains)) {
          why.append("\n  ").append(ev.replica()).append(": ").append(ev.line());
        }
      }
      for (String r : List.of("r1", "r2", "r3")) {
        Path err = dir.resolve(r + ".err");
        if (java.nio.file.Files.exists(err)) {
          List<String> l =
              java.nio.file.Files.readAllLines(err).stream()
                  .filter(x -> x.contains("livecheck") && !x.contains("NetworkClient"))
                  .toList();
          why.append("\n")
              .append(r)
              .append(" stderr (livecheck lines, last 15):\n  ")
              .append(String.join("\n  ", l.subList(Math.max(0, l.size() - 15), l.size())));
        }
      }
      try (org.apache.kafka.clients.admin.Admin admin =
          org.apache.kafka.clients.admin.Admin.create(
              Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        String group = TOPICS.testGroup("orders-service");
        why.append("\ngroup: ")
            .append(admin.describeConsumerGroups(List.of(group)).all().get().get(group));
        why.append("\ncommitted: ")
            .append(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
      }
      why.append("\npositions of the missing: ").append(positions(missing));
      throw new AssertionError(why.toString(), e);
    }
    Map<String, Long> stored = storedReportCounts();
    assertThat(stored.entrySet())
        .as("reports stored per test id")
        .allMatch(e -> e.getValue() == 1L);
    System.out.printf(
        "%d executions; %d reports read from the topic, %d stored after deduplication%n",
        executions.size(), reader.read(), stored.size());
  }

  private Map<String, Long> storedReportCounts() {
    return server
        .database()
        .read(
            hd -> {
              Map<String, Long> m = new HashMap<>();
              hd.createQuery(
                      "SELECT TEST_ID, COUNT(*) AS N FROM LIVECHECK_REPORTS WHERE TEST_ID IS NOT"
                          + " NULL GROUP BY TEST_ID")
                  .map((rs, c) -> Map.entry(rs.getString("TEST_ID"), rs.getLong("N")))
                  .forEach(e -> m.put(e.getKey(), e.getValue()));
              return m;
            });
  }

  private Map<String, String> positions(Set<String> ids) {
    Map<String, String> out = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : executionRecords()) {
      if (ids.contains(r.key())) {
        out.put(r.key(), r.partition() + "@" + r.offset() + " ts " + r.timestamp());
      }
    }
    return out;
  }

  private Set<String> executionsOnTopic() {
    Set<String> ids = new HashSet<>();
    executionRecords().forEach(r -> ids.add(r.key()));
    return ids;
  }

  /** Every record of the tests topic up to its end offsets now. */
  private List<ConsumerRecord<String, byte[]>> executionRecords() {
    Map<String, Object> cfg =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(cfg, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(TOPICS.tests())) {
        tps.add(new TopicPartition(pi.topic(), pi.partition()));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            records.add(r);
          }
        }
      }
    }
    return records;
  }
}
