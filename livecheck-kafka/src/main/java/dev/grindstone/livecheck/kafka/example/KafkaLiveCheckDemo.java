package dev.grindstone.livecheck.kafka.example;

import dev.grindstone.livecheck.Durations;
import dev.grindstone.livecheck.kafka.LiveCheckTopics;
import dev.grindstone.livecheck.kafka.broker.KafkaBrokerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The LiveCheck demo over Kafka behind {@code grindstone livecheck demo --replicas N}: N replicas
 * of the order service (each a LiveCheck app with Kafka clients of its own) on one broker, a fake
 * order from the leader every {@code every}. Each report line says which replica triggered the
 * test, which shipped the order (and so sent the signal) and which ran the test. Halfway through,
 * the leading replica leaves, and another takes the lead. Without a bootstrap address it starts a
 * single-node broker in a child JVM for the run.
 */
public final class KafkaLiveCheckDemo {

  /**
   * What to run.
   *
   * @param duration how long the demo runs
   * @param every how often the leader places a fake order
   * @param replicas how many replicas, at least 1
   * @param bootstrapServers the cluster to use, or {@code null} to start a broker
   * @param brokerClasspath the broker's class path, asked for only when a broker is started
   */
  public record Options(
      Duration duration,
      Duration every,
      int replicas,
      String bootstrapServers,
      Supplier<String> brokerClasspath) {
    public Options {
      if (duration == null || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("--duration = " + duration + ": must be > 0, e.g. 30s");
      }
      if (every == null || every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("--every = " + every + ": must be > 0, e.g. 2s");
      }
      if (replicas < 1 || replicas > 16) {
        throw new IllegalArgumentException(
            "--replicas = " + replicas + ": must be between 1 and 16");
      }
    }
  }

  private KafkaLiveCheckDemo() {}

  /** Runs the demo, one line at a time to {@code out}; returns the number of test reports. */
  public static long run(Options o, Consumer<String> out) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Consumer<String> say =
        line ->
            out.accept(
                String.format(Locale.ROOT, "[%6.2fs] %s", (System.nanoTime() - t0) / 1e9, line));
    Path brokerDir = null;
    KafkaBrokerProcess broker = null;
    String bootstrap = o.bootstrapServers();
    try {
      if (bootstrap == null) {
        brokerDir = Files.createTempDirectory("grindstone-kafka");
        say.accept(
            "starting a single-node Kafka broker in a child JVM (data in " + brokerDir + ")...");
        broker =
            KafkaBrokerProcess.start(brokerDir, o.brokerClasspath().get(), Duration.ofSeconds(90));
        bootstrap = broker.bootstrapServers();
        say.accept("broker ready on " + bootstrap + " (pid " + broker.pid() + ")");
      }
      // Faust's topic names, so that 'grindstone server --kafka-bootstrap' finds the reports.
      return runReplicas(o, bootstrap, LiveCheckTopics.DEFAULT, say, out);
    } finally {
      if (broker != null) {
        broker.close();
      }
      if (brokerDir != null) {
        deleteTree(brokerDir);
      }
    }
  }

  private static long runReplicas(
      Options o,
      String bootstrap,
      LiveCheckTopics topics,
      Consumer<String> say,
      Consumer<String> out)
      throws IOException, InterruptedException {
    Map<String, String> triggeredOn = new ConcurrentHashMap<>();
    Map<String, String> shippedBy = new ConcurrentHashMap<>();
    Map<String, AtomicLong> byState = new ConcurrentHashMap<>();
    AtomicLong crossReplica = new AtomicLong();
    List<KafkaOrderReplica> replicas = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try {
      for (int i = 1; i <= o.replicas(); i++) {
        String name = "replica-" + i;
        names.add(name);
        replicas.add(
            KafkaOrderReplica.start(
                bootstrap,
                topics,
                name,
                o.every(),
                Duration.ofSeconds(10),
                event -> onEvent(name, event, triggeredOn, shippedBy, byState, crossReplica, say)));
        say.accept(name + " up: order service on " + replicas.get(i - 1).service().uri());
      }
      say.accept(
          o.replicas()
              + " replica(s) on "
              + bootstrap
              + "; the leader places a fake order every "
              + Durations.format(o.every())
              + " for "
              + Durations.format(o.duration()));
      Duration half = o.duration().dividedBy(2);
      Thread.sleep(half.toMillis());
      if (replicas.size() > 1) {
        for (int i = 0; i < replicas.size(); i++) {
          if (replicas.get(i).app().isLeader()) {
            say.accept(names.get(i) + " (the leader) leaves; another replica takes the lead");
            replicas.remove(i).close();
            names.remove(i);
            break;
          }
        }
      }
      Thread.sleep(o.duration().minus(half).toMillis());
    } finally {
      for (KafkaOrderReplica r : replicas) {
        r.close();
      }
    }
    Map<String, Long> states = new TreeMap<>();
    byState.forEach((k, v) -> states.put(k, v.get()));
    long total = states.values().stream().mapToLong(Long::longValue).sum();
    out.accept(
        "reports by state: "
            + states
            + " (also on topic "
            + topics.reports()
            + ": store them with"
            + " 'grindstone server --kafka-bootstrap "
            + bootstrap
            + "')");
    out.accept(
        "tests whose signal came from another replica than the one that triggered them: "
            + crossReplica.get()
            + " of "
            + total);
    return total;
  }

  private static void onEvent(
      String replica,
      String event,
      Map<String, String> triggeredOn,
      Map<String, String> shippedBy,
      Map<String, AtomicLong> byState,
      AtomicLong crossReplica,
      Consumer<String> say) {
    String[] p = event.split(" ");
    switch (p[0]) {
      case "leader" ->
          say.accept(
              replica
                  + (p[1].equals("true")
                      ? " leads: it places the fake orders"
                      : " no longer leads"));
      case "triggered" -> triggeredOn.put(p[1], replica);
      case "shipped" -> shippedBy.put(p[1], replica);
      case "report" -> {
        String t = triggeredOn.getOrDefault(p[1], "?");
        String s = shippedBy.getOrDefault(p[1], "?");
        byState.computeIfAbsent(p[2], k -> new AtomicLong()).incrementAndGet();
        if (!t.equals("?") && !s.equals("?") && !t.equals(s)) {
          crossReplica.incrementAndGet();
        }
        say.accept(
            "test "
                + p[1].substring(0, Math.min(8, p[1].length()))
                + " triggered on "
                + t
                + ", shipped by "
                + s
                + ", ran on "
                + replica
                + ": "
                + p[2]);
      }
      default -> {}
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder; the system cleans it eventually
    }
  }
}
