package com.example.load;

import com.example.GreetingClient;
import com.sun.net.httpserver.HttpServer;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Starts the system under test itself (a small greeting service on a free loopback port) and loads
 * it through the project's own client.
 */
public class GreetingScenario implements Scenario, AutoCloseable {
  static final Test GREET = new Test(1, "Greet");

  private final HttpServer server;
  private final GreetingClient client;
  private final String name = System.getProperty("greeting.name", "nobody");

  public GreetingScenario() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/greet",
        exchange -> {
          byte[] body =
              ("Hello, " + exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    client = new GreetingClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
  }

  @Override
  public void iteration(VirtualUser user) throws Exception {
    String answer = GREET.record(() -> client.greet(name));
    if (!answer.equals("Hello, name=load+test")) {
      throw new IllegalStateException("unexpected answer: " + answer);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
