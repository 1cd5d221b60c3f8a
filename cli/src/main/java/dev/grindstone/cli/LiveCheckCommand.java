package dev.grindstone.cli;

import dev.grindstone.livecheck.Durations;
import dev.grindstone.livecheck.example.LiveCheckDemo;
import dev.grindstone.livecheck.kafka.example.KafkaLiveCheckDemo;
import dev.grindstone.stats.BadInputException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code grindstone livecheck ...}: LiveCheck, live tests inside production services. */
@Command(
    name = "livecheck",
    mixinStandardHelpOptions = true,
    description = "LiveCheck: live tests that run inside production services.",
    subcommands = {LiveCheckCommand.Demo.class})
final class LiveCheckCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code grindstone livecheck demo}: the order-service example, with state changes printed. */
  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description =
          "Starts a small order service on 127.0.0.1 with a LiveCheck case that places a fake order"
              + " every few seconds and waits for the shipping step's order_shipped signal. Prints"
              + " every report and state change, and stops by itself.")
  static final class Demo implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--duration",
        defaultValue = "30s",
        paramLabel = "TIME",
        description = "How long to run (e.g. 30s, 2m). Default: ${DEFAULT-VALUE}.")
    String duration;

    @Option(
        names = "--every",
        defaultValue = "2s",
        paramLabel = "TIME",
        description = "How often a fake order is placed. Default: ${DEFAULT-VALUE}.")
    String every;

    @Option(
        names = "--fail-downstream",
        description =
            "Make the shipping step fail during the middle third, so the case goes to FAIL/TIMEOUT"
                + " and back.")
    boolean failDownstream;

    @Option(
        names = "--server",
        paramLabel = "URL",
        description = "Also post every report to this metrics server (e.g. http://127.0.0.1:8080).")
    String server;

    @Option(
        names = "--replicas",
        paramLabel = "N",
        description =
            "Run N replicas of the order service sharing one LiveCheck app over Kafka: tests,"
                + " signals and reports travel through topics and one replica leads the fake"
                + " orders. Halfway through, the leader leaves and another takes over.")
    Integer replicas;

    @Option(
        names = "--bootstrap-servers",
        paramLabel = "HOST:PORT",
        description =
            "The Kafka cluster for --replicas (implies --replicas 3 when that is absent). Without"
                + " it a single-node broker is started in a child JVM for the run.")
    String bootstrapServers;

    @Override
    public Integer call() throws Exception {
      if (replicas != null || bootstrapServers != null) {
        return kafkaDemo();
      }
      LiveCheckDemo.Options options;
      try {
        URI serverUri = server == null ? null : URI.create(server);
        if (serverUri != null && (!serverUri.isAbsolute() || serverUri.getHost() == null)) {
          throw new IllegalArgumentException(
              "--server = " + server + ": must be a URL such as http://127.0.0.1:8080");
        }
        Duration d = Durations.parse("--duration", duration);
        Duration e = Durations.parse("--every", every);
        options = new LiveCheckDemo.Options(d, e, failDownstream, serverUri);
      } catch (IllegalArgumentException e) {
        throw new BadInputException(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      LiveCheckDemo.run(
          options,
          line -> {
            out.println(line);
            out.flush();
          });
      return 0;
    }

    private int kafkaDemo() throws Exception {
      KafkaLiveCheckDemo.Options options;
      try {
        if (server != null || failDownstream) {
          throw new IllegalArgumentException(
              "--server and --fail-downstream go with the single-replica demo; with --replicas the"
                  + " reports go to the Kafka topic livecheck-report (read it with 'grindstone"
                  + " server --kafka-bootstrap')");
        }
        options =
            new KafkaLiveCheckDemo.Options(
                Durations.parse("--duration", duration),
                Durations.parse("--every", every),
                replicas == null ? 3 : replicas,
                bootstrapServers,
                KafkaBrokerClasspath::find);
      } catch (IllegalArgumentException e) {
        throw new BadInputException(e.getMessage(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      KafkaLiveCheckDemo.run(
          options,
          line -> {
            out.println(line);
            out.flush();
          });
      return 0;
    }
  }
}
