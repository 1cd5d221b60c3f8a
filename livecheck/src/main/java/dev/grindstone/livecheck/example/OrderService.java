package dev.grindstone.livecheck.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.grindstone.livecheck.Case;
import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.http.LiveCheckHttpClient;
import dev.grindstone.livecheck.http.LiveCheckHttpFilter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small order service instrumented with LiveCheck, on 127.0.0.1 and a free port.
 *
 * <ul>
 *   <li>{@code POST /orders} places an order: {@link PlaceOrderCase#maybeTrigger} may turn it into
 *       a test; the shipping step then runs asynchronously (the test context travels with it
 *       through {@link TestContext#propagating}) and calls {@code POST /ship}.
 *   <li>{@code POST /ship?order=ID} is the downstream step. It runs behind {@link
 *       LiveCheckHttpFilter}, so the test arrives with the request headers, and it sends the {@code
 *       order_shipped} signal. With {@link #failDownstream(boolean)} on, it alternately loses the
 *       order (the test FAILs) and answers 500 without shipping (the test TIMEOUTs).
 * </ul>
 *
 * Thread-safe.
 */
@SuppressWarnings("try") // the trigger scope is used for its effect on the thread's context
public final class OrderService implements AutoCloseable {
  private final PlaceOrderCase placeOrder;
  private final HttpServer server;
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private final ExecutorService shipping = Executors.newVirtualThreadPerTaskExecutor();
  private final Executor downstream = TestContext.propagating(shipping);
  private final HttpClient client = LiveCheckHttpClient.wrap(HttpClient.newHttpClient());
  private final AtomicBoolean failDownstream = new AtomicBoolean();
  private final AtomicLong shipRequests = new AtomicLong();
  private final AtomicLong orders = new AtomicLong();

  private OrderService(PlaceOrderCase placeOrder) throws IOException {
    this.placeOrder = placeOrder;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(handlers);
    server.createContext("/orders", this::placeOrder);
    server.createContext("/ship", this::ship).getFilters().add(new LiveCheckHttpFilter());
  }

  /** Starts the service for {@code placeOrder} (registered with a started app). */
  public static OrderService start(PlaceOrderCase placeOrder) throws IOException {
    OrderService s = new OrderService(placeOrder);
    s.server.start();
    placeOrder.target(s.uri());
    return s;
  }

  /** The service's base URL. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Turns the failing shipping step on or off. */
  public void failDownstream(boolean on) {
    failDownstream.set(on);
  }

  /** Orders placed so far. */
  public long orders() {
    return orders.get();
  }

  private void placeOrder(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        respond(ex, 405, "{\"error\":\"use POST\"}");
        return;
      }
      ex.getRequestBody().readAllBytes();
      String orderId = UUID.randomUUID().toString();
      orders.incrementAndGet();
      // The order may become a test, current while the shipping step is handed on.
      try (Case.Trigger test = placeOrder.maybeTrigger(orderId, Map.of("item", "livecheck-book"))) {
        downstream.execute(() -> requestShipping(orderId));
      }
      respond(ex, 201, "{\"order\":\"" + orderId + "\"}");
    }
  }

  private void requestShipping(String orderId) {
    try {
      client.send(
          HttpRequest.newBuilder(uri().resolve("/ship?order=" + orderId))
              .timeout(Duration.ofSeconds(10))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // the shipping step is down; a waiting test will time out, which is what LiveCheck reports
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void ship(HttpExchange ex) throws IOException {
    try (ex) {
      String query = ex.getRequestURI().getQuery();
      String orderId = query != null && query.startsWith("order=") ? query.substring(6) : "";
      long n = shipRequests.incrementAndGet();
      if (failDownstream.get()) {
        if (n % 2 == 0) {
          placeOrder.orderShipped.send(new Shipment(orderId, "LOST"));
          respond(ex, 200, "{\"status\":\"LOST\"}");
        } else {
          respond(ex, 500, "{\"error\":\"warehouse unavailable\"}");
        }
        return;
      }
      // In production, LiveCheck is absent from the request and this send does nothing.
      placeOrder.orderShipped.send(new Shipment(orderId, "SHIPPED"));
      respond(ex, 200, "{\"status\":\"SHIPPED\"}");
    }
  }

  /**
   * Answers {@code json} with {@code status} (the Kafka replicas of this example answer the same
   * way).
   */
  public static void respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  @Override
  public void close() {
    server.stop(0);
    shipping.shutdownNow();
    handlers.shutdownNow();
    client.shutdownNow();
  }
}
