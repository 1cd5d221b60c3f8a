package dev.grindstone.livecheck.transport;

import dev.grindstone.livecheck.kafka.KafkaCluster;
import dev.grindstone.livecheck.kafka.KafkaTransport;
import dev.grindstone.livecheck.kafka.LiveCheckTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The transport contract over a real broker. */
@ExtendWith(KafkaCluster.Extension.class)
class KafkaTransportContractTest extends TransportContract {
  private KafkaCluster kafka;
  private LiveCheckTopics topics;
  private final List<KafkaTransport> transports = new ArrayList<>();

  @BeforeEach
  void cluster(KafkaCluster kafka) {
    this.kafka = kafka;
    this.topics = kafka.uniquePrefix();
  }

  @AfterEach
  void closeTransports() {
    transports.forEach(KafkaTransport::close);
  }

  @Override
  protected Transport transport() {
    KafkaTransport t =
        KafkaTransport.builder(kafka.bootstrapServers()).topics(topics).partitions(4).build();
    transports.add(t);
    return t;
  }

  @Override
  protected Duration patience() {
    return Duration.ofSeconds(60);
  }

  /** The app's group is stable with every member and every partition assigned. */
  @Override
  protected void awaitReady(Transport t, String app, int members) {
    String group = topics.testGroup(app);
    try (Admin admin = kafka.admin()) {
      eventually(
          group + " stable with " + members + " members",
          () -> {
            try {
              ConsumerGroupDescription d =
                  admin
                      .describeConsumerGroups(List.of(group))
                      .all()
                      .get(5, TimeUnit.SECONDS)
                      .get(group);
              int assigned =
                  d.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
              return d.groupState() == GroupState.STABLE
                  && d.members().size() == members
                  && assigned == 4;
            } catch (Exception e) {
              return false;
            }
          });
    }
  }
}
