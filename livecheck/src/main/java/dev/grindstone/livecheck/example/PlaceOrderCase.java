package dev.grindstone.livecheck.example;

import dev.grindstone.livecheck.Case;
import dev.grindstone.livecheck.CaseSettings;
import dev.grindstone.livecheck.Signal;
import dev.grindstone.livecheck.TestExecution;
import java.net.URI;
import java.time.Duration;

/**
 * The example case: every order placed in the {@link OrderService} (real or fake) may become a
 * test, which waits for the shipping step to send {@code order_shipped} and checks it. The leader
 * places a fake order every {@code frequency}.
 */
public final class PlaceOrderCase extends Case {
  /** Sent by the shipping step when an order leaves the warehouse. */
  public final Signal<Shipment> orderShipped = signal("order_shipped", Shipment.class);

  private final Duration shipWithin;
  private volatile URI service;
  private volatile Runnable onFakeRequest = () -> {};

  /**
   * @param settings the case settings (the demo sets probability 1 and a short frequency)
   * @param shipWithin how long an order may take to ship before the test times out
   */
  public PlaceOrderCase(CaseSettings settings, Duration shipWithin) {
    super("orders.place_order", settings);
    this.shipWithin = shipWithin;
  }

  /** Where {@link #makeFakeRequest()} places orders. */
  public void target(URI service) {
    this.service = service;
  }

  @Override
  protected void run(TestExecution test) {
    Shipment shipment = orderShipped.await(shipWithin);
    if (!shipment.orderId().equals(test.id())) {
      throw new AssertionError("shipped order " + shipment.orderId() + " for test " + test.id());
    }
    if (!"SHIPPED".equals(shipment.status())) {
      throw new AssertionError(
          "order " + test.id() + " was " + shipment.status() + ", expected SHIPPED");
    }
  }

  /** Called before each fake order is placed (the demos print which replica leads). */
  public void onFakeRequest(Runnable listener) {
    this.onFakeRequest = java.util.Objects.requireNonNull(listener);
  }

  @Override
  public void makeFakeRequest() {
    onFakeRequest.run();
    URI s = service;
    if (s != null) {
      postUrl(s.resolve("/orders").toString(), "{\"item\":\"livecheck-book\"}");
    }
  }
}
