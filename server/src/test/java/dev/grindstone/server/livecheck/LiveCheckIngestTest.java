package dev.grindstone.server.livecheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.server.MetricsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveCheckIngestTest {

  private static String report(String app, String testId, String state) {
    return "{\"app\":\""
        + app
        + "\",\"case\":\"orders.place_order\",\"state\":\""
        + state
        + "\",\"test_id\":"
        + (testId == null ? "null" : "\"" + testId + "\"")
        + ",\"timestamp\":1700000000.5,\"runtime\":0.1}";
  }

  @Test
  void reports_read_twice_are_stored_once_per_app_and_test_and_invalid_ones_are_skipped()
      throws Exception {
    Path dir = Files.createTempDirectory("grindstone-ingest");
    try (MetricsServer s =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      LiveCheckApi.Ingested first =
          s.ingestLiveCheckReports(
              List.of(
                  report("orders", "t1", "PASS"),
                  report("orders", "t1", "PASS"), // twice in one batch
                  report("billing", "t1", "FAIL"), // same id, another app
                  report("orders", null, "FAIL"), // suite reports have no id: never merged
                  report("orders", null, "FAIL"),
                  "{\"app\":\"orders\",\"state\":\"GREEN\"}",
                  "not json"));
      assertThat(first).isEqualTo(new LiveCheckApi.Ingested(4, 1, 2));
      LiveCheckApi.Ingested again =
          s.ingestLiveCheckReports(
              List.of(report("orders", "t1", "PASS"), report("orders", "t2", "PASS")));
      assertThat(again).isEqualTo(new LiveCheckApi.Ingested(1, 1, 0));
      long rows =
          s.database()
              .read(
                  hd ->
                      hd.createQuery("SELECT COUNT(*) FROM LIVECHECK_REPORTS")
                          .mapTo(Long.class)
                          .one());
      assertThat(rows).isEqualTo(5);
    }
  }

  @Test
  void reports_from_a_topic_pass_the_same_gate_as_http_bodies() throws Exception {
    Path dir = Files.createTempDirectory("grindstone-ingest");
    try (MetricsServer s =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      LiveCheckApi.Ingested result =
          s.ingestLiveCheckReports(
              List.of(
                  report("orders", "t1", "PASS") + " not json", // trailing content
                  report("ord\u0000ers", "t2", "PASS"), // a NUL in a string
                  "[".repeat(5_000) + "]".repeat(5_000), // nesting beyond the parser's limit
                  report("orders", "t3", "PASS")));
      assertThat(result).isEqualTo(new LiveCheckApi.Ingested(1, 0, 3));
      long rows =
          s.database()
              .read(
                  hd ->
                      hd.createQuery("SELECT COUNT(*) FROM LIVECHECK_REPORTS")
                          .mapTo(Long.class)
                          .one());
      assertThat(rows).isEqualTo(1);
    }
  }
}
