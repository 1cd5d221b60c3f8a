package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Internal failures answer JSON without class names, and no log line or message holds a secret. */
class FailureAndSecretsTest {
  private static final String TOKEN = "s3cret-token-4711";
  private static final String PASSWORD = "hunter2-secret";

  @TempDir Path dir;

  private static String printed(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void a_500_names_no_java_class_and_its_log_line_hides_the_token_of_the_path() {
    try (MetricsServer s =
        MetricsServer.builder()
            .port(0)
            .token(TOKEN)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("f.db"))
            .start()) {
      Http http = new Http(s.url());
      s.database().close(); // every request that touches the store now fails inside the server
      try (LogCapture log = new LogCapture()) {
        Http.Response r = http.post("/t/" + TOKEN + "/api/v1/runs", "{\"name\":\"x\"}");
        assertThat(r.status()).isEqualTo(500);
        String error = r.json().get("error").asText();
        assertThat(error)
            .contains("reference")
            .doesNotContain("Exception")
            .doesNotContain("java.")
            .doesNotContainPattern("[A-Z][a-z]+[A-Z][A-Za-z]+");
        assertThat(r.json().get("field").isNull()).isTrue();
        String reference = error.substring(error.lastIndexOf(' ') + 1);
        assertThat(log.text())
            .contains("reference " + reference)
            .contains("/t/***/api/v1/runs")
            .doesNotContain(TOKEN);
      }
    }
  }

  @Test
  void a_refused_body_on_a_token_path_is_logged_without_the_token() {
    try (MetricsServer s =
            MetricsServer.builder()
                .port(0)
                .token(TOKEN)
                .jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db"))
                .start();
        LogCapture log = new LogCapture()) {
      Http.Response r = new Http(s.url()).post("/t/" + TOKEN + "/metrics/", "[".repeat(100));
      assertThat(r.status()).isEqualTo(400);
      assertThat(log.text()).contains("/t/***/metrics").doesNotContain(TOKEN);
    }
  }

  @Test
  void a_failed_start_never_prints_the_jdbc_password() {
    for (String url :
        new String[] {
          "jdbc:postgresql://127.0.0.1:1/grindstone?user=g&password=" + PASSWORD + "&ssl=false",
          "jdbc:postgresql://127.0.0.1:1/grindstone?user=g&sslpassword=" + PASSWORD,
          "jdbc:postgresql://g:" + PASSWORD + "@127.0.0.1:1/grindstone",
          "jdbc:mysql://127.0.0.1/grindstone?password=" + PASSWORD,
          "jdbc:sqlite:" + dir.resolve("no/such/folder/x.db") + "?password=" + PASSWORD
        }) {
      try (LogCapture log = new LogCapture()) {
        assertThatThrownBy(() -> MetricsServer.builder().port(0).jdbcUrl(url).start())
            .as(url)
            .satisfies(e -> assertThat(printed(e)).doesNotContain(PASSWORD).contains("***"));
        assertThat(log.text()).as(url).doesNotContain(PASSWORD);
      }
    }
  }

  @Test
  void redaction_covers_url_parameters_user_information_and_token_paths() {
    assertThat(Secrets.redact("jdbc:postgresql://h/db?user=u&password=p1;x&PWD=p2 token=p3"))
        .isEqualTo("jdbc:postgresql://h/db?user=u&password=***;x&PWD=*** token=***");
    assertThat(Secrets.redact("postgresql://user:pa:ss@host/db"))
        .isEqualTo("postgresql://user:***@host/db");
    assertThat(Secrets.redactPath("/t/abc/api/v1/runs")).isEqualTo("/t/***/api/v1/runs");
    assertThat(Secrets.redactPath("/api/v1/t/abc")).isEqualTo("/api/v1/t/abc");
  }
}
