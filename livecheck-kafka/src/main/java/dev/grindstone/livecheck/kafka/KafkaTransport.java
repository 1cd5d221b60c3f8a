package dev.grindstone.livecheck.kafka;

import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.TestExecution;
import dev.grindstone.livecheck.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * LiveCheck over Kafka: the instances (replicas) of a service share one app through the topics of
 * {@link LiveCheckTopics}.
 *
 * <pre>{@code
 * KafkaTransport kafka = KafkaTransport.builder("kafka-1:9092").build();
 * LiveCheck livecheck = LiveCheck.builder("orders-service")
 *     .transport(kafka)
 *     .sink(kafka.reportSink())   // livecheck-report, acks=all, idempotent
 *     .build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Test executions</b> go to {@code livecheck}, keyed by test id, and are shared by the
 *       app's consumer group (classic protocol, cooperative-sticky assignment). An offset is
 *       committed only after the execution's report was acknowledged by every report sink (with
 *       {@link #reportSink()}: by the broker), so a replica that dies mid-test leaves the test to
 *       be run again elsewhere. A group that has never committed starts at now minus {@code
 *       lookback}.
 *   <li><b>Signals</b> go to {@code livecheck-bus}, keyed by test id, and are broadcast: every
 *       replica assigns itself every partition (no group) from now minus {@code lookback}. A signal
 *       that arrives before its test waits is kept for {@code signalRetention} (see {@link
 *       LiveCheck.Builder#signalRetention}), so neither the order of arrival nor a rebalance loses
 *       it. (Faust resolves signals in a map local to the worker that consumed them, which is right
 *       only while that worker also runs the test.)
 *   <li><b>Leader</b>: the replica that owns the one partition of {@code livecheck-leader} in the
 *       app's leader group (classic protocol, {@code sessionTimeout} 6 s, cooperative-sticky, so a
 *       joining replica does not take the lead). It still leads only while its last heartbeat is
 *       younger than the session timeout; the app asks before each fake request. After the leader
 *       dies, another takes over within about the session timeout; after a clean shutdown, at once.
 *   <li>Every record carries the test's LiveCheck headers, {@code traceparent}, {@code baggage} and
 *       {@link KafkaHeaders#APP}.
 * </ul>
 *
 * <p>Missing topics are created at the first {@link #join} (tests and bus with {@code partitions}
 * partitions, the leader topic with one). One producer (acks=all, idempotent) serves all
 * memberships; each membership has three consumers, each on its own thread. Thread-safe; {@link
 * #close()} after closing the apps that use it.
 */
public final class KafkaTransport implements Transport, AutoCloseable {
  private final Map<String, Object> clientConfig;
  private final LiveCheckTopics topics;
  private final int partitions;
  private final boolean createTopics;
  private final Duration lookback;
  private final Duration signalRetention;
  private final Duration sessionTimeout;
  private final int maxInFlight;
  private final Duration drainTimeout;
  private final Consumer<String> log;
  private final KafkaProducer<String, byte[]> producer;
  private final List<KafkaMembership> memberships = new CopyOnWriteArrayList<>();
  private volatile boolean topicsChecked;
  private volatile boolean closed;

  private KafkaTransport(Builder b) {
    this.clientConfig = Map.copyOf(b.clientConfig);
    this.topics = b.topics;
    this.partitions = b.partitions;
    this.createTopics = b.createTopics;
    this.lookback = b.lookback;
    this.signalRetention = b.signalRetention;
    this.sessionTimeout = b.sessionTimeout;
    this.maxInFlight = b.maxInFlight;
    this.drainTimeout = b.drainTimeout;
    this.log = b.log;
    this.producer =
        new KafkaProducer<>(
            producerConfig(clientConfig, b.clientId + "-producer"),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  /**
   * A builder for the cluster at {@code bootstrapServers} ({@code host:port[,host:port...]}).
   *
   * @throws IllegalArgumentException when it is blank
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /** The topic names. */
  public LiveCheckTopics topics() {
    return topics;
  }

  /**
   * A report sink that writes to {@code livecheck-report} through this transport's producer, keyed
   * by test id, and completes a report's delivery when the broker acknowledged it.
   */
  public KafkaReportSink reportSink() {
    return new KafkaReportSink(producer, topics.reports(), false, log);
  }

  @Override
  public Optional<Duration> signalRetention() {
    return Optional.of(signalRetention);
  }

  @Override
  public Membership join(String app, Member member) {
    ensureOpen();
    ensureTopics();
    KafkaMembership m =
        new KafkaMembership(
            this,
            app,
            member,
            clientConfig,
            topics,
            lookback,
            sessionTimeout,
            maxInFlight,
            drainTimeout,
            log);
    memberships.add(m);
    m.start();
    return m;
  }

  @Override
  public void publishExecution(String app, TestExecution execution) {
    if (closed) {
      // Instrumentation never breaks the service: a test triggered while shutting down is dropped.
      log.accept(
          "livecheck: test "
              + execution.id()
              + " of "
              + execution.caseName()
              + " dropped: the Kafka transport is closed");
      return;
    }
    send(topics.tests(), app, execution.id(), Codec.execution(execution), execution);
  }

  @Override
  public void publishSignal(String app, SignalEvent event) {
    if (closed) {
      return; // shutting down: no test here waits any more
    }
    byte[] value;
    try {
      value = Codec.signal(event);
    } catch (IllegalArgumentException e) {
      // Instrumentation never breaks the service: the test times out and says why in the log.
      log.accept(
          "livecheck: signal "
              + event.signalName()
              + " of "
              + event.caseName()
              + " not sent: its value cannot be written as JSON: "
              + e.getMessage());
      return;
    }
    TestExecution current = TestContext.current().orElse(null);
    if (current != null && !current.id().equals(event.testId())) {
      current = null;
    }
    String key = event.testId() != null ? event.testId() : event.key();
    send(topics.bus(), app, key, value, current);
  }

  /** Signal events read from the bus by the apps joined through this transport, so far. */
  public long signalsRead() {
    return memberships.stream().mapToLong(KafkaMembership::signalsRead).sum();
  }

  /**
   * Test executions read by the apps joined through this transport, so far; a test counts again
   * when a rebalance hands it to a replica before its report was committed.
   */
  public long testsRead() {
    return memberships.stream().mapToLong(KafkaMembership::testsRead).sum();
  }

  /** Waits until every record sent so far was acknowledged or failed. */
  public void flush() {
    producer.flush();
  }

  /** Leaves every group still joined and closes the producer. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    memberships.forEach(KafkaMembership::close);
    producer.close(Duration.ofSeconds(10));
  }

  void left(KafkaMembership m) {
    memberships.remove(m);
  }

  private void send(String topic, String app, String key, byte[] value, TestExecution test) {
    RecordHeaders headers = new RecordHeaders();
    if (test != null) {
      KafkaHeaders.write(headers, test);
    }
    headers.add(KafkaHeaders.APP, app.getBytes(StandardCharsets.UTF_8));
    producer.send(
        new ProducerRecord<>(topic, null, key, value, headers),
        (RecordMetadata md, Exception e) -> {
          if (e != null) {
            log.accept(
                "livecheck: a record for " + topic + " (key " + key + ") was not stored: " + e);
          }
        });
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the Kafka transport is closed");
    }
  }

  private synchronized void ensureTopics() {
    if (topicsChecked || !createTopics) {
      return;
    }
    try (Admin admin = Admin.create(adminConfig(clientConfig))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> wanted = new ArrayList<>();
      for (String t : List.of(topics.tests(), topics.bus(), topics.reports())) {
        if (!existing.contains(t)) {
          wanted.add(new NewTopic(t, Optional.of(partitions), Optional.empty()));
        }
      }
      if (!existing.contains(topics.leader())) {
        wanted.add(new NewTopic(topics.leader(), Optional.of(1), Optional.empty()));
      }
      for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e :
          admin.createTopics(wanted).values().entrySet()) {
        try {
          e.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create topic " + e.getKey() + ": " + ex.getCause(), ex.getCause());
          }
        }
      }
      awaitLeaders(admin, wanted.stream().map(NewTopic::name).toList());
      topicsChecked = true;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot reach Kafka at "
              + clientConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
              + " to check the LiveCheck topics: "
              + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the LiveCheck topics", e);
    }
  }

  /**
   * Waits (up to 30 s) until every partition of the topics just created has a leader: before that,
   * a consumer's metadata calls retry for up to a minute, and a replica would read no signal
   * meanwhile.
   */
  private static void awaitLeaders(Admin admin, List<String> created)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (created.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        boolean ready =
            admin
                .describeTopics(created)
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .values()
                .stream()
                .allMatch(
                    d ->
                        d.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        if (ready) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "the LiveCheck topics " + created + " have no leader after 30 s");
      }
      Thread.sleep(50);
    }
  }

  static Properties producerConfig(Map<String, Object> base, String clientId) {
    Properties p = new Properties();
    p.putAll(base);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Signals are waited for: a short linger keeps their latency low, and batches still form under
    // load.
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  static Properties adminConfig(Map<String, Object> base) {
    Properties p = new Properties();
    p.putAll(base);
    return p;
  }

  /** Configures a {@link KafkaTransport}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Object> clientConfig;
    private LiveCheckTopics topics = LiveCheckTopics.DEFAULT;
    private int partitions = 6;
    private boolean createTopics = true;
    private Duration lookback = Duration.ofSeconds(60);
    private Duration signalRetention = Duration.ofMinutes(2);
    private Duration sessionTimeout = Duration.ofSeconds(6);
    private int maxInFlight = 1_000;
    private Duration drainTimeout = Duration.ofSeconds(5);
    private String clientId = "livecheck";
    private Consumer<String> log = Clients.defaultLog();

    private Builder(String bootstrapServers) {
      clientConfig = Clients.config(bootstrapServers);
    }

    /** The topic and group names (default: Faust's names, no prefix). */
    public Builder topics(LiveCheckTopics topics) {
      this.topics = Objects.requireNonNull(topics);
      return this;
    }

    /** Partitions of the tests, bus and report topics when they are created (default 6). */
    public Builder partitions(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("partitions = " + n + ": must be >= 1");
      }
      this.partitions = n;
      return this;
    }

    /** Whether missing topics are created at the first join (default true). */
    public Builder createTopics(boolean on) {
      this.createTopics = on;
      return this;
    }

    /**
     * How far back a replica starts reading the bus, and a new group the tests (default 60 s): what
     * was published while it started is not lost.
     */
    public Builder lookback(Duration d) {
      this.lookback = positive("lookback", d);
      return this;
    }

    /** How long a signal that no test here waits for yet is kept (default 2 min). */
    public Builder signalRetention(Duration d) {
      this.signalRetention = positive("signalRetention", d);
      return this;
    }

    /**
     * Session timeout of the leader and test groups (default 6 s): how long a dead replica keeps
     * its tests and its lead. Between 6 s and 300 s, the broker's default bounds.
     */
    public Builder sessionTimeout(Duration d) {
      positive("sessionTimeout", d);
      if (d.compareTo(Duration.ofSeconds(6)) < 0 || d.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException(
            "sessionTimeout = "
                + d
                + ": must be between 6 s and 5 min (the broker's"
                + " group.min/max.session.timeout.ms)");
      }
      this.sessionTimeout = d;
      return this;
    }

    /**
     * Tests received and not yet reported, at most; beyond it consumption pauses (default 1,000).
     */
    public Builder maxInFlight(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxInFlight = " + n + ": must be >= 1");
      }
      this.maxInFlight = n;
      return this;
    }

    /**
     * How long leaving, or giving partitions up in a rebalance, waits for the tests this replica
     * received from them to be reported before committing (default 5 s); tests still running then
     * run again on the partitions' next owner.
     */
    public Builder drainTimeout(Duration d) {
      this.drainTimeout = Objects.requireNonNull(d);
      if (d.isNegative()) {
        throw new IllegalArgumentException("drainTimeout = " + d + ": must be >= 0");
      }
      return this;
    }

    /** Prefix of the client ids, as brokers log them (default "livecheck"). */
    public Builder clientId(String id) {
      this.clientId = Objects.requireNonNull(id);
      return this;
    }

    /**
     * Any other Kafka client setting for every producer, consumer and admin client (security, SASL,
     * timeouts); the transport's own settings above cannot be overridden this way.
     */
    public Builder clientProperty(String name, Object value) {
      clientConfig.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
      return this;
    }

    /**
     * Where problems are logged (default: System.Logger "dev.grindstone.livecheck.kafka", WARNING).
     */
    public Builder log(Consumer<String> log) {
      this.log = Objects.requireNonNull(log);
      return this;
    }

    public KafkaTransport build() {
      return new KafkaTransport(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " = " + d + ": must be > 0");
      }
      return d;
    }
  }
}
