package dev.grindstone.livecheck;

import dev.grindstone.livecheck.time.FakeTimeSource;
import dev.grindstone.livecheck.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** A LiveCheck app on a fake clock that runs tests on the triggering thread and records reports. */
final class Fixture implements AutoCloseable {
  final FakeTimeSource time = new FakeTimeSource();
  final List<TestReport> reports = new CopyOnWriteArrayList<>();
  final List<String> logs = new CopyOnWriteArrayList<>();
  final List<String> changes = new CopyOnWriteArrayList<>();
  double randomValue = 0.0;
  final LiveCheck app;

  Fixture() {
    this(null, true);
  }

  Fixture(Transport transport, boolean inline) {
    LiveCheck.Builder b =
        LiveCheck.builder("orders-service")
            .time(time)
            .random(() -> randomValue)
            .sink(reports::add)
            .log(logs::add)
            .logReports(false)
            .sampleEvery(null) // tests count scheduled tasks; the sampler has its own test
            .listener((c, from, to, why) -> changes.add(c.name() + " " + from + "->" + to));
    if (transport != null) {
      b.transport(transport);
    }
    if (inline) {
      b.executor(Runnable::run);
    }
    app = b.build();
  }

  List<State> states() {
    List<State> s = new ArrayList<>();
    reports.forEach(r -> s.add(r.state()));
    return s;
  }

  TestReport last() {
    return reports.get(reports.size() - 1);
  }

  /** Spins (without sleeping) until {@code condition} holds; fails after 10 s of real time. */
  static void awaitCondition(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  @Override
  public void close() {
    app.close();
  }
}
