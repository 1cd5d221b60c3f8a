package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenTest {
  @TempDir Path dir;

  @Test
  void binding_beyond_loopback_without_a_token_is_refused() {
    assertThatThrownBy(
            () ->
                MetricsServer.builder()
                    .bind("0.0.0.0")
                    .port(0)
                    .jdbcUrl("jdbc:sqlite:" + dir.resolve("a.db"))
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token")
        .hasMessageContaining("0.0.0.0");
  }

  @Test
  void configuration_mistakes_name_the_field_and_value() {
    assertThatThrownBy(() -> MetricsServer.builder().port(70000).start())
        .hasMessageContaining("port")
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> MetricsServer.builder().port(0).jdbcUrl("jdbc:mysql://x").start())
        .hasMessageContaining("jdbc:mysql://x");
    assertThatThrownBy(() -> MetricsServer.builder().port(0).token("short").start())
        .hasMessageContaining("token");
  }

  @Test
  void with_a_token_writes_need_it_in_a_header_or_the_path_and_reads_do_not() {
    String token = "s3cret-token-123";
    try (MetricsServer s =
        MetricsServer.builder()
            .port(0)
            .token(token)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("t.db"))
            .start()) {
      Http http = new Http(s.url());
      ServerContractTest.assertError(http.post("/contexts/", Http.context("c1")), 401, "token");
      ServerContractTest.assertError(
          http.post("/contexts/", Http.context("c1"), "Authorization", "Bearer wrong-token-xyz"),
          401,
          "token");
      assertThat(
              http.post("/contexts/", Http.context("c1"), "Authorization", "Bearer " + token)
                  .status())
          .isEqualTo(201);
      assertThat(http.post("/t/" + token + "/sessions/", Http.session("s1", "x", "{}")).status())
          .isEqualTo(201);
      assertThat(
              http.post("/t/" + token + "/api/v1/metrics/", Http.metric("s1", "c1", "t", "c", 1))
                  .status())
          .isEqualTo(201);
      ServerContractTest.assertError(
          http.post("/t/wrong-token-xyz/metrics/", Http.metric("s1", "c1", "t", "c", 1)),
          401,
          "token");
      assertThat(http.get("/metrics/count").json().get("count").asLong()).isEqualTo(1);
      assertThat(http.get("/t/" + token + "/api/v1/contexts/c1").status()).isEqualTo(200);
      assertThat(
              http.post("/api/v1/runs", "{\"name\":\"x\"}", "Authorization", "Bearer " + token)
                  .status())
          .isEqualTo(201);
    }
  }
}
