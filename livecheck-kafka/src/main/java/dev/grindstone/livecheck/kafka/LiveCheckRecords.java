package dev.grindstone.livecheck.kafka;

import dev.grindstone.livecheck.TestContext;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * Restores the LiveCheck test of consumed records, record by record (the Kafka half of Faust's
 * {@code LiveCheckSensor}): a service that consumes, processes and produces keeps the test across
 * the hop, and the signals it sends reach the test.
 *
 * <pre>{@code
 * while (running) {
 *   LiveCheckRecords.forEach(consumer.poll(Duration.ofMillis(100)), record -> {
 *     Order order = parse(record.value());
 *     producer.send(new ProducerRecord<>("shipments", order.id(), ship(order))); // carries the test on
 *     placeOrder.orderShipped.send(shipment);                                    // reaches the test
 *   });
 * }
 * }</pre>
 *
 * Stateless and thread-safe.
 */
public final class LiveCheckRecords {
  private LiveCheckRecords() {}

  /**
   * Runs {@code handler} for each record, each inside the test its headers carry (if any); the test
   * is no longer current after the handler returns or throws. An exception from the handler
   * propagates and stops the loop, as a plain loop would.
   */
  public static <K, V> void forEach(
      ConsumerRecords<K, V> records, Consumer<ConsumerRecord<K, V>> handler) {
    for (ConsumerRecord<K, V> r : records) {
      handle(r, handler);
    }
  }

  /** Runs {@code handler} for {@code record} inside the test its headers carry, if any. */
  @SuppressWarnings("try") // the scope is used for its effect on the thread's context
  public static <K, V> void handle(
      ConsumerRecord<K, V> record, Consumer<ConsumerRecord<K, V>> handler) {
    TestContext.Scope scope = enter(record);
    try {
      handler.accept(record);
    } finally {
      if (scope != null) {
        scope.close();
      }
    }
  }

  /**
   * Makes the record's test current on this thread until the returned scope is closed.
   *
   * @return the scope, or {@code null} when the record carries no test
   */
  public static TestContext.Scope enter(ConsumerRecord<?, ?> record) {
    return KafkaHeaders.read(record.headers()).map(TestContext::enter).orElse(null);
  }
}
