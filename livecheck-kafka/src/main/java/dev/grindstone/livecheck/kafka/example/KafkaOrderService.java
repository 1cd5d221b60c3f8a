package dev.grindstone.livecheck.kafka.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.grindstone.livecheck.Case;
import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.example.OrderService;
import dev.grindstone.livecheck.example.PlaceOrderCase;
import dev.grindstone.livecheck.example.Shipment;
import dev.grindstone.livecheck.kafka.LiveCheckProducerInterceptor;
import dev.grindstone.livecheck.kafka.LiveCheckRecords;
import dev.grindstone.livecheck.kafka.LiveCheckTopics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One replica of the example order service, wired through Kafka: {@code POST /orders} (on
 * 127.0.0.1, a free port) may turn the order into a LiveCheck test and writes it to the {@code
 * orders} topic; the shipping step is a consumer group over that topic shared by all replicas, so
 * an order placed on one replica is usually shipped by another. The test crosses that hop in the
 * record's headers ({@link LiveCheckProducerInterceptor} on the way out, {@link LiveCheckRecords}
 * on the way in), and the shipping replica's {@code order_shipped} signal reaches the test wherever
 * it runs. Tells what it does through {@code events}: {@code triggered ID}, {@code shipped ID}.
 * Thread-safe.
 */
public final class KafkaOrderService implements AutoCloseable {
  private final PlaceOrderCase placeOrder;
  private final String ordersTopic;
  private final Consumer<String> events;
  private final HttpServer server;
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private final KafkaProducer<String, String> producer;
  private final KafkaConsumer<String, String> shipping;
  private final Thread shipper;
  private final AtomicLong orders = new AtomicLong();
  private final AtomicLong shipped = new AtomicLong();
  private volatile boolean closed;

  private KafkaOrderService(
      String bootstrapServers,
      LiveCheckTopics topics,
      String replica,
      PlaceOrderCase placeOrder,
      Consumer<String> events)
      throws IOException {
    this.placeOrder = placeOrder;
    this.ordersTopic = topics.prefix() + "orders";
    this.events = events;
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "orders-" + replica);
    // Carries the current LiveCheck test, if any, in the headers of every order record.
    p.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, LiveCheckProducerInterceptor.class.getName());
    producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    Properties c = new Properties();
    c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + "orders-shipping");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "shipping-" + replica);
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
    c.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        List.of(CooperativeStickyAssignor.class.getName()));
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    shipping = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(handlers);
    server.createContext("/orders", this::placeOrder);
    shipper =
        Thread.ofPlatform().daemon().name("orders-shipping-" + replica).unstarted(this::shipLoop);
  }

  /**
   * Starts a replica for {@code placeOrder} (registered with a started app), creating the {@code
   * orders} topic (6 partitions) when it is missing.
   */
  public static KafkaOrderService start(
      String bootstrapServers,
      LiveCheckTopics topics,
      String replica,
      PlaceOrderCase placeOrder,
      Consumer<String> events)
      throws IOException {
    createTopic(bootstrapServers, topics.prefix() + "orders");
    KafkaOrderService s =
        new KafkaOrderService(bootstrapServers, topics, replica, placeOrder, events);
    s.server.start();
    s.shipper.start();
    placeOrder.target(s.uri());
    return s;
  }

  /** The replica's base URL. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Orders placed on this replica. */
  public long orders() {
    return orders.get();
  }

  /** Orders shipped by this replica (placed on any). */
  public long shipped() {
    return shipped.get();
  }

  @SuppressWarnings("try") // the trigger's scope is used for its effect on the thread's context
  private void placeOrder(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        OrderService.respond(ex, 405, "{\"error\":\"use POST\"}");
        return;
      }
      ex.getRequestBody().readAllBytes();
      String orderId = UUID.randomUUID().toString();
      orders.incrementAndGet();
      try (Case.Trigger test = placeOrder.maybeTrigger(orderId, Map.of("item", "livecheck-book"))) {
        if (test.triggered()) {
          events.accept("triggered " + orderId);
        }
        // Inside the test: the interceptor adds its headers to the record.
        producer.send(new ProducerRecord<>(ordersTopic, orderId, "{\"item\":\"livecheck-book\"}"));
      }
      OrderService.respond(ex, 201, "{\"order\":\"" + orderId + "\"}");
    }
  }

  private void shipLoop() {
    try (shipping) {
      shipping.subscribe(List.of(ordersTopic));
      while (!closed) {
        LiveCheckRecords.forEach(
            shipping.poll(Duration.ofMillis(100)),
            record -> {
              shipped.incrementAndGet();
              // The record's test, if it carries one, is current here: the signal reaches it.
              Optional<String> test = LiveCheck.current().map(t -> t.id());
              test.ifPresent(id -> events.accept("shipped " + id));
              placeOrder.orderShipped.send(new Shipment(record.key(), "SHIPPED"));
            });
      }
    } catch (WakeupException e) {
      // closing
    }
  }

  private static void createTopic(String bootstrapServers, String topic) throws IOException {
    try (Admin admin =
        Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!names.contains(topic)) {
        admin
            .createTopics(List.of(new NewTopic(topic, Optional.of(6), Optional.empty())))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IOException("cannot create topic " + topic + ": " + e.getCause(), e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IOException("Kafka at " + bootstrapServers + " did not answer within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    handlers.shutdownNow();
    shipping.wakeup();
    try {
      shipper.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
