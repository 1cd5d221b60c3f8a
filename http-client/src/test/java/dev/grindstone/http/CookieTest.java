package dev.grindstone.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class CookieTest {
  /** A clock the test moves by hand. */
  static final class FakeClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void cookies_follow_path_domain_secure_and_max_age() {
    FakeClock clock = new FakeClock();
    CookieJar jar = CookieJar.create(clock);
    jar.receive(
        URI.create("http://shop.example.com/app/login"),
        List.of(
            "root=1; Path=/",
            "app=2", // default path /app
            "wide=3; Domain=example.com; Path=/",
            "foreign=4; Domain=other.org", // rejected
            "secret=5; Secure; Path=/",
            "short=6; Max-Age=10; Path=/"));
    assertThat(jar.cookieHeader(URI.create("http://shop.example.com/app/cart")))
        .isEqualTo("app=2; root=1; wide=3; short=6");
    assertThat(jar.cookieHeader(URI.create("https://shop.example.com/")))
        .isEqualTo("root=1; wide=3; secret=5; short=6");
    assertThat(jar.cookieHeader(URI.create("http://api.example.com/"))).isEqualTo("wide=3");
    assertThat(jar.cookieHeader(URI.create("http://example.com/appendix"))).isEqualTo("wide=3");
    assertThat(jar.cookieHeader(URI.create("http://other.org/"))).isNull();
    assertThat(jar.cookieHeader(URI.create("http://shop.example.com/application")))
        .as("/app does not path-match /application")
        .doesNotContain("app=2");

    clock.now = clock.now.plus(Duration.ofSeconds(11));
    assertThat(jar.cookieHeader(URI.create("http://shop.example.com/")))
        .isEqualTo("root=1; wide=3");
  }

  @Test
  void a_cookie_is_replaced_and_deleted_by_later_set_cookies() {
    CookieJar jar = CookieJar.create(new FakeClock());
    URI uri = URI.create("http://127.0.0.1:8080/");
    jar.receive(uri, List.of("s=old; Path=/"));
    jar.receive(uri, List.of("s=new; Path=/"));
    assertThat(jar.get("s")).isEqualTo("new");
    jar.receive(uri, List.of("s=gone; Path=/; Max-Age=0"));
    assertThat(jar.get("s")).isNull();
    assertThat(jar.cookies()).isEmpty();
  }

  @Test
  void a_session_sends_back_cookies_it_received_and_clients_without_a_jar_do_not()
      throws Exception {
    try (JdkServer server =
            JdkServer.http()
                .route(
                    "/login",
                    ex -> {
                      ex.getResponseHeaders().add("Set-Cookie", "sid=abc; Path=/; HttpOnly");
                      JdkServer.respond(ex, 200, "in");
                    })
                .route(
                    "/me",
                    ex ->
                        JdkServer.respond(
                            ex, 200, String.valueOf(ex.getRequestHeaders().getFirst("Cookie"))));
        HttpClient client = HttpClient.create()) {
      HttpSession ann = client.newSession();
      HttpSession bob = client.newSession();
      ann.get(server.url("/login"));
      assertThat(ann.get(server.url("/me")).bodyString()).isEqualTo("sid=abc");
      assertThat(bob.get(server.url("/me")).bodyString()).isEqualTo("null");
      assertThat(client.get(server.url("/me")).bodyString()).isEqualTo("null");
      assertThat(ann.cookies().get("sid")).isEqualTo("abc");
    }
  }
}
