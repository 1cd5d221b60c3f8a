package dev.grindstone.bench.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * Gatling's side of {@code bench/compare-websocket.sh}: {@code users} virtual users, each on its
 * own WebSocket to the echo endpoint {@code url}, sending the text {@code hello} and waiting for
 * its echo (a check on the next text message), one after the other for {@code seconds}. Each echo
 * is one request in Gatling's counts. {@code disableWarmUp()} keeps Gatling from calling an outside
 * URL.
 */
public class EchoSimulation extends Simulation {
  private final String url = System.getProperty("url", "ws://127.0.0.1:8080/ws/echo");
  private final int users = Integer.getInteger("users", 50);
  private final int seconds = Integer.getInteger("seconds", 20);

  private final HttpProtocolBuilder protocol = http.disableWarmUp();

  private final ScenarioBuilder echo =
      scenario("echo")
          .exec(ws("connect").connect(url))
          .during(Duration.ofSeconds(seconds))
          .on(
              ws("echo")
                  .sendText("hello")
                  .await(Duration.ofSeconds(10))
                  .on(ws.checkTextMessage("echo").check(bodyString().is("hello"))))
          .exec(ws("close").close());

  {
    setUp(echo.injectOpen(atOnceUsers(users)))
        .protocols(protocol)
        .maxDuration(Duration.ofSeconds(seconds + 10L));
  }
}
