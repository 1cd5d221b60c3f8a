package dev.grindstone.livecheck.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;

/** What every LiveCheck Kafka client starts from. Stateless. */
final class Clients {
  private Clients() {}

  /**
   * A client configuration naming {@code bootstrapServers}; add to it.
   *
   * @throws IllegalArgumentException when it is blank
   */
  static Map<String, Object> config(String bootstrapServers) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "bootstrapServers: required, e.g. kafka-1:9092,kafka-2:9092");
    }
    Map<String, Object> c = new HashMap<>();
    c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return c;
  }

  /** System.Logger "dev.grindstone.livecheck.kafka" at WARNING: problems the service should see. */
  static Consumer<String> defaultLog() {
    System.Logger logger = System.getLogger("dev.grindstone.livecheck.kafka");
    return line -> logger.log(System.Logger.Level.WARNING, line);
  }
}
