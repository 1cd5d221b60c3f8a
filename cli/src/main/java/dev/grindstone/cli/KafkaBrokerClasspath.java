package dev.grindstone.cli;

import dev.grindstone.stats.BadInputException;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The class path of the Kafka broker that {@code livecheck demo} starts in a child JVM: the jars
 * the build copies to {@code cli/target/kafka-broker/} (beside {@code grindstone.jar}), plus this
 * JVM's own class path, which carries what the broker shares with the command line (kafka-clients,
 * Jackson, slf4j). The broker is not inside {@code grindstone.jar}, which stays small.
 */
final class KafkaBrokerClasspath {
  private KafkaBrokerClasspath() {}

  static String find() {
    Path folder = folder();
    if (!Files.isDirectory(folder)
        || !Files.exists(folder.resolve("kafka_2.13-" + kafkaVersion() + ".jar"))) {
      throw new BadInputException(
          "the Kafka broker's jars are not in "
              + folder
              + "; build them with './mvnw -pl cli -am package -DskipTests' (./grindstone does it"
              + " when the jar is missing), or pass --bootstrap-servers HOST:PORT");
    }
    return folder.resolve("*") + File.pathSeparator + System.getProperty("java.class.path");
  }

  static Path folder() {
    try {
      Path code =
          Path.of(
              KafkaBrokerClasspath.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI());
      // cli/target/grindstone.jar or cli/target/classes: the folder sits beside either.
      return code.getParent().resolve("kafka-broker");
    } catch (URISyntaxException | SecurityException e) {
      throw new IllegalStateException("cannot locate the command line's own jar: " + e, e);
    }
  }

  private static String kafkaVersion() {
    return org.apache.kafka.common.utils.AppInfoParser.getVersion();
  }
}
