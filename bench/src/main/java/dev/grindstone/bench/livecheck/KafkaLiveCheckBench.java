package dev.grindstone.bench.livecheck;

import dev.grindstone.livecheck.Case;
import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.Signal;
import dev.grindstone.livecheck.State;
import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.TestExecution;
import dev.grindstone.livecheck.kafka.KafkaTransport;
import dev.grindstone.livecheck.kafka.LiveCheckTopics;
import dev.grindstone.livecheck.kafka.broker.KafkaBrokerProcess;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * LiveCheck over Kafka, measured against one broker in a child JVM on loopback, with three replicas
 * of one app in this JVM (each a LiveCheck app with Kafka clients of its own).
 *
 * <ol>
 *   <li><b>Signal latency across replicas</b>: one test at a time is triggered; once it waits (on
 *       whichever replica the group gave it to), another replica sends its signal; the time from
 *       {@code send} to the waiting test waking, in this one JVM's monotonic clock, goes into an
 *       HdrHistogram. Warm-up first, not recorded.
 *   <li><b>Executions per second</b>: tests are triggered open-loop at a fixed rate, round-robin
 *       over the replicas, each followed at once by its signal from the next replica (as a service
 *       that places and ships an order); a test passes when its signal arrives. Over the measured
 *       window: reports per second, and the CPU this JVM (all three replicas and the driver) and
 *       the broker used, in cores.
 * </ol>
 *
 * Usage: {@code KafkaLiveCheckBench BROKER_CLASSPATH [latency-samples=2000] [rates=1000,2000,3000]
 * [seconds=20]}.
 */
public final class KafkaLiveCheckBench {
  private static final String APP = "bench-orders";

  private KafkaLiveCheckBench() {}

  /** One replica: its transport and app, and the case's signal. */
  private record Replica(String name, KafkaTransport transport, LiveCheck app, Case kase) {
    Signal<String> signal() {
      return kase.signal("shipped", String.class);
    }

    void close() {
      app.close();
      transport.close();
    }
  }

  public static void main(String[] args) throws Exception {
    String brokerClasspath = args[0];
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    String rates = args.length > 2 ? args[2] : "1000,2000,3000";
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    Path dir = Files.createTempDirectory("livecheck-kafka-bench");
    try (KafkaBrokerProcess broker =
        KafkaBrokerProcess.start(dir, brokerClasspath, Duration.ofSeconds(90))) {
      System.out.println(
          "broker "
              + broker.bootstrapServers()
              + " (pid "
              + broker.pid()
              + ", -Xmx256m); "
              + Runtime.getRuntime().availableProcessors()
              + " cores; "
              + System.getProperty("java.vm.name")
              + " "
              + System.getProperty("java.version"));
      latency(broker, new LiveCheckTopics("lat."), samples);
      int round = 0;
      for (String r : rates.split(",")) {
        throughput(
            broker,
            new LiveCheckTopics("tp" + (round++) + "."),
            Integer.parseInt(r.trim()),
            seconds);
      }
    }
  }

