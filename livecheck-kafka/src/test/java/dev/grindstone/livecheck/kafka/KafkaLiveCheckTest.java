package dev.grindstone.livecheck.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.livecheck.Case;
import dev.grindstone.livecheck.CaseSettings;
import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.Signal;
import dev.grindstone.livecheck.State;
import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.TestExecution;
import dev.grindstone.livecheck.TestReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * LiveCheck apps as replicas of one service, each with Kafka clients of its own, on a real broker.
 */
@ExtendWith(KafkaCluster.Extension.class)
@SuppressWarnings("try") // scopes are opened for their effect on the thread's context
class KafkaLiveCheckTest {
  private KafkaCluster kafka;
  private LiveCheckTopics topics;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<TestReport> reports = new CopyOnWriteArrayList<>();
  private final Map<String, List<String>> fakeRequests = new ConcurrentHashMap<>();

  @BeforeEach
  void cluster(KafkaCluster kafka) {
    this.kafka = kafka;
    this.topics = kafka.uniquePrefix();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** One replica of "orders-service": its own transport (clients) and app. */
  private record Replica(String name, KafkaTransport transport, LiveCheck app, Case placeOrder)
      implements AutoCloseable {
    Signal<String> shipped() {
      return placeOrder.signal("order_shipped", String.class);
    }

    @Override
    public void close() {
      app.close();
      transport.close();
    }
  }

  private Replica replica(String name, CaseSettings settings) {
    KafkaTransport t =
        KafkaTransport.builder(kafka.bootstrapServers())
            .topics(topics)
            .partitions(3)
            .drainTimeout(Duration.ZERO)
            .build();
    LiveCheck app =
        LiveCheck.builder("orders-service")
            .transport(t)
            .sink(t.reportSink())
            .sink(reports::add)
            .logReports(false)
            .log(l -> {})
            .sampleEvery(null)
            .build();
    Case c =
        app.register(
            Case.builder("orders.place_order")
                .settings(settings)
                .signal("order_shipped", String.class)
                .run(
                    (test, self) ->
                        assertThat(
                                self.signal("order_shipped", String.class)
                                    .await(Duration.ofSeconds(20)))
                            .isEqualTo("SHIPPED " + test.id()))
                .fakeRequest(
                    self ->
                        fakeRequests
                            .computeIfAbsent(name, k -> new CopyOnWriteArrayList<>())
                            .add("fake"))
                .build());
    app.start();
    Replica r = new Replica(name, t, app, c);
    open.add(r);
    return r;
  }

  private static void eventually(String what, Duration within, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + within);
      }
      Thread.sleep(10);
    }
  }

  /** Waits until {@code group} is stable with {@code members} members, each with partitions. */
  private void awaitStableGroup(String group, int members) throws InterruptedException {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
      eventually(
          group + " stable with " + members + " members",
          Duration.ofSeconds(30),
          () -> {
            try {
              var d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
              return d.groupState() == org.apache.kafka.common.GroupState.STABLE
                  && d.members().size() == members
                  && d.members().stream()
                      .noneMatch(m -> m.assignment().topicPartitions().isEmpty());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            } catch (java.util.concurrent.ExecutionException e) {
              return false; // not created yet
            }
          });
    }
  }

  private static void sendShipped(Replica on, TestExecution test) {
    // As after a hop: the shipping step runs on another replica, inside the same test.
    try (TestContext.Scope s = TestContext.enter(test)) {
      on.shipped().send("SHIPPED " + test.id());
    }
  }

  @Test
  void
      a_test_triggered_on_one_replica_passes_with_the_signal_sent_on_another_and_is_reported_once_on_the_topic()
          throws Exception {
    Replica a = replica("a", CaseSettings.defaults());
    Replica b = replica("b", CaseSettings.defaults());
    Replica c = replica("c", CaseSettings.defaults());
    // Triggered once the three share the executions: a rebalance mid-test would run some twice.
    awaitStableGroup(topics.testGroup("orders-service"), 3);
    List<TestExecution> tests = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      TestExecution t = a.placeOrder().trigger("order-" + i, Map.of("item", "book"));
      tests.add(t);
      sendShipped(i % 2 == 0 ? c : b, t);
    }
    eventually("12 reports", Duration.ofSeconds(30), () -> reports.size() >= 12);
    assertThat(reports)
        .extracting(TestReport::state)
        .as(
            () ->
                "per replica: tests read, signals read, kept signal slots: "
                    + java.util.stream.Stream.of(a, b, c)
                        .map(
                            r ->
                                r.name()
                                    + " "
                                    + r.transport().testsRead()
                                    + "/"
                                    + r.transport().signalsRead()
                                    + "/"
                                    + r.app().pendingSignalSlots())
                        .toList()
                    + "; reports "
                    + reports.stream()
                        .map(r -> r.execution().id() + " " + r.state() + " " + r.runtime())
                        .toList())
        .containsOnly(State.PASS);
    assertThat(reports)
        .extracting(r -> r.execution().id())
        .containsExactlyInAnyOrderElementsOf(tests.stream().map(TestExecution::id).toList());
    assertThat(reports.get(0).execution().args()).containsEntry("item", "book");

    List<JsonNode> onTopic = new CopyOnWriteArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (KafkaReportReader reader =
        KafkaReportReader.builder(kafka.bootstrapServers())
            .topics(topics)
            .groupId(topics.prefix() + "reader")
            .start(
                batch -> {
                  for (String s : batch) onTopic.add(json.readTree(s));
                })) {
      eventually(
          "12 reports on " + topics.reports(), Duration.ofSeconds(30), () -> onTopic.size() >= 12);
      Thread.sleep(300);
    }
    assertThat(onTopic).hasSize(12);
    assertThat(onTopic)
        .allSatisfy(
            r -> {
              assertThat(r.get("app").asText()).isEqualTo("orders-service");
              assertThat(r.get("state").asText()).isEqualTo("PASS");
              assertThat(r.get("signal_latency").has("order_shipped")).isTrue();
            });
  }

  @Test
  void a_signal_that_arrives_before_its_test_waits_is_not_lost() throws Exception {
    Replica a = replica("a", CaseSettings.defaults());
    Replica b = replica("b", CaseSettings.defaults());
    java.time.Instant now = java.time.Instant.now();
    TestExecution t =
        new TestExecution("early-1", "orders.place_order", now, Map.of(), now.plusSeconds(600));
    sendShipped(b, t);
    Thread.sleep(500); // the signal is on every replica before the test exists anywhere
    a.app().execute(t); // runs here, on the calling thread
    assertThat(reports).singleElement().satisfies(r -> assertThat(r.state()).isEqualTo(State.PASS));
  }

  @Test
  void exactly_one_replica_makes_fake_requests_and_another_takes_over_when_it_leaves()
      throws Exception {
    CaseSettings every200ms = CaseSettings.builder().frequency("200ms").build();
    Replica a = replica("a", every200ms);
    eventually("a leads", Duration.ofSeconds(20), () -> a.app().isLeader());
    Replica b = replica("b", every200ms);
    Replica c = replica("c", every200ms);
    Thread.sleep(1_500);
    assertThat(fakeRequests.keySet()).as("who made fake requests").containsExactly("a");
    assertThat(b.app().isLeader() || c.app().isLeader()).isFalse();

    long t0 = System.nanoTime();
    open.remove(a);
    a.close();
    eventually(
        "b or c leads", Duration.ofSeconds(10), () -> b.app().isLeader() || c.app().isLeader());
    double takeover = (System.nanoTime() - t0) / 1e9;
    Replica next = b.app().isLeader() ? b : c;
    eventually(
        next.name() + " makes fake requests",
        Duration.ofSeconds(5),
        () -> fakeRequests.containsKey(next.name()));
    assertThat(fakeRequests.keySet())
        .as("who made fake requests")
        .containsExactlyInAnyOrder("a", next.name());
    assertThat(takeover).as("seconds to take over after a clean leave").isLessThan(10);
  }

  @Test
  void a_test_whose_replica_leaves_before_its_report_runs_again_on_another() throws Exception {
    Replica a = replica("a", CaseSettings.defaults());
    TestExecution t = a.placeOrder().trigger("order-left", Map.of());
    eventually("a runs the test", Duration.ofSeconds(20), () -> a.app().pendingSignalSlots() == 1);
    Replica b = replica("b", CaseSettings.defaults());
    open.remove(a);
    // Drain timeout 0: the test is cut short, reported SKIP, and its offset not committed.
    a.close();
    assertThat(reports).singleElement().satisfies(r -> assertThat(r.state()).isEqualTo(State.SKIP));
    eventually("b runs the test", Duration.ofSeconds(30), () -> b.app().pendingSignalSlots() == 1);
    sendShipped(b, t);
    eventually("b reports it", Duration.ofSeconds(10), () -> reports.size() == 2);
    assertThat(reports.get(1).state()).isEqualTo(State.PASS);
    assertThat(reports.get(1).execution().id()).isEqualTo("order-left");
  }

  @Test
  void the_test_crosses_a_consume_process_produce_hop_in_the_record_headers() throws Exception {
    Replica a = replica("a", CaseSettings.builder().probability(1.0).build());
    String orders = topics.prefix() + "orders";
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    pp.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, LiveCheckProducerInterceptor.class.getName());
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    cp.put(ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + "shipping");
    cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> seen = new CopyOnWriteArrayList<>();
    try (KafkaProducer<String, String> producer =
            new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
      producer.send(new ProducerRecord<>(orders, "plain", "outside any test"));
      TestExecution t;
      try (Case.Trigger trigger = a.placeOrder().maybeTrigger("order-hop", Map.of())) {
        t = trigger.test().orElseThrow();
        producer.send(new ProducerRecord<>(orders, "order-hop", "book"));
      }
      producer.flush();
      consumer.subscribe(List.of(orders));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.size() < 2 && System.nanoTime() < deadline) {
        LiveCheckRecords.forEach(
            consumer.poll(Duration.ofMillis(100)),
            r -> {
              seen.add(
                  r.key() + " in " + LiveCheck.current().map(TestExecution::id).orElse("no test"));
              a.shipped().send("SHIPPED " + r.key()); // a no-op outside a test
            });
      }
      assertThat(seen).containsExactly("plain in no test", "order-hop in order-hop");
      assertThat(LiveCheck.current()).isEmpty();
      eventually("the report", Duration.ofSeconds(20), () -> reports.size() == 1);
      assertThat(reports.get(0).state()).isEqualTo(State.PASS);
      assertThat(reports.get(0).execution()).isEqualTo(t);
    }
  }
}
