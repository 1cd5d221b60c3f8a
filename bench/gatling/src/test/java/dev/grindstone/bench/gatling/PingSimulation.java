package dev.grindstone.bench.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * A closed model: {@code users} virtual users, each on its own keep-alive connection, sending GET
 * {@code url} one after the other for {@code seconds}. {@code disableWarmUp()} keeps Gatling from
 * calling an outside URL.
 */
public class PingSimulation extends Simulation {
  private final String url = System.getProperty("url", "http://127.0.0.1:8080/");
  private final int users = Integer.getInteger("users", 50);
  private final int seconds = Integer.getInteger("seconds", 20);

  private final HttpProtocolBuilder protocol = http.disableWarmUp();

  private final ScenarioBuilder loop =
      scenario("ping").during(Duration.ofSeconds(seconds)).on(http("ping").get(url));

  {
    setUp(loop.injectClosed(constantConcurrentUsers(users).during(Duration.ofSeconds(seconds))))
        .protocols(protocol)
        .maxDuration(Duration.ofSeconds(seconds + 5L));
  }
}
