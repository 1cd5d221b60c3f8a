package dev.grindstone.livecheck.kafka;

import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.example.PlaceOrderCase;
import dev.grindstone.livecheck.example.Shipment;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The README's Kafka examples, compiled here and run by {@link ReadmeKafkaExampleTest}. */
final class ReadmeKafkaExample {
  private ReadmeKafkaExample() {}

  record Wired(LiveCheck livecheck, KafkaTransport kafka) implements AutoCloseable {
    @Override
    public void close() {
      livecheck.close();
      kafka.close();
    }
  }

  static Wired wire(String bootstrapServers) {
    // README-BEGIN kafka-wiring
    KafkaTransport kafka =
        KafkaTransport.builder(bootstrapServers) // "kafka-1:9092,kafka-2:9092"
            .topics(new LiveCheckTopics("")) // a prefix, when several sets share a cluster
            .build();
    LiveCheck livecheck =
        LiveCheck.builder("orders-service")
            .transport(kafka)
            .sink(kafka.reportSink()) // livecheck-report, acks=all, idempotent
            .build();
    // README-END kafka-wiring
    return new Wired(livecheck, kafka);
  }

  static void hop(
      Properties props, KafkaConsumer<String, String> consumer, PlaceOrderCase placeOrder) {
    // README-BEGIN kafka-hop
    props.put(
        ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, LiveCheckProducerInterceptor.class.getName());
    LiveCheckRecords.forEach(
        consumer.poll(Duration.ofMillis(100)),
        record -> {
          placeOrder.orderShipped.send(
              new Shipment(record.key(), "SHIPPED")); // reaches the test, wherever it runs
        });
    // README-END kafka-hop
  }
}