  private static List<Replica> replicas(
      KafkaBrokerProcess broker,
      LiveCheckTopics topics,
      Map<String, Long> woke,
      Map<String, CompletableFuture<String>> waiting,
      AtomicLong passed,
      AtomicLong other) {
    List<Replica> list = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String name = "replica-" + i;
      KafkaTransport t =
          KafkaTransport.builder(broker.bootstrapServers())
              .topics(topics)
              .partitions(6)
              .clientId("bench-" + name)
              .maxInFlight(5_000)
              .build();
      LiveCheck app =
          LiveCheck.builder(APP)
              .transport(t)
              .sink(t.reportSink())
              .sink(r -> (r.state() == State.PASS ? passed : other).incrementAndGet())
              .logReports(false)
              .log(l -> {})
              .sampleEvery(null)
              .concurrency(1_000)
              .build();
      Case c =
          app.register(
              Case.builder("orders.place_order")
                  .signal("shipped", String.class)
                  .run(
                      (test, self) -> {
                        CompletableFuture<String> f = waiting.get(test.id());
                        if (f != null) {
                          f.complete(name); // the driver sends the signal once this test waits
                        }
                        self.signal("shipped", String.class).await(Duration.ofSeconds(30));
                        if (woke != null) {
                          woke.put(test.id(), System.nanoTime());
                        }
                      })
                  .build());
      app.start();
      list.add(new Replica(name, t, app, c));
    }
    return list;
  }

  @SuppressWarnings("try")
  private static void latency(KafkaBrokerProcess broker, LiveCheckTopics topics, int samples)
      throws Exception {
    Map<String, Long> woke = new ConcurrentHashMap<>();
    Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
    AtomicLong passed = new AtomicLong();
    AtomicLong other = new AtomicLong();
    List<Replica> rs = replicas(broker, topics, woke, waiting, passed, other);
    try {
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
      int warmup = Math.max(200, samples / 5);
      long start = System.nanoTime();
      for (int i = 0; i < warmup + samples; i++) {
        String id = "lat-" + i;
        CompletableFuture<String> ready = new CompletableFuture<>();
        waiting.put(id, ready);
        TestExecution t = rs.get(i % 3).kase().trigger(id, Map.of());
        String runner = ready.get(60, TimeUnit.SECONDS);
        Thread.sleep(1); // the test is in its await by now
        Replica sender =
            rs.stream().filter(r -> !r.name().equals(runner)).findFirst().orElseThrow();
        long sent = System.nanoTime();
        try (TestContext.Scope s = TestContext.enter(t)) {
          sender.signal().send("SHIPPED");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Long at;
        while ((at = woke.get(id)) == null && System.nanoTime() < deadline) {
          LockSupport.parkNanos(20_000);
        }
        if (at == null) {
          throw new IllegalStateException("test " + id + " did not wake within 30 s");
        }
        if (i >= warmup) {
          h.recordValue(at - sent);
        }
        waiting.remove(id);
      }
      double wall = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "signal latency across replicas (send on one replica -> the test waiting on another"
              + " wakes), %d samples after %d warm-up:%n  p50 %.2f ms, p90 %.2f ms, p99 %.2f ms,"
              + " p99.9 %.2f ms, max %.2f ms (%.1f s)%n",
          h.getTotalCount(),
          warmup,
          ms(h.getValueAtPercentile(50)),
          ms(h.getValueAtPercentile(90)),
          ms(h.getValueAtPercentile(99)),
          ms(h.getValueAtPercentile(99.9)),
          ms(h.getMaxValue()),
          wall);
    } finally {
      rs.forEach(Replica::close);
    }
  }

  @SuppressWarnings("try")
  private static void throughput(
      KafkaBrokerProcess broker, LiveCheckTopics topics, int rate, int seconds) throws Exception {
    Map<String, CompletableFuture<String>> none = new ConcurrentHashMap<>();
    AtomicLong passed = new AtomicLong();
    AtomicLong other = new AtomicLong();
    List<Replica> rs = replicas(broker, topics, null, none, passed, other);
    try {
      Thread.sleep(3_000); // groups settle
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      int warmupSeconds = 5;
      long total = (long) rate * (warmupSeconds + seconds);
      long t0 = System.nanoTime();
      long cpu0 = 0;
      long brokerCpu0 = 0;
      long passed0 = 0;
      long mark = 0;
      for (long i = 0; i < total; i++) {
        long due = t0 + i * interval;
        long now;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(Math.min(due - now, 200_000));
        }
        if (i == (long) rate * warmupSeconds) {
          mark = System.nanoTime();
          cpu0 = processCpu();
          brokerCpu0 = brokerCpu(broker);
          passed0 = passed.get();
        }
        Replica on = rs.get((int) (i % 3));
        TestExecution t = on.kase().trigger("tp-" + i, Map.of());
        try (TestContext.Scope s = TestContext.enter(t)) {
          rs.get((int) ((i + 1) % 3)).signal().send("SHIPPED");
        }
      }
      long triggeredEnd = System.nanoTime();
      double window = (triggeredEnd - mark) / 1e9;
      long cpu = processCpu() - cpu0;
      long brokerCpu = brokerCpu(broker) - brokerCpu0;
      long done = passed.get() - passed0;
      // Everything triggered must still be reported.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (passed.get() + other.get() < total && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      long drain = (System.nanoTime() - triggeredEnd) / 1_000_000;
      System.out.printf(
          Locale.ROOT,
          "executions at %d/s offered for %d s (after %d s warm-up): %.0f passed/s; replicas' JVM"
              + " %.2f cores, broker %.2f cores; all %d reported (%d not PASS) %d ms after the last"
              + " trigger%n",
          rate,
          seconds,
          warmupSeconds,
          done / window,
          cpu / 1e9 / window,
          brokerCpu / 1e9 / window,
          passed.get() + other.get(),
          other.get(),
          drain);
    } finally {
      rs.forEach(Replica::close);
    }
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long brokerCpu(KafkaBrokerProcess broker) {
    return ProcessHandle.of(broker.pid())
        .flatMap(p -> p.info().totalCpuDuration())
        .map(Duration::toNanos)
        .orElse(0L);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
