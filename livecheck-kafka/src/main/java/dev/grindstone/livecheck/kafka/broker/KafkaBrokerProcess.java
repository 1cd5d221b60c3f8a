package dev.grindstone.livecheck.kafka.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Kafka (KRaft, broker and controller in one process) in a child JVM on 127.0.0.1,
 * for demos and tests: real Kafka, {@code kafka.Kafka}, from the jars on {@code classpath}. Its
 * data lives in {@code dataDir} and survives {@link #restart()}. The heap defaults to 256 MB, the
 * least with which a restart was seen not to run out of memory. Not thread-safe.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
  private final Path dataDir;
  private final String classpath;
  private final String heap;
  private final Duration startTimeout;
  private final int port;
  private final int controllerPort;
  private final Path config;
  private final Path logFile;
  private Process process;

  private KafkaBrokerProcess(Path dataDir, String classpath, String heap, Duration startTimeout)
      throws IOException {
    this.dataDir = dataDir;
    this.classpath = classpath;
    this.heap = heap;
    this.startTimeout = startTimeout;
    this.port = freePort();
    this.controllerPort = freePort();
    Files.createDirectories(dataDir);
    this.config = dataDir.resolve("server.properties");
    this.logFile = dataDir.resolve("broker.log");
  }

  /**
   * Formats {@code dataDir} and starts the broker; returns once it answers.
   *
   * @param classpath the broker's class path: {@code kafka_2.13} and its dependencies
   * @throws IOException when it cannot be started or does not answer within {@code startTimeout};
   *     the message includes the end of its log
   */
  public static KafkaBrokerProcess start(Path dataDir, String classpath, Duration startTimeout)
      throws IOException {
    return start(dataDir, classpath, "256m", startTimeout);
  }

  /** As {@link #start(Path, String, Duration)} with a heap of {@code heap} ({@code -Xmx}). */
  public static KafkaBrokerProcess start(
      Path dataDir, String classpath, String heap, Duration startTimeout) throws IOException {
    KafkaBrokerProcess b = new KafkaBrokerProcess(dataDir, classpath, heap, startTimeout);
    b.writeConfig();
    b.format();
    b.launch();
    return b;
  }

  /** {@code 127.0.0.1:port}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Where the broker writes its log. */
  public Path logFile() {
    return logFile;
  }

  /** The broker's process id, while it runs. */
  public long pid() {
    return process.pid();
  }

  /** Stops the broker as an operator would (SIGTERM, a controlled shutdown), within 30 s. */
  public void stop() throws IOException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the broker", e);
    }
  }

  /** Stops the broker and starts it again on the same ports and data; returns once it answers. */
  public void restart() throws IOException {
    stop();
    launch();
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  private void writeConfig() throws IOException {
    String props =
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:"
                + port
                + ",CONTROLLER://127.0.0.1:"
                + controllerPort,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dataDir.resolve("data").toAbsolutePath().toString().replace("\\", "/"),
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=6",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "");
    Files.writeString(config, props, StandardCharsets.UTF_8);
  }

  private void format() throws IOException {
    Process p =
        new ProcessBuilder(
                java(),
                "-Xmx128m",
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "--config",
                config.toString(),
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--standalone")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    try {
      if (!p.waitFor(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            "formatting the broker's storage took over " + startTimeout + "; log: " + tail());
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            "formatting the broker's storage failed (exit " + p.exitValue() + "); log: " + tail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while formatting the broker's storage", e);
    }
  }

  private void launch() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.add("-Xmx" + heap);
    cmd.add("-Xms" + heap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Djava.awt.headless=true");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add("kafka.Kafka");
    cmd.add(config.toString());
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    awaitReady();
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    // First the port, quietly: a Kafka client logs a warning for every refused connection.
    while (true) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
        break;
      } catch (IOException refused) {
        if (!process.isAlive()) {
          throw new IOException(
              "the broker exited with " + process.exitValue() + " while starting; log: " + tail());
        }
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IOException(
              "the broker did not listen on "
                  + bootstrapServers()
                  + " within "
                  + startTimeout
                  + "; log: "
                  + tail());
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the broker", e);
        }
      }
    }
    Map<String, Object> cfg =
        Map.of(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
            CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
    try (Admin admin = Admin.create(cfg)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IOException(
              "the broker exited with " + process.exitValue() + " while starting; log: " + tail());
        }
        try {
          if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          // not up yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the broker", e);
        }
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IOException(
              "the broker did not answer on "
                  + bootstrapServers()
                  + " within "
                  + startTimeout
                  + "; log: "
                  + tail());
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the broker", e);
        }
      }
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  @Override
  public String toString() {
    return "KafkaBrokerProcess[" + bootstrapServers() + ", " + Objects.toString(dataDir) + "]";
  }
}
