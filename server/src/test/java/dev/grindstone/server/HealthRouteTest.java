package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthRouteTest {
  @TempDir Path dir;

  @Test
  void healthz_answers_ok_without_the_token() {
    try (MetricsServer s =
        MetricsServer.builder()
            .port(0)
            .token("probe-token-123")
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("h.db"))
            .start()) {
      Http.Response r = new Http(s.url()).get("/healthz");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("status").asText()).isEqualTo("ok");
    }
  }
}
