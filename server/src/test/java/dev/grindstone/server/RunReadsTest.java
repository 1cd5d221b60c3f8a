package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of a run kept up to date as snapshots arrive: what a server answers after folding snapshots
 * one by one equals what a fresh server answers from the store, late agents and changes of interval
 * included, and {@code series?after=} returns exactly the intervals that changed.
 */
class RunReadsTest {
  @TempDir Path dir;

  private static String snapshot(String agent, long seq, long start, long length, Random r) {
    long[] values = new long[5 + r.nextInt(20)];
    for (int i = 0; i < values.length; i++) {
      values[i] = 500 + r.nextInt(300_000);
    }
    return ServerContractTest.snapshot(agent, seq, start, start + length, values, r.nextInt(3))
        .replace("\"number\":1", "\"number\":" + (1 + r.nextInt(3)));
  }

  /**
   * Equal JSON, numbers within a relative 1e-9 (pooled means and variances depend on merge order).
   */
  private static void assertSameFigures(JsonNode a, JsonNode b, String at) {
    if (a.isNumber() && b.isNumber()) {
      assertThat(a.doubleValue())
          .as(at)
          .isCloseTo(
              b.doubleValue(),
              org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(b.doubleValue()))));
      return;
    }
    assertThat(a.getNodeType()).as(at).isEqualTo(b.getNodeType());
    if (a.isObject()) {
      assertThat(iterable(a.fieldNames()))
          .as(at)
          .containsExactlyElementsOf(iterable(b.fieldNames()));
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        assertSameFigures(e.getValue(), b.get(e.getKey()), at + "." + e.getKey());
      }
    } else if (a.isArray()) {
      assertThat(a.size()).as(at).isEqualTo(b.size());
      for (int i = 0; i < a.size(); i++) {
        assertSameFigures(a.get(i), b.get(i), at + "[" + i + "]");
      }
    } else {
      assertThat(a).as(at).isEqualTo(b);
    }
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void figures_folded_snapshot_by_snapshot_equal_a_fresh_servers_late_agents_included() {
    String url = "jdbc:sqlite:" + dir.resolve("reads.db");
    Random r = new Random(11);
    long t0 = 1_700_000_000_000L;
    JsonNode warmRun;
    JsonNode warmSeries;
    try (MetricsServer s = MetricsServer.builder().port(0).jdbcUrl(url).start()) {
      Http http = new Http(s.url());
      assertThat(
              http.post(
                      "/api/v1/runs",
                      "{\"id\":\"r\",\"name\":\"x\",\"agent\":\"a\",\"startMs\":"
                          + t0
                          + ",\"phases\":[{\"name\":\"hold\",\"durationMs\":60000}]}")
                  .status())
          .isEqualTo(201);
      long version = 0;
      List<Long> seen = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        assertThat(
                http.post("/api/v1/runs/r/snapshots", snapshot("a", i, t0 + i * 1000L, 1000, r))
                    .status())
            .isEqualTo(201);
        if (i % 3 == 0) {
          // Agent b reports the same interval, and one long past.
          assertThat(
                  http.post(
                          "/api/v1/runs/r/snapshots", snapshot("b", i, t0 + i * 1000L + 7, 1000, r))
                      .status())
              .isEqualTo(201);
          assertThat(
                  http.post(
                          "/api/v1/runs/r/snapshots",
                          snapshot("c", i, t0 + (i / 2) * 1000L + 3, 1000, r))
                      .status())
              .isEqualTo(201);
        }
        JsonNode changed = http.get("/api/v1/runs/r/series?after=" + version).json();
        assertThat(changed.get("version").asLong()).isGreaterThan(version);
        assertThat(changed.get("intervals").size())
            .as("intervals changed after " + version)
            .isBetween(1, 3);
        version = changed.get("version").asLong();
        seen.add(version);
        assertThat(http.get("/api/v1/runs/r").json().get("version").asLong()).isEqualTo(version);
      }
      assertThat(http.get("/api/v1/runs/r/series?after=" + version).json().get("intervals"))
          .isEmpty();
      warmRun = http.get("/api/v1/runs/r").json();
      warmSeries = http.get("/api/v1/runs/r/series").json();
      assertThat(warmSeries.get("intervals")).hasSize(40);
      assertThat(warmRun.get("snapshots").asLong()).isEqualTo(40 + 14 * 2);
    }
    try (MetricsServer fresh = MetricsServer.builder().port(0).jdbcUrl(url).start()) {
      Http http = new Http(fresh.url());
      assertSameFigures(warmRun, http.get("/api/v1/runs/r").json(), "run");
      assertSameFigures(warmSeries, http.get("/api/v1/runs/r/series").json(), "series");
    }
  }

  @Test
  void when_the_median_snapshot_length_changes_every_interval_is_merged_again() {
    String url = "jdbc:sqlite:" + dir.resolve("length.db");
    Random r = new Random(5);
    long t0 = 1_700_000_000_000L;
    try (MetricsServer s = MetricsServer.builder().port(0).jdbcUrl(url).start()) {
      Http http = new Http(s.url());
      http.post("/api/v1/runs", "{\"id\":\"len\",\"name\":\"x\"}");
      for (int i = 0; i < 3; i++) {
        http.post("/api/v1/runs/len/snapshots", snapshot("a", i, t0 + i * 1000L, 1000, r));
      }
      JsonNode before = http.get("/api/v1/runs/len/series").json();
      assertThat(before.get("intervalMs").asLong()).isEqualTo(1000);
      assertThat(before.get("intervals")).hasSize(3);
      for (int i = 3; i < 10; i++) {
        http.post(
            "/api/v1/runs/len/snapshots", snapshot("a", i, t0 + 3000 + (i - 3) * 5000L, 5000, r));
      }
      JsonNode changed =
          http.get("/api/v1/runs/len/series?after=" + before.get("version").asLong()).json();
      assertThat(changed.get("intervalMs").asLong()).isEqualTo(5000);
      JsonNode all = http.get("/api/v1/runs/len/series").json();
      assertThat(changed.get("intervals")).isEqualTo(all.get("intervals"));
      long tests = 0;
      for (JsonNode iv : all.get("intervals")) {
        tests += iv.get("total").get("tests").asLong();
      }
      assertThat(tests)
          .isEqualTo(http.get("/api/v1/runs/len").json().get("totals").get("tests").asLong());
    }
  }

  @Test
  void a_server_reads_what_another_server_sharing_the_store_wrote() {
    String url = "jdbc:sqlite:" + dir.resolve("shared.db");
    Random r = new Random(9);
    long t0 = 1_700_000_000_000L;
    try (MetricsServer writer = MetricsServer.builder().port(0).jdbcUrl(url).start();
        MetricsServer reader = MetricsServer.builder().port(0).jdbcUrl(url).start()) {
      Http w = new Http(writer.url());
      Http rd = new Http(reader.url());
      w.post("/api/v1/runs", "{\"id\":\"shared\",\"name\":\"x\"}");
      for (int i = 0; i < 5; i++) {
        assertThat(
                w.post("/api/v1/runs/shared/snapshots", snapshot("a", i, t0 + i * 1000L, 1000, r))
                    .status())
            .isEqualTo(201);
        assertThat(
                rd.post("/api/v1/runs/shared/snapshots", snapshot("b", i, t0 + i * 1000L, 1000, r))
                    .status())
            .isEqualTo(201);
        assertThat(rd.get("/api/v1/runs/shared").json().get("totals"))
            .isEqualTo(w.get("/api/v1/runs/shared").json().get("totals"));
      }
      assertThat(rd.get("/api/v1/runs/shared").json().get("snapshots").asInt()).isEqualTo(10);
    }
  }

  @Test
  void after_must_be_a_version() {
    try (MetricsServer s =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("a.db")).start()) {
      Http http = new Http(s.url());
      http.post("/api/v1/runs", "{\"id\":\"v\",\"name\":\"x\"}");
      ServerContractTest.assertError(http.get("/api/v1/runs/v/series?after=-1"), 400, "after");
      ServerContractTest.assertError(http.get("/api/v1/runs/v/series?after=soon"), 400, "after");
      assertThat(http.get("/api/v1/runs/v/series?after=99").json().get("intervals")).isEmpty();
      ServerContractTest.assertError(http.get("/api/v1/runs/none/series?after=1"), 404, "id");
    }
  }
}
