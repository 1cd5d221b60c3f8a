package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a server with a write token, agents and controllers need it for everything they do. */
class CoordinatorTokenTest {
  private static final String TOKEN = "s3cret-token-123";

  @TempDir Path dir;

  @Test
  void agents_bundle_uploads_and_controllers_need_the_token_and_reading_a_run_does_not()
      throws Exception {
    try (MetricsServer server =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("t.db"))
            .token(TOKEN)
            .start()) {
      Http http = new Http(server.url());
      byte[] zip = CoordinatorContractTest.bundle(10);
      HttpRequest.Builder upload =
          HttpRequest.newBuilder(
                  URI.create(server.url() + "/api/v1/distributed?name=x&agents=1&runFile=run.yaml"))
              .POST(HttpRequest.BodyPublishers.ofByteArray(zip));
      Http.Response refused = http.send(upload);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.json().get("error").asText()).contains("Authorization: Bearer");
      Http.Response created = http.send(upload.header("Authorization", "Bearer " + TOKEN));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String id = created.json().get("id").asText();

      String agent = "{\"name\":\"a\",\"attempt\":\"x1\"}";
      assertThat(http.post("/api/v1/agents", agent).status()).isEqualTo(401);
      Http.Response registered =
          http.post("/api/v1/agents", agent, "Authorization", "Bearer " + TOKEN);
      assertThat(registered.status()).isEqualTo(201);
      String agentId = registered.json().get("id").asText();
      for (String route : new String[] {"poll", "bundle", "clock", "ready", "total", "datalog"}) {
        assertThat(http.post("/api/v1/agents/" + agentId + "/" + route, "{}").status())
            .as(route)
            .isEqualTo(401);
      }
      assertThat(http.post("/api/v1/distributed/" + id + "/stop", "{}").status()).isEqualTo(401);
      assertThat(http.get("/api/v1/distributed/" + id).status()).isEqualTo(200);
    }
  }
}
