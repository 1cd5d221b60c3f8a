package dev.grindstone.cli;

import dev.grindstone.livecheck.kafka.KafkaReportReader;
import dev.grindstone.livecheck.kafka.LiveCheckTopics;
import dev.grindstone.server.MetricsServer;
import dev.grindstone.server.Secrets;
import dev.grindstone.stats.BadInputException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code grindstone server}: the metrics server and dashboard, until interrupted. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the metrics server: pytest-monitor's remote-server protocol (at / and /api/v1),",
      "load-test runs, LiveCheck reports (over HTTP, and from Kafka with --kafka-bootstrap) and"
          + " the",
      "dashboard at /. Stops on Ctrl-C."
    })
final class ServerCommand implements Runnable {

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "TCP port (0: any free port). Default: ${DEFAULT-VALUE}")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description = "Address to listen on. Default: ${DEFAULT-VALUE}")
  String bind;

  @Option(
      names = "--db",
      defaultValue = MetricsServer.DEFAULT_JDBC_URL,
      description =
          "JDBC URL: jdbc:sqlite:<file> or jdbc:postgresql://host:port/db?user=..&password=..."
              + " Default: ${DEFAULT-VALUE}")
  String db;

  @Option(
      names = "--token",
      description =
          "Write token. Required beyond loopback; when absent there, a random one is generated and"
              + " printed.")
  String token;

  @Option(
      names = "--max-bundle-size",
      paramLabel = "BYTES",
      defaultValue = "16777216",
      description =
          "The largest run bundle of a distributed run (and agent data log, compressed) taken, in"
              + " bytes. Default: ${DEFAULT-VALUE} (16 MiB)")
  int maxBundleSize;

  @Option(
      names = "--kafka-bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "Also store the LiveCheck reports of the Kafka topic livecheck-report (consumer group"
              + " grindstone-server), keeping one report per app and test id.")
  String kafkaBootstrap;

  @Option(
      names = "--kafka-topic-prefix",
      defaultValue = "",
      paramLabel = "PREFIX",
      description = "Prefix of the LiveCheck topic names, as the services use it. Default: none.")
  String kafkaTopicPrefix;

  @Override
  public void run() {
    String t = token;
    if (t == null && !isLoopback(bind)) {
      byte[] b = new byte[16];
      new SecureRandom().nextBytes(b);
      t = HexFormat.of().formatHex(b);
      System.out.println(
          "Write token (send 'Authorization: Bearer "
              + t
              + "' or use the /t/"
              + t
              + " path prefix)");
    }
    MetricsServer server;
    try {
      server =
          MetricsServer.builder()
              .port(port)
              .bind(bind)
              .jdbcUrl(db)
              .token(t)
              .bundleLimit(maxBundleSize)
              .start();
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    } catch (RuntimeException e) {
      // The message may quote the URL, and the URL may carry a password: both are redacted.
      throw new BadInputException(
          "cannot start the server on "
              + bind
              + ":"
              + port
              + " with "
              + Secrets.redact(db)
              + ": "
              + Secrets.redact(rootMessage(e), db));
    }
    KafkaReportReader reader = null;
    if (kafkaBootstrap != null) {
      try {
        reader =
            KafkaReportReader.builder(kafkaBootstrap)
                .topics(new LiveCheckTopics(kafkaTopicPrefix))
                .start(server::ingestLiveCheckReports);
      } catch (RuntimeException e) {
        server.close();
        throw new BadInputException("--kafka-bootstrap " + kafkaBootstrap + ": " + rootMessage(e));
      }
      System.out.println(
          "Reading LiveCheck reports from Kafka "
              + kafkaBootstrap
              + ", topic "
              + new LiveCheckTopics(kafkaTopicPrefix).reports());
    }
    KafkaReportReader kafka = reader;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (kafka != null) {
                    kafka.close();
                  }
                  server.close();
                  stopped.countDown();
                },
                "grindstone-server-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isLoopback(String bind) {
    try {
      return java.net.InetAddress.getByName(bind).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return true; // The server reports the unresolvable address itself.
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
