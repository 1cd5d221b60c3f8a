package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.demo.DemoService;
import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CheckTest {
  static DemoService demo;
  static HttpClient client;
  static HttpResponse product;
  static HttpResponse ping;

  @BeforeAll
  static void start() {
    demo = DemoService.start();
    client = HttpClient.create();
    product = client.get(demo.url() + "/shop/products/3");
    ping = client.get(demo.url() + "/ping");
  }

  @AfterAll
  static void stop() {
    client.close();
    demo.close();
  }

  @Test
  void passing_checks_give_no_reason() {
    List<Check> checks =
        List.of(
            Check.status(200),
            Check.header("Content-Type", "application/json"),
            Check.headerMatches("content-type", "json$"),
            Check.bodyContains("Whetstone"),
            Check.bodyMatches("\"priceCents\":\\d+"),
            Check.jsonPointer("/id", 3),
            Check.jsonPointer("/name", "Whetstone"),
            Check.responseTimeBelow(Duration.ofMinutes(1)));
    assertThat(Check.verifyAll(product, checks)).isEmpty();
  }

  @Test
  void failing_checks_say_what_was_found_and_expected() {
    assertThat(Check.status(201, 204).verify(product))
        .isEqualTo("status was 200, expected one of [201, 204]");
    assertThat(Check.status(404).verify(product)).isEqualTo("status was 200, expected 404");
    assertThat(Check.header("X-Missing", "1").verify(product))
        .isEqualTo("header X-Missing is missing");
    assertThat(Check.header("Content-Type", "text/html").verify(product))
        .isEqualTo("header Content-Type was 'application/json', expected 'text/html'");
    assertThat(Check.bodyContains("Anvil").verify(product))
        .startsWith("body does not contain 'Anvil'; it starts with '{\"id\":3");
    assertThat(Check.bodyMatches("^\\[").verify(product)).startsWith("body has no match of /^\\[/");
    assertThat(Check.jsonPointer("/id", 4).verify(product))
        .isEqualTo("JSON at /id was 3, expected 4");
    assertThat(Check.jsonPointer("/id", "3").verify(product))
        .isEqualTo("JSON at /id was 3, expected \"3\"");
    assertThat(Check.jsonPointer("/nope", 1).verify(product))
        .isEqualTo("JSON has no value at /nope");
    assertThat(Check.jsonPointer("/id", 1).verify(ping)).startsWith("body is not JSON");
    assertThat(Check.jsonPointer("/price", Map.of("a", 1)).name())
        .isEqualTo("json /price == {\"a\":1}");
    assertThat(Check.responseTimeBelow(Duration.ofNanos(1000)).verify(product))
        .matches("response time \\d+\\.\\d ms exceeded the limit of 0 ms");
  }

  @Test
  void verify_all_lists_each_failure_with_its_check() {
    Check status = Check.status(500);
    Check body = Check.bodyContains("pong");
    List<Check.Failure> failures =
        Check.verifyAll(ping, List.of(status, body, Check.bodyContains("nope")));
    assertThat(failures)
        .extracting(Check.Failure::check)
        .containsExactly(status, Check.bodyContains("nope"));
    assertThat(failures.get(0).check().name()).isEqualTo("status in [500]");
  }

  @Test
  void bad_check_definitions_are_rejected_at_construction() {
    assertThatThrownBy(() -> Check.bodyMatches("(")).hasMessageContaining("bodyMatches '('");
    assertThatThrownBy(() -> Check.jsonPointer("id", 1)).hasMessageContaining("jsonPointer 'id'");
    assertThatThrownBy(() -> Check.status(99)).hasMessageContaining("between 100 and 599, was 99");
    assertThatThrownBy(() -> Check.responseTimeBelow(Duration.ZERO))
        .hasMessageContaining("responseTimeBelow");
  }
}
