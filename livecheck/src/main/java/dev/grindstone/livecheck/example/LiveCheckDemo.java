package dev.grindstone.livecheck.example;

import dev.grindstone.livecheck.CaseSettings;
import dev.grindstone.livecheck.Durations;
import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.State;
import dev.grindstone.livecheck.sink.ServerReportSink;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The LiveCheck demo behind {@code grindstone livecheck demo}: starts the {@link OrderService},
 * places a fake order every {@code every}, prints each report and state change, optionally makes
 * the shipping step fail during the middle third of the run, and stops by itself after {@code
 * duration}.
 */
public final class LiveCheckDemo {

  /**
   * What to run.
   *
   * @param duration how long the demo runs
   * @param every how often a fake order is placed
   * @param failDownstream make the shipping step fail during the middle third
   * @param server the metrics server's base URL to post reports to, or {@code null}
   */
  public record Options(Duration duration, Duration every, boolean failDownstream, URI server) {
    public Options {
      if (duration == null || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("--duration = " + duration + ": must be > 0, e.g. 30s");
      }
      if (every == null || every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("--every = " + every + ": must be > 0, e.g. 2s");
      }
    }
  }

  private LiveCheckDemo() {}

  /** Runs the demo, giving {@code out} one line at a time; returns the number of reports. */
  public static long run(Options o, Consumer<String> out) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    java.util.function.Function<String, String> stamp =
        line ->
            String.format(
                java.util.Locale.ROOT, "[%6.2fs] %s", (System.nanoTime() - t0) / 1e9, line);
    LiveCheck.Builder b =
        LiveCheck.builder("orders-service")
            .log(line -> out.accept(stamp.apply(line)))
            .listener(
                (c, from, to, why) ->
                    out.accept(
                        stamp.apply(
                            "state " + c.name() + ": " + from + " -> " + to + " (" + why + ")")));
    ServerReportSink serverSink = null;
    if (o.server() != null) {
      serverSink =
          ServerReportSink.builder(o.server()).log(line -> out.accept(stamp.apply(line))).build();
      b.sink(serverSink);
    }
    java.util.concurrent.ConcurrentHashMap<State, Long> totals =
        new java.util.concurrent.ConcurrentHashMap<>();
    b.sink(r -> totals.merge(r.state(), 1L, Long::sum));
    Duration shipWithin = Duration.ofSeconds(1);
    CaseSettings settings =
        CaseSettings.builder()
            .probability(1.0)
            .frequency(o.every())
            .maxConsecutiveFailures(3)
            .stateTransitionDelay(max(o.every().multipliedBy(2), Duration.ofMillis(500)))
            .warnStalledAfter(max(o.every().multipliedBy(10), Duration.ofSeconds(10)))
            .urlErrorRetries(2)
            .urlTimeoutTotal("10s")
            .build();
    try (LiveCheck app = b.build()) {
      PlaceOrderCase placeOrder = app.register(new PlaceOrderCase(settings, shipWithin));
      try (OrderService service = OrderService.start(placeOrder)) {
        out.accept(
            stamp.apply(
                "order service on "
                    + service.uri()
                    + "; a fake order every "
                    + Durations.format(o.every())
                    + " for "
                    + Durations.format(o.duration())
                    + (o.server() != null ? "; reports to " + serverSink.endpoint() : "")));
        app.start();
        if (o.failDownstream()) {
          Duration third = o.duration().dividedBy(3);
          Thread.sleep(third.toMillis());
          out.accept(stamp.apply("shipping step now FAILS (lost orders and 500s)"));
          service.failDownstream(true);
          Thread.sleep(third.toMillis());
          out.accept(stamp.apply("shipping step healthy again"));
          service.failDownstream(false);
          Thread.sleep(o.duration().minus(third.multipliedBy(2)).toMillis());
        } else {
          Thread.sleep(o.duration().toMillis());
        }
        out.accept(
            stamp.apply(
                "demo finished: "
                    + service.orders()
                    + " orders placed; case state "
                    + placeOrder.status()));
      }
    }
    Map<State, Long> sorted = new TreeMap<>(totals);
    out.accept("reports by state: " + sorted);
    if (serverSink != null) {
      out.accept(
          "sent to server: "
              + serverSink.sent()
              + ", failed: "
              + serverSink.failed()
              + ", dropped: "
              + serverSink.dropped());
    }
    return sorted.values().stream().mapToLong(Long::longValue).sum();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
