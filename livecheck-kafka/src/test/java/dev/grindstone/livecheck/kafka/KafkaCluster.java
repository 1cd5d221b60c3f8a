package dev.grindstone.livecheck.kafka;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real Kafka for the tests: one combined KRaft node in this JVM (Kafka's own {@link
 * KafkaClusterTestKit}), started once for the whole test run (about 4 s) and closed at its end.
 * Tests get it as a parameter and keep apart by a topic prefix of their own ({@link
 * #uniquePrefix()}).
 *
 * <pre>{@code
 * @ExtendWith(KafkaCluster.Extension.class)
 * class SomeTest {
 *   @Test void works(KafkaCluster kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 */
public final class KafkaCluster implements AutoCloseable {
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private final KafkaClusterTestKit kit;

  private KafkaCluster(KafkaClusterTestKit kit) {
    this.kit = kit;
  }

  static KafkaCluster start() throws Exception {
    KafkaClusterTestKit kit =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "6")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "true")
            .build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    return new KafkaCluster(kit);
  }

  public String bootstrapServers() {
    return kit.bootstrapServers();
  }

  /** A new admin client; close it. */
  public Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
  }

  /** Topic names no other test uses: {@code t7.}. */
  public LiveCheckTopics uniquePrefix() {
    return new LiveCheckTopics("t" + PREFIXES.incrementAndGet() + ".");
  }

  @Override
  public void close() throws Exception {
    kit.close();
  }

  /** Resolves {@link KafkaCluster} parameters with the one cluster of the test run. */
  public static final class Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
      return p.getParameter().getType() == KafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
      return e.getRoot()
          .getStore(ExtensionContext.Namespace.create(KafkaCluster.class))
          .computeIfAbsent(
              "cluster",
              k -> {
                try {
                  return KafkaCluster.start();
                } catch (Exception ex) {
                  throw new IllegalStateException("the in-process Kafka did not start: " + ex, ex);
                }
              },
              KafkaCluster.class);
    }
  }
}
