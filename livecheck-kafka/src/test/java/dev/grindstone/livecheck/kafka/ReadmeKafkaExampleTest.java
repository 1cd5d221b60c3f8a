package dev.grindstone.livecheck.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.readme.ReadmeBlocks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaCluster.Extension.class)
class ReadmeKafkaExampleTest {

  @Test
  void the_readme_shows_the_kafka_examples_compiled_here() throws IOException {
    String source =
        Files.readString(
            Path.of("src/test/java/dev/grindstone/livecheck/kafka/ReadmeKafkaExample.java"));
    List<String> readme = ReadmeBlocks.lines(Files.readString(Path.of("../README.md")));
    for (String name : List.of("kafka-wiring", "kafka-hop")) {
      List<String> lines = ReadmeBlocks.block(source, name);
      int start = readme.indexOf(lines.get(0));
      assertThat(start).as("README contains the %s example", name).isNotNegative();
      assertThat(readme.subList(start, start + lines.size()))
          .as("README's %s example", name)
          .isEqualTo(lines);
    }
  }

  @Test
  void the_wiring_example_joins_a_real_broker(KafkaCluster kafka) throws Exception {
    try (ReadmeKafkaExample.Wired wired = ReadmeKafkaExample.wire(kafka.bootstrapServers())) {
      LiveCheck app = wired.livecheck();
      app.start();
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!app.isLeader() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(app.isLeader()).as("the only replica leads").isTrue();
    }
  }
}
