package dev.grindstone.livecheck.readme;

import dev.grindstone.livecheck.Case;
import dev.grindstone.livecheck.CaseSettings;
import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.Signal;
import dev.grindstone.livecheck.TestExecution;
import dev.grindstone.livecheck.sink.ServerReportSink;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** The README's LiveCheck example, compiled and run by {@link ReadmeExampleTest}. */
@SuppressWarnings("try") // scopes are opened for their effect on the thread's context
final class ReadmeExample {
  private ReadmeExample() {}

  // README-BEGIN case
  /** Places an order and waits until the shipping step says it shipped. */
  static final class PlaceOrder extends Case {
    final Signal<String> shipped = signal("order_shipped", String.class);
    private final URI orders;

    PlaceOrder(URI orders) {
      super(
          "orders.place_order",
          CaseSettings.builder().probability(0.5).frequency("10s").testExpires("1h").build());
      this.orders = orders;
    }

    @Override
    protected void run(TestExecution test) {
      String status = shipped.await(Duration.ofSeconds(30)); // TIMEOUT when it never comes
      if (!status.equals("SHIPPED")) {
        throw new AssertionError("order " + test.id() + " is " + status); // FAIL
      }
    }

    @Override
    public void makeFakeRequest() { // the leader calls this every `frequency`
      postUrl(orders + "/orders", "{\"item\":\"book\"}"); // retried; ServiceDown fails the suite
    }
  }

  // README-END case

  // README-BEGIN wiring
  static PlaceOrder startLiveCheck(URI metricsServer, URI orders) {
    LiveCheck livecheck =
        LiveCheck.builder("orders-service")
            .sink(ServerReportSink.builder(metricsServer).build()) // POST /api/v1/livecheck/reports
            .build();
    PlaceOrder placeOrder = livecheck.register(new PlaceOrder(orders));
    livecheck.start();
    return placeOrder;
  }

  // Where the service accepts an order: maybe make it a test, and carry the test along.
  static boolean acceptOrder(PlaceOrder placeOrder, String orderId) {
    try (Case.Trigger test = placeOrder.maybeTrigger(orderId, Map.of("item", "book"))) {
      shipOrder(placeOrder); // the test is current here: a queue, a thread or an HTTP call away
      return test.triggered();
    }
  }

  // Deep in the shipping step: does nothing unless a LiveCheck test is current.
  static void shipOrder(PlaceOrder placeOrder) {
    placeOrder.shipped.send("SHIPPED");
  }
  // README-END wiring
}
