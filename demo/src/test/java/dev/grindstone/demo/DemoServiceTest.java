package dev.grindstone.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.http.Body;
import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpResponse;
import dev.grindstone.http.HttpSession;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoServiceTest {
  static DemoService demo;
  static HttpClient client;

  @BeforeAll
  static void start() {
    demo = DemoService.start();
    client = HttpClient.create();
  }

  @AfterAll
  static void stop() {
    client.close();
    demo.close();
  }

  private String url(String path) {
    return demo.url() + path;
  }

  @Test
  void binds_loopback_on_a_free_port() {
    assertThat(demo.url()).startsWith("http://127.0.0.1:").doesNotEndWith("/");
    assertThat(demo.port()).isPositive();
  }

  @Test
  void ping_answers_pong() {
    HttpResponse r = client.get(url("/ping"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyString()).isEqualTo("pong");
    assertThat(client.head(url("/ping")).status()).isEqualTo(200);
  }

  @Test
  void work_answers_after_the_given_milliseconds() {
    HttpResponse r = client.get(url("/work?ms=60"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("workedMs").asInt()).isEqualTo(60);
    assertThat(r.timings().firstByteMicros()).isGreaterThanOrEqualTo(60_000);
    HttpResponse bad = client.get(url("/work?ms=-1"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("field").asText()).isEqualTo("ms");
    assertThat(bad.json().get("error").asText()).contains("between 0 and 60000", "'-1'");
  }

  @Test
  void flaky_fails_with_the_given_probability() {
    assertThat(client.get(url("/flaky?p=1")).status()).isEqualTo(500);
    assertThat(client.get(url("/flaky?p=0")).status()).isEqualTo(200);
    int failures = 0;
    for (int i = 0; i < 400; i++) {
      if (client.get(url("/flaky?p=0.5")).status() == 500) {
        failures++;
      }
    }
    assertThat(failures)
        .as("binomial(400, 0.5) is within 100..300 with near certainty")
        .isBetween(100, 300);
    assertThat(client.get(url("/flaky?p=2")).status()).isEqualTo(400);
  }

  @Test
  void stall_delay_follows_every_and_for() {
    long s = 1_000_000_000L;
    assertThat(DemoService.class).isNotNull();
    assertThat(stall(5 * s, 10 * s, s)).as("before the first multiple").isZero();
    assertThat(stall(10 * s, 10 * s, s)).isEqualTo(s);
    assertThat(stall(10 * s + s / 4, 10 * s, s)).isEqualTo(3 * s / 4);
    assertThat(stall(11 * s, 10 * s, s)).isZero();
    assertThat(stall(20 * s + 1, 10 * s, s)).isEqualTo(s - 1);
    HttpResponse r = client.get(url("/stall?every=1h&for=1s"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("stalledMs").asLong()).isZero();
    assertThat(client.get(url("/stall?every=soon")).status()).isEqualTo(400);
  }

  private static long stall(long since, long every, long length) {
    try {
      var m = DemoService.class.getDeclaredMethod("stallDelay", long.class, long.class, long.class);
      m.setAccessible(true);
      return (long) m.invoke(null, since, every, length);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_stalled_service_delays_responses_at_each_multiple_of_every() throws InterruptedException {
    try (DemoService fresh = DemoService.start()) {
      // every=200ms, for=150ms: from 200 ms on, most of each period stalls.
      long stalled = 0;
      for (int i = 0; i < 100 && stalled == 0; i++) {
        HttpResponse r = client.get(fresh.url() + "/stall?every=200ms&for=150ms");
        stalled = r.json().get("stalledMs").asLong();
        if (stalled > 0) {
          assertThat(r.timings().firstByteMicros()).isGreaterThanOrEqualTo((stalled - 1) * 1000);
        }
        Thread.sleep(20);
      }
      long maxFirstByte = stalled;
      assertThat(maxFirstByte).isPositive();
    }
  }

  @Test
  void the_shop_runs_login_browse_cart_and_checkout() {
    HttpSession user = client.newSession();
    HttpResponse login =
        user.post(url("/shop/login"), Body.json(Map.of("username", "ann", "password", "pw")));
    assertThat(login.status()).isEqualTo(200);
    String token = login.json().get("token").asText();
    assertThat(user.cookies().get("session")).isEqualTo(token);

    JsonNode products = user.get(url("/shop/products")).json().get("products");
    assertThat(products.size()).isEqualTo(10);
    assertThat(user.get(url("/shop/products/2")).json().get("name").asText()).isEqualTo("Chisel");

    HttpResponse cart =
        user.post(url("/shop/cart"), Body.json(Map.of("productId", 2, "quantity", 3)));
    assertThat(cart.status()).isEqualTo(200);
    assertThat(cart.json().get("totalCents").asLong()).isEqualTo(3 * 799);
    assertThat(user.get(url("/shop/cart")).json().at("/items/0/quantity").asInt()).isEqualTo(3);

    HttpResponse order = user.post(url("/shop/checkout"), Body.empty());
    assertThat(order.status()).isEqualTo(200);
    assertThat(order.json().get("totalCents").asLong()).isEqualTo(2397);
    assertThat(order.json().get("orderId").asText()).isNotBlank();
    assertThat(user.post(url("/shop/checkout"), Body.empty()).status())
        .as("the cart is empty now")
        .isEqualTo(409);

    HttpResponse bearer =
        client.send(
            HttpRequest.get(url("/shop/cart")).header("Authorization", "Bearer " + token).build());
    assertThat(bearer.status()).isEqualTo(200);
  }

  @Test
  void shop_mistakes_get_json_errors_naming_the_field() {
    HttpResponse noUser = client.post(url("/shop/login"), Body.json(Map.of("password", "pw")));
    assertThat(noUser.status()).isEqualTo(422);
    assertThat(noUser.json().get("field").asText()).isEqualTo("username");
    assertThat(client.post(url("/shop/login"), Body.jsonText("{oops")).status()).isEqualTo(400);
    assertThat(
            client
                .post(url("/shop/cart"), Body.json(Map.of("productId", 1, "quantity", 1)))
                .status())
        .as("not logged in")
        .isEqualTo(401);
    HttpSession user = client.newSession();
    user.post(url("/shop/login"), Body.json(Map.of("username", "bob", "password", "pw")));
    HttpResponse zero =
        user.post(url("/shop/cart"), Body.json(Map.of("productId", 1, "quantity", 0)));
    assertThat(zero.status()).isEqualTo(422);
    assertThat(zero.json().get("field").asText()).isEqualTo("quantity");
    HttpResponse unknown =
        user.post(url("/shop/cart"), Body.json(Map.of("productId", 99, "quantity", 1)));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("field").asText()).isEqualTo("productId");
    assertThat(client.get(url("/shop/products/abc")).status()).isEqualTo(400);
    assertThat(client.get(url("/shop/products/42")).status()).isEqualTo(404);
    HttpResponse wrongMethod = client.delete(url("/shop/products"));
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.header("Allow")).isEqualTo("GET");
    assertThat(client.get(url("/nowhere")).status()).isEqualTo(404);
  }
}
