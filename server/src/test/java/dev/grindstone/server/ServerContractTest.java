package dev.grindstone.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.store.WriterHold;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The storage contract: every route of the server, run over each store (SQLite and PostgreSQL) by
 * the subclasses. Each test uses its own hashes and ids, so tests share one server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerContractTest {
  MetricsServer server;
  Http http;

  /** The JDBC URL of a fresh, empty database. */
  abstract String jdbcUrl() throws Exception;

  void stopDatabase() throws Exception {}

  @BeforeAll
  void start() throws Exception {
    server = MetricsServer.builder().port(0).jdbcUrl(jdbcUrl()).start();
    http = new Http(server.url());
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    stopDatabase();
  }

  static String hex() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** Creates a context and a session; returns {context, session}. */
  String[] contextAndSession(String description) {
    String c = hex();
    String s = hex();
    assertThat(http.post("/contexts/", Http.context(c)).status()).isEqualTo(201);
    assertThat(http.post("/sessions/", Http.session(s, "scm-" + s, description)).status())
        .isEqualTo(201);
    return new String[] {c, s};
  }

  // ------------------------------------------------------------ pytest-monitor protocol

  @ParameterizedTest
  @ValueSource(strings = {"", "/api/v1"})
  void the_real_client_sequence_works_at_the_root_and_under_api_v1(String prefix) {
    String c = hex();
    assertThat(http.get(prefix + "/contexts/" + c).status()).isEqualTo(204);
    Http.Response created = http.post(prefix + "/contexts/", Http.context(c));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().get("h").asText()).isEqualTo(c);
    assertThat(created.json().get("cpu_frequency").asDouble()).isEqualTo(2445.428);
    Http.Response known = http.get(prefix + "/contexts/" + c);
    assertThat(known.status()).isEqualTo(200);
    assertThat(known.json().get("contexts").get(0).get("h").asText()).isEqualTo(c);
    String s = hex();
    Http.Response session =
        http.post(
            prefix + "/sessions/",
            Http.session(
                s,
                "bf8a71ac",
                "{\"description\":\"nightly\",\"pipeline_branch\":\"main\",\"pipeline_build_no\":\"42\"}"));
    assertThat(session.status()).isEqualTo(201);
    assertThat(session.json().get("session_h").asText()).isEqualTo(s);
    assertThat(session.json().get("scm_ref").asText()).isEqualTo("bf8a71ac");
    assertThat(session.json().get("tags").toString())
        .contains("{\"name\":\"pipeline_branch\",\"value\":\"main\"}");
    assertThat(
            http.post(prefix + "/metrics/", Http.metric(s, c, "test_param", "acceptance", 0.0579))
                .status())
        .isEqualTo(201);
    assertThat(http.get(prefix + "/sessions/" + s + "/metrics/count").json().get("count").asLong())
        .isEqualTo(1);
  }

  @Test
  void routes_answer_with_and_without_trailing_slash() {
    String[] cs = contextAndSession("{}");
    assertThat(http.post("/metrics", Http.metric(cs[1], cs[0], "t", "c", 1)).status())
        .isEqualTo(201);
    assertThat(http.post("/api/v1/metrics/", Http.metric(cs[1], cs[0], "t", "c", 1)).status())
        .isEqualTo(201);
    assertThat(http.get("/contexts/" + cs[0] + "/").status()).isEqualTo(200);
    assertThat(http.get("/api/v1/sessions/" + cs[1]).status()).isEqualTo(200);
    assertThat(http.get("/api/v1/sessions/" + cs[1] + "/").status()).isEqualTo(200);
  }

  @Test
  void re_posting_a_context_or_session_is_idempotent() {
    String c = hex();
    String s = hex();
    for (int i = 0; i < 3; i++) {
      assertThat(http.post("/contexts/", Http.context(c)).status()).isEqualTo(201);
      assertThat(http.post("/sessions/", Http.session(s, "x", "{}")).status()).isEqualTo(201);
    }
    assertThat(http.get("/contexts/" + c).json().get("contexts")).hasSize(1);
    assertThat(http.get("/sessions/" + s).json().get("sessions")).hasSize(1);
  }

  @Test
  void the_seed_spelling_ram_tota_is_accepted() {
    String c = hex();
    String body = Http.context(c).replace("\"ram_total\"", "\"ram_tota\"");
    Http.Response r = http.post("/contexts/", body);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("ram_total").asLong()).isEqualTo(24105);
  }

  @Test
  void a_string_description_is_stored_as_an_object() {
    String s = hex();
    Http.Response r = http.post("/sessions/", Http.session(s, "x", "\"nightly run\""));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("tags").get(0).get("name").asText()).isEqualTo("description");
    assertThat(r.json().get("description").get("description").asText()).isEqualTo("nightly run");
  }

  @Test
  void contexts_and_sessions_match_by_hash_prefix() {
    String[] cs = contextAndSession("{}");
    assertThat(
            http.get("/contexts/" + cs[0].substring(0, 10))
                .json()
                .get("contexts")
                .get(0)
                .get("h")
                .asText())
        .isEqualTo(cs[0]);
    assertThat(
            http.get("/sessions/" + cs[1].substring(0, 10))
                .json()
                .get("sessions")
                .get(0)
                .get("session_h")
                .asText())
        .isEqualTo(cs[1]);
    assertThat(http.get("/contexts/").status()).isEqualTo(200);
    assertThat(http.get("/sessions/").json().get("total_page").asInt()).isEqualTo(1);
  }

  @Test
  void metrics_are_paged_500_at_a_time_with_links() {
    String[] cs = contextAndSession("{}");
    for (int i = 0; i < 501; i++) {
      assertThat(
              http.post("/metrics/", Http.metric(cs[1], cs[0], "test_" + i, "paging", i)).status())
          .isEqualTo(201);
    }
    JsonNode first = http.get("/sessions/" + cs[1] + "/metrics").json();
    assertThat(first.get("metrics")).hasSize(500);
    assertThat(first.get("total_page").asInt()).isEqualTo(2);
    assertThat(first.get("next_url").asText()).isEqualTo("/sessions/" + cs[1] + "/metrics?page=2");
    assertThat(first.has("prev_url")).isFalse();
    JsonNode second = http.get("/sessions/" + cs[1] + "/metrics?page=2").json();
    assertThat(second.get("metrics")).hasSize(1);
    assertThat(second.get("metrics").get(0).get("item").asText()).isEqualTo("test_500");
    assertThat(second.get("prev_url").asText()).endsWith("?page=1");
    JsonNode last = http.get("/sessions/" + cs[1] + "/metrics?page=-1").json();
    assertThat(last.get("metrics").get(0).get("item").asText()).isEqualTo("test_500");
    assertThat(http.get("/sessions/" + cs[1] + "/metrics?page=3").status()).isEqualTo(204);
    assertThat(http.get("/sessions/" + cs[1] + "/metrics?page=x").status()).isEqualTo(400);
  }

  @Test
  void query_routes_filter_by_item_variant_kind_scm_and_component() {
    String item = "test_q_" + hex().substring(0, 8);
    String comp = "comp_" + hex().substring(0, 8);
    String[] cs =
        contextAndSession("{\"pipeline_branch\":\"br-" + comp + "\",\"pipeline_build_no\":\"7\"}");
    http.post("/metrics/", Http.metric(cs[1], cs[0], item, comp, 0.5));
    http.post("/metrics/", Http.metric(cs[1], cs[0], item + "_other", comp, 2.5));
    assertThat(http.get("/items/" + item + "/metrics").json().get("metrics")).hasSize(1);
    assertThat(http.get("/items/" + item + "/metrics/count").json().get("count").asLong())
        .isEqualTo(1);
    assertThat(http.get("/items/like/" + item + "/metrics").json().get("metrics")).hasSize(2);
    assertThat(http.get("/variants/" + item + "%5B1%2C%20a%5D/metrics").json().get("metrics"))
        .hasSize(1);
    assertThat(
            http.get("/variants/" + item + "%5B1%2C%20a%5D/metrics/count")
                .json()
                .get("count")
                .asLong())
        .isEqualTo(1);
    assertThat(http.get("/variants/like/" + item + "/metrics").json().get("metrics")).hasSize(2);
    assertThat(http.get("/filters/scope/function/metrics/count").json().get("count").asLong())
        .isGreaterThanOrEqualTo(2);
    assertThat(http.get("/filters/scope/module/metrics").status()).isEqualTo(204);
    assertThat(http.get("/filters/scm/scm-" + cs[1] + "/metrics").json().get("metrics")).hasSize(2);
    assertThat(
            http.get("/filters/scm/scm-" + cs[1] + "/metrics/count").json().get("count").asLong())
        .isEqualTo(2);
    assertThat(
            http.get("/filters/scm/scm-" + cs[1].substring(0, 8) + "/sessions")
                .json()
                .get("sessions")
                .get(0)
                .get("session_h")
                .asText())
        .isEqualTo(cs[1]);
    assertThat(http.get("/components/" + comp).json().get("components").get(0).asText())
        .isEqualTo(comp);
    assertThat(http.get("/components/").status()).isEqualTo(200);
    assertThat(http.get("/components/count").json().get("count").asLong())
        .isGreaterThanOrEqualTo(1);
    assertThat(http.get("/components/" + comp + "/metrics").json().get("component").asText())
        .isEqualTo(comp);
    assertThat(
            http.get("/components/" + comp + "/items/" + item + "/metrics").json().get("metrics"))
        .hasSize(1);
    assertThat(
            http.get("/components/" + comp + "/variants/" + item + "%5B1%2C%20a%5D/metrics")
                .json()
                .get("metrics"))
        .hasSize(1);
    assertThat(http.get("/components/items/" + item + "/metrics").status()).isEqualTo(204);
    assertThat(http.get("/components/variants/" + item + "/metrics").status()).isEqualTo(204);
    assertThat(http.get("/components/metrics").status()).isIn(200, 204);
    assertThat(
            http.get("/components/" + comp + "/pipelines").json().get("pipelines").get(0).asText())
        .isEqualTo("br-" + comp);
    assertThat(
            http.get("/components/" + comp + "/pipelines/br-" + comp + "/builds")
                .json()
                .get("builds")
                .get(0)
                .asText())
        .isEqualTo("7");
    assertThat(
            http.get("/components/" + comp + "/pipelines/br-" + comp + "/builds/7/sessions")
                .json()
                .get("sessions")
                .get(0)
                .asText())
        .isEqualTo(cs[1]);
    assertThat(http.get("/pipelines/").json().get("pipelines").toString()).contains("br-" + comp);
    assertThat(http.get("/pipelines/br-" + comp + "/builds").json().get("builds").get(0).asText())
        .isEqualTo("7");
    assertThat(
            http.get("/pipelines/br-" + comp + "/builds/7/sessions")
                .json()
                .get("sessions")
                .get(0)
                .asText())
        .isEqualTo(cs[1]);
    assertThat(http.get("/contexts/" + cs[0] + "/metrics").json().get("metrics")).hasSize(2);
    assertThat(http.get("/contexts/" + cs[0] + "/metrics/count").json().get("count").asLong())
        .isEqualTo(2);
    assertThat(http.get("/contexts/count").json().get("count").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(http.get("/sessions/count").json().get("count").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(http.get("/metrics/count").json().get("count").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(http.get("/metrics/").status()).isEqualTo(200);
  }

  @Test
  void sessions_filter_by_description_flags() {
    String flag = "flag_" + hex().substring(0, 8);
    String[] a = contextAndSession("{\"" + flag + "\":\"yes\"}");
    String[] b = contextAndSession("{\"" + flag + "\":\"no\",\"other_" + flag + "\":\"1\"}");
    assertThat(http.get("/sessions/?with_flags=" + flag).json().get("sessions")).hasSize(2);
    JsonNode yes =
        http.get("/sessions/?with_flags=" + flag + "&restrict_flags=yes").json().get("sessions");
    assertThat(yes).hasSize(1);
    assertThat(yes.get(0).get("session_h").asText()).isEqualTo(a[1]);
    JsonNode all =
        http.get("/sessions/?with_flags=" + flag + ",other_" + flag + "&method=match_all")
            .json()
            .get("sessions");
    assertThat(all).hasSize(1);
    assertThat(all.get(0).get("session_h").asText()).isEqualTo(b[1]);
    assertThat(http.get("/sessions/?with_flags=" + flag + "&method=sometimes").status())
        .isEqualTo(400);
  }

  @Test
  void resources_list_the_heaviest_and_lightest_metrics() {
    String comp = "res_" + hex().substring(0, 8);
    String[] cs =
        contextAndSession("{\"pipeline_branch\":\"p-" + comp + "\",\"pipeline_build_no\":\"1\"}");
    for (int i = 1; i <= 12; i++) {
      http.post("/metrics/", Http.metric(cs[1], cs[0], "t" + i, comp, i));
    }
    JsonNode head =
        http.get("/resources/total_time/components/" + comp + "/head/metrics")
            .json()
            .get("metrics");
    assertThat(head).hasSize(10);
    assertThat(head.get(0).get("total_time").asDouble()).isEqualTo(12.0);
    JsonNode tail =
        http.get("/resources/total_time/components/" + comp + "/tail/3/metrics")
            .json()
            .get("metrics");
    assertThat(tail).hasSize(3);
    assertThat(tail.get(0).get("total_time").asDouble()).isEqualTo(1.0);
    assertThat(
            http.get("/resources/total_time/pipelines/p-" + comp + "/head/2/metrics")
                .json()
                .get("metrics")
                .get(0)
                .get("total_time")
                .asDouble())
        .isEqualTo(12.0);
    assertThat(
            http.get("/resources/total_time/pipelines/p-" + comp + "/builds/1/tail/metrics")
                .json()
                .get("metrics"))
        .hasSize(10);
    assertThat(http.get("/resources/memory/head/metrics").status()).isEqualTo(200);
    assertThat(http.get("/resources/cpu/tail/5/metrics").status()).isEqualTo(200);
    assertThat(http.get("/resources/kernel_time/head/metrics").status()).isEqualTo(200);
    assertThat(http.get("/resources/user_time/head/metrics").status()).isEqualTo(200);
    assertThat(http.get("/resources/disk/head/metrics").json().get("field").asText())
        .isEqualTo("resource");
    assertThat(http.get("/resources/cpu/head/x/metrics").status()).isEqualTo(400);
  }

  // ------------------------------------------------------------ bad input

  @Test
  void bad_pytest_monitor_input_is_rejected_with_the_field_and_nothing_is_stored() {
    String[] cs = contextAndSession("{}");
    long before = http.get("/metrics/count").json().get("count").asLong();
    assertError(http.post("/metrics/", "{not json"), 400, null);
    assertError(http.post("/metrics/", "[1,2]"), 400, null);
    assertError(http.post("/metrics/", ""), 400, null);
    assertError(
        http.post(
            "/metrics/",
            Http.metric(cs[1], cs[0], "t", "c", 1)
                .replace("\"total_time\":1.0", "\"total_time\":\"slow\"")),
        400,
        "total_time");
    assertError(
        http.post(
            "/metrics/",
            Http.metric(cs[1], cs[0], "t", "c", 1).replace("\"kind\":\"function\",", "")),
        400,
        "kind");
    assertError(
        http.post("/metrics/", Http.metric("unknown" + hex(), cs[0], "t", "c", 1)),
        400,
        "session_h");
    assertError(
        http.post("/metrics/", Http.metric(cs[1], "unknown" + hex(), "t", "c", 1)),
        400,
        "context_h");
    assertError(
        http.post(
            "/contexts/", Http.context(hex()).replace("\"cpu_count\":2", "\"cpu_count\":\"two\"")),
        400,
        "cpu_count");
    assertError(
        http.post("/contexts/", Http.context(hex()).replace("\"ram_total\":24105,", "")),
        400,
        "ram_total");
    assertError(http.post("/sessions/", Http.session(hex(), "x", "42")), 400, "description");
    assertError(http.post("/sessions/", "{\"run_date\":\"x\"}"), 400, "session_h");
    assertThat(http.get("/metrics/count").json().get("count").asLong()).isEqualTo(before);
  }

  @Test
  void unknown_routes_answer_404_in_json() {
    assertError(http.get("/no/such/route"), 404, null);
    assertError(http.post("/api/v1/nothing", "{}"), 404, null);
  }

  @Test
  void bodies_over_the_limit_get_413() {
    String big = "{\"pad\":\"" + "x".repeat(MetricsServer.DEFAULT_BODY_LIMIT) + "\"}";
    assertError(http.post("/metrics/", big), 413, null);
    assertError(http.post("/api/v1/runs", big), 413, null);
  }

  static void assertError(Http.Response r, int status, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode j = r.json();
    assertThat(j.get("error").asText()).isNotBlank();
    if (field == null) {
      assertThat(j.get("field").isNull()).as(r.body()).isTrue();
    } else {
      assertThat(j.get("field").asText()).as(r.body()).isEqualTo(field);
    }
  }

  // ------------------------------------------------------------ runs

  static String histogram(long... values) {
    Histogram h = new Histogram(3);
    for (long v : values) {
      h.recordValue(v);
    }
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
  }

  static String snapshot(String agent, long seq, long start, long end, long[] values, int errors) {
    double sum = 0;
    for (long v : values) {
      sum += v;
    }
    double mean = values.length == 0 ? 0 : sum / values.length;
    double var = 0;
    for (long v : values) {
      var += (v - mean) * (v - mean);
    }
    var = values.length == 0 ? 0 : var / values.length;
    return "{\"agent\":\""
        + agent
        + "\",\"seq\":"
        + seq
        + ",\"phase\":\"hold\",\"startMs\":"
        + start
        + ",\"endMs\":"
        + end
        + ",\"tests\":[{\"number\":1,\"statistics\":{\"errors\":"
        + errors
        + ",\"untimedTests\":0,\"timedTests\":{\"count\":"
        + values.length
        + ",\"sum\":"
        + sum
        + ",\"variance\":"
        + var
        + "},\"httpplugin.responseLength\":100},\"histogram\":\""
        + histogram(values)
        + "\"}]}";
  }

  /** An interval of calls of test 1 with their exact min and max, as a client sends it today. */
  static String snapshotWithBounds(String agent, long seq, long start, long[] values) {
    long min = java.util.Arrays.stream(values).min().orElseThrow();
    long max = java.util.Arrays.stream(values).max().orElseThrow();
    return snapshot(agent, seq, start, start + 1000, values, 0)
        .replace(",\"variance\":", ",\"min\":" + min + ",\"max\":" + max + ",\"variance\":");
  }

  @Test
  void the_exact_min_and_max_a_client_sends_bound_the_runs_figures() {
    String id = "run-" + hex().substring(0, 12);
    assertThat(
            http.post(
                    "/api/v1/runs",
                    "{\"id\":\""
                        + id
                        + "\",\"name\":\"exact\",\"agent\":\"a1\","
                        + "\"phases\":[],\"tests\":[],\"startMs\":1700000000000}")
                .status())
        .isEqualTo(201);
    // 5633 µs is in a histogram bucket whose top (5635) is above it: the histogram alone would say
    // more.
    long t0 = 1_700_000_000_000L;
    assertThat(
            http.post(
                    "/api/v1/runs/" + id + "/snapshots",
                    snapshotWithBounds("a1", 0, t0, new long[] {1003, 5633}))
                .status())
        .isEqualTo(201);
    assertThat(
            http.post(
                    "/api/v1/runs/" + id + "/snapshots",
                    snapshotWithBounds("a1", 1, t0 + 1000, new long[] {2001, 5633}))
                .status())
        .isEqualTo(201);
    Histogram union = new Histogram(3);
    for (long v : new long[] {1003, 5633, 2001, 5633}) {
      union.recordValue(v);
    }
    assertThat(union.getMaxValue()).as("the histogram's max").isGreaterThan(5633);
    JsonNode totals = http.get("/api/v1/runs/" + id).json().get("totals");
    assertThat(totals.get("minMs").asDouble()).isEqualTo(1.003);
    assertThat(totals.get("maxMs").asDouble()).isEqualTo(5.633);
    assertThat(totals.get("p99Ms").asDouble()).as("never above the exact max").isEqualTo(5.633);
    assertThat(totals.get("meanMs").asDouble()).isEqualTo(14270 * 0.001 / 4);
  }

  @Test
  void a_snapshots_min_and_max_come_both_in_order_and_only_with_calls() {
    String id = "run-" + hex().substring(0, 12);
    assertThat(
            http.post(
                    "/api/v1/runs",
                    "{\"id\":\""
                        + id
                        + "\",\"name\":\"bounds\",\"agent\":\"a1\","
                        + "\"phases\":[],\"tests\":[],\"startMs\":1700000000000}")
                .status())
        .isEqualTo(201);
    String path = "/api/v1/runs/" + id + "/snapshots";
    String good = snapshotWithBounds("a1", 0, 1_700_000_000_000L, new long[] {1000, 2000});
    assertError(
        http.post(path, good.replace(",\"max\":2000", "")),
        400,
        "tests[0].statistics.timedTests.max");
    assertError(
        http.post(path, good.replace("\"min\":1000", "\"min\":3000")),
        400,
        "tests[0].statistics.timedTests.min");
    assertError(
        http.post(path, good.replace("\"max\":2000", "\"max\":-2")),
        400,
        "tests[0].statistics.timedTests.max");
    String none =
        snapshot("a1", 0, 1_700_000_000_000L, 1_700_000_001_000L, new long[0], 0)
            .replace(",\"variance\":", ",\"min\":1,\"max\":1,\"variance\":");
    assertError(http.post(path, none), 400, "tests[0].statistics.timedTests.min");
    assertThat(http.get("/api/v1/runs/" + id).json().get("snapshots").asInt())
        .as("nothing stored")
        .isZero();
  }

  @Test
  void several_agents_merge_exactly_into_one_run() {
    String id = "run-" + hex().substring(0, 12);
    String create =
        "{\"id\":\""
            + id
            + "\",\"name\":\"demo\",\"agent\":\"%s\",\"phases\":[{\"name\":\"hold\",\"durationMs\":2000}],\"tests\":[{\"number\":1,\"description\":\"Log"
            + " in\"}],\"startMs\":1700000000000}";
    assertThat(http.post("/api/v1/runs", create.formatted("a1")).status()).isEqualTo(201);
    Http.Response again = http.post("/api/v1/runs", create.formatted("a2"));
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().get("id").asText()).isEqualTo(id);
    Random rnd = new Random(42);
    List<Long> all = new ArrayList<>();
    long t0 = 1700000000000L;
    int seq = 0;
    for (String agent : List.of("a1", "a2")) {
      for (int i = 0; i < 2; i++) {
        long[] vs = new long[50 + rnd.nextInt(50)];
        for (int k = 0; k < vs.length; k++) {
          vs[k] = 1000 + rnd.nextInt(200_000);
          all.add(vs[k]);
        }
        assertThat(
                http.post(
                        "/api/v1/runs/" + id + "/snapshots",
                        snapshot(agent, i, t0 + i * 1000L, t0 + (i + 1) * 1000L, vs, 1))
                    .status())
            .isEqualTo(201);
      }
      seq++;
    }
    // A retry of the same (agent, seq) is accepted and not counted twice.
    Http.Response dup =
        http.post(
            "/api/v1/runs/" + id + "/snapshots",
            snapshot("a1", 0, t0, t0 + 1000, new long[] {5, 6}, 0));
    assertThat(dup.status()).isEqualTo(201);
    assertThat(dup.json().get("duplicate").asBoolean()).isTrue();

    Histogram union = new Histogram(3);
    double sum = 0;
    for (long v : all) {
      union.recordValue(v);
      sum += v;
    }
    double mean = sum / all.size();
    double var = 0;
    for (long v : all) {
      var += (v - mean) * (v - mean);
    }
    var /= all.size();
    JsonNode run = http.get("/api/v1/runs/" + id).json();
    JsonNode totals = run.get("totals");
    assertThat(totals.get("tests").asLong()).isEqualTo(all.size());
    assertThat(totals.get("errors").asLong()).isEqualTo(4);
    assertThat(totals.get("meanMs").asDouble())
        .isCloseTo(mean / 1000, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(totals.get("sdMs").asDouble())
        .isCloseTo(Math.sqrt(var) / 1000, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(totals.get("p99Ms").asDouble()).isEqualTo(union.getValueAtPercentile(99) / 1000.0);
    assertThat(totals.get("p50Ms").asDouble()).isEqualTo(union.getValueAtPercentile(50) / 1000.0);
    assertThat(totals.get("maxMs").asDouble()).isEqualTo(union.getMaxValue() / 1000.0);
    assertThat(totals.get("minMs").asDouble()).isEqualTo(union.getMinValue() / 1000.0);
    assertThat(totals.get("tps").asDouble())
        .isCloseTo(all.size() / 2.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(totals.get("statistics").get("httpplugin.responseLength").asDouble()).isEqualTo(400);
    assertThat(run.get("tests").get(0).get("description").asText()).isEqualTo("Log in");
    assertThat(run.get("agents")).hasSize(2);
    assertThat(run.get("status").asText()).isEqualTo("running");
    assertThat(run.get("phases").get(0).get("totals").get("tests").asLong()).isEqualTo(all.size());

    JsonNode series = http.get("/api/v1/runs/" + id + "/series").json();
    assertThat(series.get("intervals")).hasSize(2);
    long seriesTests = 0;
    for (JsonNode iv : series.get("intervals")) {
      seriesTests += iv.get("total").get("tests").asLong();
      assertThat(iv.get("tests").get(0).get("number").asInt()).isEqualTo(1);
    }
    assertThat(seriesTests).isEqualTo(all.size());

    assertThat(
            http.post(
                    "/api/v1/runs/" + id + "/finish", "{\"agent\":\"a1\",\"endMs\":1700000002000}")
                .status())
        .isEqualTo(200);
    assertThat(http.get("/api/v1/runs/" + id).json().get("status").asText()).isEqualTo("running");
    assertThat(
            http.post(
                    "/api/v1/runs/" + id + "/finish", "{\"agent\":\"a2\",\"endMs\":1700000002500}")
                .status())
        .isEqualTo(200);
    JsonNode finished = http.get("/api/v1/runs/" + id).json();
    assertThat(finished.get("status").asText()).isEqualTo("finished");
    assertThat(finished.get("endMs").asLong()).isEqualTo(1700000002500L);
    assertThat(http.get("/api/v1/runs").json().get("runs").toString()).contains(id);
  }

  /** A finished run of {@code name} whose one test took these times (µs) in two 1 s snapshots. */
  String finishedRun(String name, long t0, long[] first, long[] second, int errors) {
    String id = "run-" + hex().substring(0, 12);
    assertThat(
            http.post(
                    "/api/v1/runs",
                    "{\"id\":\""
                        + id
                        + "\",\"name\":"
                        + Http.JSON.valueToTree(name)
                        + ",\"agent\":\"a\",\"tests\":[{\"number\":1,\"description\":\"Log"
                        + " in\"}],\"startMs\":"
                        + t0
                        + "}")
                .status())
        .isEqualTo(201);
    assertThat(
            http.post(
                    "/api/v1/runs/" + id + "/snapshots", snapshot("a", 0, t0, t0 + 1000, first, 0))
                .status())
        .isEqualTo(201);
    assertThat(
            http.post(
                    "/api/v1/runs/" + id + "/snapshots",
                    snapshot("a", 1, t0 + 1000, t0 + 2000, second, errors))
                .status())
        .isEqualTo(201);
    assertThat(
            http.post(
                    "/api/v1/runs/" + id + "/finish",
                    "{\"agent\":\"a\",\"endMs\":" + (t0 + 2000) + "}")
                .status())
        .isEqualTo(200);
    return id;
  }

  @Test
  void a_run_marked_as_baseline_replaces_the_one_before_for_its_name() {
    String name = "checkout/" + hex().substring(0, 6) + " é";
    String query =
        "?name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
    String first =
        finishedRun(name, 1_700_000_000_000L, new long[] {1000, 2000}, new long[] {3000}, 0);
    String second = finishedRun(name, 1_700_000_100_000L, new long[] {1000}, new long[] {1000}, 0);
    assertError(http.get("/api/v1/baselines" + query), 404, "name");
    assertThat(http.get("/api/v1/runs/" + first).json().get("baselineId").isNull()).isTrue();

    Http.Response marked = http.post("/api/v1/runs/" + first + "/baseline", "");
    assertThat(marked.status()).as(marked.body()).isEqualTo(200);
    assertThat(marked.json().get("name").asText()).isEqualTo(name);
    assertThat(http.get("/api/v1/baselines" + query).json().get("runId").asText()).isEqualTo(first);
    assertThat(http.get("/api/v1/runs/" + second).json().get("baselineId").asText())
        .isEqualTo(first);

    assertThat(http.post("/api/v1/runs/" + second + "/baseline", "").status()).isEqualTo(200);
    assertThat(http.get("/api/v1/baselines" + query).json().get("runId").asText())
        .isEqualTo(second);
    assertThat(http.get("/api/v1/baselines").json().get("baselines").toString())
        .contains(second)
        .doesNotContain(first);

    assertThat(
            http.send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(server.url() + "/api/v1/baselines" + query))
                        .DELETE())
                .status())
        .isEqualTo(204);
    assertError(http.get("/api/v1/baselines" + query), 404, "name");
    assertError(http.post("/api/v1/runs/no-such-run/baseline", ""), 404, "id");
    assertError(http.get("/api/v1/baselines?name="), 400, "name");
  }

  @Test
  void a_trend_gives_each_run_of_a_name_with_its_p99_tps_and_error_rate_oldest_first() {
    String name = "trend-" + hex().substring(0, 8);
    String older =
        finishedRun(name, 1_700_000_000_000L, new long[] {1000, 2000, 3000}, new long[] {4000}, 1);
    String newer =
        finishedRun(name, 1_700_000_500_000L, new long[] {10_000}, new long[] {20_000, 30_000}, 0);
    finishedRun("other-" + name, 1_700_000_600_000L, new long[] {1}, new long[] {1}, 0);
    assertThat(http.post("/api/v1/runs/" + older + "/baseline", "").status()).isEqualTo(200);

    JsonNode trend = http.get("/api/v1/trends?name=" + name).json();
    assertThat(trend.get("baselineId").asText()).isEqualTo(older);
    JsonNode runs = trend.get("runs");
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0).get("id").asText()).isEqualTo(older);
    assertThat(runs.get(0).get("baseline").asBoolean()).isTrue();
    assertThat(runs.get(1).get("baseline").asBoolean()).isFalse();
    for (JsonNode r : runs) {
      JsonNode totals = http.get("/api/v1/runs/" + r.get("id").asText()).json().get("totals");
      for (String k : List.of("tests", "errors", "errorRate", "tps", "meanMs", "p99Ms")) {
        assertThat(r.get(k))
            .as(k)
            .isEqualTo(totals.get(k)); // the same figures as the run's own page
      }
    }
    assertThat(runs.get(0).get("errorRate").asDouble()).isEqualTo(0.2); // 1 error in 5 calls
    // Read again: the stored figures are used, and they are the same.
    assertThat(http.get("/api/v1/trends?name=" + name).json()).isEqualTo(trend);
    // A late snapshot makes the stored figures stale: the trend follows.
    assertThat(
            http.post(
                    "/api/v1/runs/" + newer + "/snapshots",
                    snapshot(
                        "b", 0, 1_700_000_502_000L, 1_700_000_503_000L, new long[] {5_000_000}, 0))
                .status())
        .isEqualTo(201);
    JsonNode later = http.get("/api/v1/trends?name=" + name + "&limit=1").json().get("runs");
    assertThat(later).hasSize(1);
    assertThat(later.get(0).get("id").asText()).isEqualTo(newer);
    assertThat(later.get(0).get("tests").asLong()).isEqualTo(4);
    assertThat(later.get(0).get("p99Ms").asDouble()).isGreaterThan(4000);
    assertThat(http.get("/api/v1/trends?name=nothing-" + name).json().get("runs")).isEmpty();
    assertError(http.get("/api/v1/trends"), 400, "name");
    assertError(http.get("/api/v1/trends?name=x&limit=0"), 400, "limit");
  }

  @Test
  void bad_run_input_is_rejected_with_the_field() {
    assertError(http.post("/api/v1/runs", "{\"agent\":\"a\"}"), 400, "name");
    assertError(http.post("/api/v1/runs", "{\"name\":\"x\",\"id\":\"bad id!\"}"), 400, "id");
    assertError(
        http.post("/api/v1/runs", "{\"name\":\"x\",\"tests\":[{\"number\":\"one\"}]}"),
        400,
        "tests[0].number");
    assertError(
        http.post("/api/v1/runs", "{\"name\":\"x\",\"phases\":[{\"durationMs\":5}]}"),
        400,
        "phases[0].name");
    assertError(
        http.post("/api/v1/runs/nope/snapshots", snapshot("a", 0, 0, 1, new long[] {1}, 0)),
        404,
        "id");
    assertError(http.get("/api/v1/runs/nope"), 404, "id");
    assertError(http.get("/api/v1/runs/nope/series"), 404, "id");
    assertError(http.post("/api/v1/runs/nope/finish", "{}"), 404, "id");
    String id = http.post("/api/v1/runs", "{\"name\":\"x\"}").json().get("id").asText();
    String good = snapshot("a", 0, 0, 1000, new long[] {1}, 0);
    assertError(
        http.post(
            "/api/v1/runs/" + id + "/snapshots",
            good.replaceAll("\"histogram\":\"[^\"]*\"", "\"histogram\":\"bm90IGEgaGlzdG9ncmFt\"")),
        400,
        "tests[0].histogram");
    assertError(
        http.post("/api/v1/runs/" + id + "/snapshots", good.replace("\"seq\":0", "\"seq\":-1")),
        400,
        "seq");
    assertError(
        http.post(
            "/api/v1/runs/" + id + "/snapshots", good.replace("\"endMs\":1000", "\"endMs\":-5")),
        400,
        "endMs");
    assertError(
        http.post(
            "/api/v1/runs/" + id + "/snapshots", good.replace("\"count\":1", "\"count\":\"x\"")),
        400,
        "tests[0].statistics.timedTests.count");
    assertError(
        http.post(
            "/api/v1/runs/" + id + "/snapshots",
            good.replace("\"errors\":0", "\"errors\":\"none\"")),
        400,
        "tests[0].statistics.errors");
    assertThat(http.get("/api/v1/runs/" + id).json().get("snapshots").asInt()).isZero();
  }

  @Test
  void
      a_snapshot_counts_as_its_json_says_spaced_out_or_naming_a_field_twice_and_bad_entries_store_nothing() {
    String id = http.post("/api/v1/runs", "{\"name\":\"x\"}").json().get("id").asText();
    String route = "/api/v1/runs/" + id + "/snapshots";
    String spaced =
        snapshot("a", 0, 0, 1000, new long[] {1000, 3000}, 0)
            .replace(",", " ,\n\t")
            .replace(":", " : ");
    assertThat(http.post(route, spaced).status()).isEqualTo(201);
    String twice =
        snapshot("a", 1, 1000, 2000, new long[] {2000}, 0)
            .replace("\"errors\":0", "\"errors\":7,\"errors\":2");
    assertThat(http.post(route, twice).status()).isEqualTo(201);
    String good = snapshot("a", 2, 2000, 3000, new long[] {4000}, 0);
    assertError(http.post(route, good.replace("\"histogram\":", "\"histogram\"")), 400, null);
    assertError(http.post(route, good.replace("\"tests\":[", "\"tests\":[1,")), 400, "tests[0]");
    assertError(
        http.post(route, good.replace("\"tests\":[{", "\"tests\":[{\"number\":2},{")),
        400,
        "tests[0].statistics");
    JsonNode run = http.get("/api/v1/runs/" + id).json();
    assertThat(run.get("snapshots").asInt()).isEqualTo(2);
    assertThat(run.at("/totals/tests").asLong()).isEqualTo(3);
    assertThat(run.at("/totals/errors").asLong()).isEqualTo(2);
  }

  // ------------------------------------------------------------ one commit, good and bad requests

  @Test
  void a_bad_request_in_the_same_commit_as_good_ones_changes_nothing_for_them() throws Exception {
    String[] cs = contextAndSession("{}");
    String run = "run-" + hex().substring(0, 12);
    String full = "full-" + hex().substring(0, 12);
    assertThat(
            http.post(
                    "/api/v1/runs", "{\"id\":\"" + run + "\",\"name\":\"window\",\"agent\":\"a\"}")
                .status())
        .isEqualTo(201);
    assertThat(
            http.post("/api/v1/runs", "{\"id\":\"" + full + "\",\"name\":\"full\",\"agent\":\"a\"}")
                .status())
        .isEqualTo(201);
    assertThat(
            http.post(
                    "/api/v1/runs/" + full + "/snapshots",
                    snapshot("a", 0, 0, 1000, new long[] {1}, 0)
                        .replace("\"errors\":0", "\"errors\":9007199254740991"))
                .status())
        .isEqualTo(201);

    Map<String, String[]> requests = new java.util.LinkedHashMap<>();
    requests.put(
        "good metric", new String[] {"/metrics/", Http.metric(cs[1], cs[0], "in_window", "", 0.5)});
    requests.put(
        "unknown session",
        new String[] {"/metrics/", Http.metric(hex(), cs[0], "in_window", "", 0.5)});
    requests.put(
        "good snapshot",
        new String[] {
          "/api/v1/runs/" + run + "/snapshots",
          snapshot("a", 0, 0, 1000, new long[] {1000, 3000}, 0)
        });
    requests.put(
        "unknown run",
        new String[] {
          "/api/v1/runs/nope-" + hex().substring(0, 8) + "/snapshots",
          snapshot("a", 0, 0, 1000, new long[] {1}, 0)
        });
    requests.put(
        "total overflow",
        new String[] {
          "/api/v1/runs/" + full + "/snapshots", snapshot("a", 1, 1000, 2000, new long[] {1}, 1)
        });
    requests.put(
        "good finish",
        new String[] {"/api/v1/runs/" + run + "/finish", "{\"agent\":\"b\",\"endMs\":5000}"});
    requests.put(
        "finish of an unknown run",
        new String[] {"/api/v1/runs/nope-" + hex().substring(0, 8) + "/finish", "{}"});
    Map<String, Http.Response> answers = new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> senders = new ArrayList<>();
    Database.Commits before;
    // The writer is held until every request waits for it: then they share one commit.
    try (WriterHold hold = WriterHold.on(server.database())) {
      for (Map.Entry<String, String[]> r : requests.entrySet()) {
        senders.add(
            Thread.ofPlatform()
                .start(() -> answers.put(r.getKey(), http.post(r.getValue()[0], r.getValue()[1]))));
      }
      hold.awaitWaiting(requests.size());
      before = server.database().commits();
    }
    for (Thread t : senders) {
      t.join();
    }
    Database.Commits after = server.database().commits();

    assertThat(after.batches() - before.batches()).as("one commit for all of them").isEqualTo(1);
    assertThat(after.replays()).as("nothing rolled back and run again").isEqualTo(before.replays());
    assertThat(after.failed() - before.failed()).isEqualTo(4);
    assertThat(answers.get("good metric").status()).isEqualTo(201);
    assertError(answers.get("unknown session"), 400, "session_h");
    assertThat(answers.get("good snapshot").status()).isEqualTo(201);
    assertError(answers.get("unknown run"), 404, "id");
    assertError(answers.get("total overflow"), 409, "tests[0].statistics.errors");
    assertThat(answers.get("good finish").status()).isEqualTo(200);
    assertError(answers.get("finish of an unknown run"), 404, "id");

    assertThat(http.get("/sessions/" + cs[1] + "/metrics").json().get("metrics")).hasSize(1);
    JsonNode stored = http.get("/api/v1/runs/" + run).json();
    assertThat(stored.get("snapshots").asInt()).isEqualTo(1);
    assertThat(stored.at("/totals/tests").asLong()).isEqualTo(2);
    assertThat(stored.get("agents").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(http.get("/api/v1/runs/" + full).json().get("snapshots").asInt()).isEqualTo(1);
  }

  // ------------------------------------------------------------ LiveCheck

  static String report(String app, String kase, String state, double ts, Double runtime) {
    return "{\"app\":\""
        + app
        + "\",\"case\":\""
        + kase
        + "\",\"state\":\""
        + state
        + "\",\"test_id\":\"4f2c\",\"test_name\":\""
        + kase
        + "\",\"timestamp\":"
        + ts
        + ",\"runtime\":"
        + runtime
        + ",\"signal_latency\":{\"order_shipped\":0.05},\"error\":"
        + (state.equals("PASS") ? "null" : "\"boom\"")
        + ",\"traceback\":null,\"consecutive_failures\":"
        + (state.equals("PASS") ? 0 : 1)
        + ",\"total_failures\":3,\"suite_failed\":false}";
  }

  @Test
  void livecheck_reports_roll_up_into_case_states() {
    String app = "app-" + hex().substring(0, 8);
    assertThat(
            http.post(
                    "/api/livecheck/reports",
                    report(app, "orders.place", "PASS", 1700000000.1, 0.1))
                .status())
        .isEqualTo(201);
    assertThat(
            http.post(
                    "/api/livecheck/reports",
                    "["
                        + report(app, "orders.place", "PASS", 1700000001.1, 0.2)
                        + ","
                        + report(app, "orders.place", "FAIL", 1700000002.1, 0.3)
                        + "]")
                .status())
        .isEqualTo(201);
    JsonNode cases = http.get("/api/livecheck/cases").json().get("cases");
    JsonNode mine = null;
    for (JsonNode c : cases) {
      if (c.get("app").asText().equals(app)) {
        mine = c;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.get("state").asText()).isEqualTo("FAIL");
    assertThat(mine.get("last_report_timestamp").asDouble()).isEqualTo(1700000002.1);
    assertThat(mine.get("consecutive_failures").asLong()).isEqualTo(1);
    assertThat(mine.get("totals_by_state").get("PASS").asLong()).isEqualTo(2);
    assertThat(mine.get("totals_by_state").get("FAIL").asLong()).isEqualTo(1);
    assertThat(mine.get("latency_history").toString()).isEqualTo("[0.1,0.2,0.3]");
    JsonNode reports =
        http.get("/api/livecheck/reports?case=orders.place&app=" + app + "&limit=2")
            .json()
            .get("reports");
    assertThat(reports).hasSize(2);
    assertThat(reports.get(0).get("state").asText()).isEqualTo("FAIL");
    assertThat(reports.get(0).get("signal_latency").get("order_shipped").asDouble())
        .isEqualTo(0.05);
  }

  @Test
  void livecheck_lives_under_api_v1_and_its_first_paths_stay_as_aliases() {
    String app = "alias-" + hex().substring(0, 8);
    assertThat(
            http.post("/api/v1/livecheck/reports", report(app, "c", "PASS", 1700000000.5, 0.1))
                .status())
        .isEqualTo(201);
    assertThat(
            http.post("/api/livecheck/reports", report(app, "c", "FAIL", 1700000001.5, 0.2))
                .status())
        .isEqualTo(201);
    JsonNode reports = http.get("/api/v1/livecheck/reports?app=" + app).json();
    assertThat(reports.get("reports")).hasSize(2);
    assertThat(http.get("/api/livecheck/reports?app=" + app).json()).isEqualTo(reports);
    assertThat(http.get("/api/livecheck/cases").json())
        .isEqualTo(http.get("/api/v1/livecheck/cases").json());
    assertError(http.post("/api/v1/livecheck/reports", "[]"), 400, null);
    assertError(http.get("/api/v1/livecheck/reports?limit=501"), 400, "limit");
  }

  @Test
  void bad_livecheck_input_is_rejected_and_a_batch_is_all_or_nothing() {
    String app = "bad-" + hex().substring(0, 8);
    assertError(
        http.post("/api/livecheck/reports", report(app, "c", "MAYBE", 1, 0.1)), 400, "state");
    assertError(
        http.post(
            "/api/livecheck/reports",
            report(app, "c", "PASS", 1, 0.1).replace("\"timestamp\":1.0", "\"timestamp\":\"now\"")),
        400,
        "timestamp");
    assertError(
        http.post(
            "/api/livecheck/reports",
            "[" + report(app, "c", "PASS", 1, 0.1) + ",{\"state\":\"PASS\"}]"),
        400,
        "[1].case");
    assertError(http.post("/api/livecheck/reports", "[]"), 400, null);
    assertError(http.post("/api/livecheck/reports", "7"), 400, null);
    assertError(http.get("/api/livecheck/reports?limit=501"), 400, "limit");
    assertThat(http.get("/api/livecheck/reports?app=" + app).json().get("reports")).isEmpty();
  }
}
