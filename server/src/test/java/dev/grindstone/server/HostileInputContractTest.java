package dev.grindstone.server;

import static dev.grindstone.server.ServerContractTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hostile input, run over each store (SQLite and PostgreSQL) by the subclasses: whatever a client
 * sends, the answer is the documented JSON error, both stores accept and refuse the same requests,
 * and nothing of a refused request is stored. Each test uses its own hashes and ids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HostileInputContractTest {
  MetricsServer server;
  Http http;

  /** The JDBC URL of a fresh, empty database. */
  abstract String jdbcUrl() throws Exception;

  @BeforeAll
  void start() throws Exception {
    server = MetricsServer.builder().port(0).jdbcUrl(jdbcUrl()).start();
    http = new Http(server.url());
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String hex() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  String newRun() {
    String id = "run-" + hex().substring(0, 12);
    assertThat(
            http.post("/api/v1/runs", "{\"id\":\"" + id + "\",\"name\":\"x\",\"agent\":\"a\"}")
                .status())
        .isEqualTo(201);
    return id;
  }

  /** Creates a context and a session; returns their hashes {context, session}. */
  String[] contextAndSession() {
    String c = hex();
    String s = hex();
    assertThat(http.post("/contexts/", Http.context(c)).status()).isEqualTo(201);
    assertThat(http.post("/sessions/", Http.session(s, "x", "{}")).status()).isEqualTo(201);
    return new String[] {c, s};
  }

  /** A valid body for every POST route (contexts and sessions created first where needed). */
  Map<String, String> validBodies() {
    String[] cs = contextAndSession();
    String c = cs[0];
    String s = cs[1];
    String run = newRun();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("/contexts/", Http.context(hex()));
    m.put("/sessions/", Http.session(hex(), "x", "{\"k\":\"v\"}"));
    m.put("/metrics/", Http.metric(s, c, "t", "comp", 1));
    m.put("/api/v1/runs", "{\"name\":\"x\",\"agent\":\"a\",\"startMs\":1700000000000}");
    m.put(
        "/api/v1/runs/" + run + "/snapshots",
        ServerContractTest.snapshot("a", 0, 1000, 2000, new long[] {1000, 2000}, 0));
    m.put("/api/v1/runs/" + run + "/finish", "{\"agent\":\"a\",\"endMs\":2000}");
    m.put(
        "/api/livecheck/reports",
        ServerContractTest.report("app-" + hex(), "c", "PASS", 1700000000.5, 0.1));
    return m;
  }

  long stored() {
    return http.get("/metrics/count").json().get("count").asLong()
        + http.get("/contexts/count").json().get("count").asLong()
        + http.get("/sessions/count").json().get("count").asLong()
        + http.get("/api/v1/overview").json().get("runs").asLong()
        + http.get("/api/v1/overview").json().get("livecheckReports").asLong();
  }

  /** Posts {@code body}, expects a 400 and exactly one log line for it, without a stack trace. */
  Http.Response refusedWithOneLogLine(String route, String body) {
    try (LogCapture log = new LogCapture()) {
      Http.Response r = http.post(route, body);
      assertError(r, 400, null);
      assertThat(log.lines()).as(route).hasSize(1);
      assertThat(log.text()).as(route).doesNotContain("Exception").doesNotContain("\tat ");
      return r;
    }
  }

  // ------------------------------------------------------------ JSON beyond the parser's limits

  @Test
  void json_nested_deeper_than_the_limit_gets_400_and_one_log_line_on_every_post_route() {
    String arrays = "[".repeat(1500) + "]".repeat(1500);
    String objects = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
    for (String route : validBodies().keySet()) {
      assertThat(refusedWithOneLogLine(route, arrays).json().get("error").asText())
          .contains("deeper than 64");
      assertThat(refusedWithOneLogLine(route, objects).json().get("error").asText())
          .contains("deeper than 64");
    }
  }

  @Test
  void numbers_and_field_names_beyond_the_parser_limits_get_400_and_one_log_line() {
    for (String route : validBodies().keySet()) {
      assertThat(
              refusedWithOneLogLine(route, "{\"cpu_count\":" + "9".repeat(1001) + "}")
                  .json()
                  .get("error")
                  .asText())
          .contains("number is longer than 1000");
      assertThat(
              refusedWithOneLogLine(route, "{\"" + "n".repeat(60_000) + "\":1}")
                  .json()
                  .get("error")
                  .asText())
          .contains("field name is longer than 1000");
    }
  }

  @Test
  void a_number_beyond_a_long_is_refused_by_name_never_wrapped() {
    String c = hex();
    String body = Http.context(c).replace("\"cpu_count\":2", "\"cpu_count\":18446744073709551621");
    assertThat(http.post("/contexts/", body).json().get("field").asText()).isEqualTo("cpu_count");
    assertThat(http.get("/contexts/" + c).status()).isEqualTo(204);
  }

  // ------------------------------------------------------------ trailing content

  @Test
  void valid_json_followed_by_anything_else_is_refused_on_every_post_route_and_nothing_is_stored() {
    for (Map.Entry<String, String> e : validBodies().entrySet()) {
      long before = stored();
      for (String tail : List.of(" not JSON", "{}", "]", " 1", "\"x\"", "\u0000")) {
        Http.Response r = http.post(e.getKey(), e.getValue() + tail);
        assertError(r, 400, null);
        assertThat(r.json().get("error").asText())
            .as(e.getKey() + tail)
            .containsAnyOf("after the JSON value", "malformed JSON");
      }
      assertThat(stored()).as(e.getKey()).isEqualTo(before);
      assertThat(http.post(e.getKey(), e.getValue() + " \n\t").status())
          .as(e.getKey())
          .isIn(200, 201);
    }
  }

  // ------------------------------------------------------------ strings a store cannot keep

  @Test
  void a_nul_character_in_any_string_field_is_refused_by_field_on_both_stores() {
    String nul = "\\u0000";
    String[] cs = contextAndSession();
    String c = cs[0];
    String s = cs[1];
    String run = newRun();
    String report = ServerContractTest.report("app-" + hex(), "c", "FAIL", 1700000000.5, 0.1);
    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put(
        "cpu_type",
        new String[] {
          "/contexts/",
          Http.context(hex()).replace("\"cpu_type\":\"\"", "\"cpu_type\":\"a" + nul + "\"")
        });
    cases.put(
        "machine_node",
        new String[] {
          "/contexts/", Http.context(hex()).replace("localhost", "local" + nul + "host")
        });
    cases.put("h", new String[] {"/contexts/", Http.context(hex() + nul)});
    cases.put(
        "description.description",
        new String[] {
          "/sessions/", Http.session(hex(), "x", "{\"description\":\"night" + nul + "ly\"}")
        });
    cases.put(
        "description.tags.k[0]",
        new String[] {
          "/sessions/", Http.session(hex(), "x", "{\"tags\":{\"k\":[\"" + nul + "\"]}}")
        });
    cases.put(
        "description",
        new String[] {"/sessions/", Http.session(hex(), "x", "{\"ke" + nul + "y\":\"v\"}")});
    cases.put("scm_ref", new String[] {"/sessions/", Http.session(hex(), "x" + nul, "{}")});
    cases.put("item", new String[] {"/metrics/", Http.metric(s, c, "te" + nul + "st", "comp", 1)});
    cases.put("component", new String[] {"/metrics/", Http.metric(s, c, "t", nul, 1)});
    cases.put("name", new String[] {"/api/v1/runs", "{\"name\":\"x" + nul + "\"}"});
    cases.put(
        "tests[0].description",
        new String[] {
          "/api/v1/runs",
          "{\"name\":\"x\",\"tests\":[{\"number\":1,\"description\":\"" + nul + "\"}]}"
        });
    cases.put(
        "agent",
        new String[] {
          "/api/v1/runs/" + run + "/snapshots",
          ServerContractTest.snapshot("a" + nul, 0, 1000, 2000, new long[] {1000}, 0)
        });
    cases.put(
        "phase",
        new String[] {
          "/api/v1/runs/" + run + "/snapshots",
          ServerContractTest.snapshot("a", 0, 1000, 2000, new long[] {1000}, 0)
              .replace("\"hold\"", "\"ho" + nul + "ld\"")
        });
    cases.put(
        "case",
        new String[] {
          "/api/livecheck/reports", report.replace("\"case\":\"c\"", "\"case\":\"c" + nul + "\"")
        });
    cases.put(
        "error",
        new String[] {"/api/livecheck/reports", report.replace("\"boom\"", "\"bo" + nul + "om\"")});
    cases.put(
        "[0].signal_latency",
        new String[] {
          "/api/livecheck/reports", "[" + report.replace("order_shipped", "order" + nul) + "]"
        });
    long before = stored();
    for (Map.Entry<String, String[]> e : cases.entrySet()) {
      Http.Response r = http.post(e.getValue()[0], e.getValue()[1]);
      assertError(r, 400, e.getKey());
      assertThat(r.json().get("error").asText()).as(e.getKey()).contains("NUL");
    }
    assertThat(stored()).isEqualTo(before);
    // The queries that cast descriptions to JSON still work for everyone.
    assertThat(http.get("/sessions/?with_flags=description").status()).isIn(200, 204);
    assertThat(http.get("/pipelines/").status()).isIn(200, 204);
  }

  @Test
  void an_unpaired_surrogate_is_refused_instead_of_being_stored_as_a_question_mark() {
    String[] cs = contextAndSession();
    String c = cs[0];
    String s = cs[1];
    assertError(http.post("/metrics/", Http.metric(s, c, "t\\ud800", "comp", 1)), 400, "item");
    assertError(http.post("/metrics/", Http.metric(s, c, "t\\udc00x", "comp", 1)), 400, "item");
    assertThat(http.post("/metrics/", Http.metric(s, c, "t\\ud83d\\ude00", "comp", 1)).status())
        .isEqualTo(201);
    assertThat(
            http.get("/sessions/" + s + "/metrics")
                .json()
                .get("metrics")
                .get(0)
                .get("item")
                .asText())
        .isEqualTo("t\uD83D\uDE00");
  }

  // ------------------------------------------------------------ bodies that never arrive whole

  @Test
  void a_body_cut_short_gets_400_and_one_log_line() {
    String body = Http.context(hex());
    byte[] head =
        ("POST /contexts/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + (body.length() + 100)
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.UTF_8);
    try (LogCapture log = new LogCapture()) {
      RawHttp.Answer a = RawHttp.send(server.url(), head, true);
      assertThat(a.status()).as(a.body()).isEqualTo(400);
      assertThat(Http.JSON.readTree(a.body()).get("error").asText()).contains("could not be read");
      assertThat(log.lines()).hasSize(1);
      assertThat(log.text()).doesNotContain("Exception");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void broken_chunked_framing_gets_400_in_json() {
    for (String chunks :
        List.of("zz\r\n{}\r\n0\r\n\r\n", "5\r\n{\"a\":1}\r\n0\r\n\r\n", "4\r\n{\"a\"\r\n")) {
      try (LogCapture log = new LogCapture()) {
        RawHttp.Answer a =
            RawHttp.send(
                server.url(),
                ("POST /contexts/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n"
                        + chunks)
                    .getBytes(StandardCharsets.UTF_8),
                true);
        assertThat(a.status()).as(chunks + a.body()).isEqualTo(400);
        assertThat(Http.JSON.readTree(a.body()).has("error")).as(a.body()).isTrue();
        assertThat(log.lines()).as(chunks).hasSizeLessThanOrEqualTo(1);
        assertThat(log.text()).doesNotContain("Exception");
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  // ------------------------------------------------------------ numbers out of range

  @Test
  void negative_sizes_times_usages_and_counts_are_refused_by_field_on_every_route() {
    String[] cs = contextAndSession();
    String c = cs[0];
    String s = cs[1];
    String run = newRun();
    String report = ServerContractTest.report("app-" + hex(), "c", "FAIL", 1700000000.5, 0.1);
    String metric = Http.metric(s, c, "t", "comp", 1);
    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put(
        "cpu_count",
        new String[] {
          "/contexts/", Http.context(hex()).replace("\"cpu_count\":2", "\"cpu_count\":-2")
        });
    cases.put(
        "ram_total", new String[] {"/contexts/", Http.context(hex()).replace("24105", "-24105")});
    cases.put(
        "cpu_frequency",
        new String[] {"/contexts/", Http.context(hex()).replace("2445.428", "-0.5")});
    cases.put(
        "total_time",
        new String[] {"/metrics/", metric.replace("\"total_time\":1.0", "\"total_time\":-1.0")});
    cases.put(
        "user_time",
        new String[] {"/metrics/", metric.replace("\"user_time\":0.03", "\"user_time\":-0.03")});
    cases.put(
        "kernel_time",
        new String[] {"/metrics/", metric.replace("\"kernel_time\":0.0", "\"kernel_time\":-1e-9")});
    cases.put(
        "cpu_usage",
        new String[] {"/metrics/", metric.replace("\"cpu_usage\":0.517", "\"cpu_usage\":-0.517")});
    cases.put(
        "runtime",
        new String[] {
          "/api/livecheck/reports", report.replace("\"runtime\":0.1", "\"runtime\":-0.1")
        });
    cases.put(
        "timestamp",
        new String[] {"/api/livecheck/reports", report.replace("1.7000000005E9", "-1")});
    cases.put(
        "signal_latency.order_shipped",
        new String[] {"/api/livecheck/reports", report.replace("0.05", "-0.05")});
    cases.put(
        "consecutive_failures",
        new String[] {
          "/api/livecheck/reports",
          report.replace("\"consecutive_failures\":1", "\"consecutive_failures\":-1")
        });
    cases.put(
        "total_failures",
        new String[] {
          "/api/livecheck/reports", report.replace("\"total_failures\":3", "\"total_failures\":-3")
        });
    cases.put("startMs", new String[] {"/api/v1/runs", "{\"name\":\"x\",\"startMs\":-1}"});
    cases.put(
        "phases[0].durationMs",
        new String[] {
          "/api/v1/runs", "{\"name\":\"x\",\"phases\":[{\"name\":\"p\",\"durationMs\":-1}]}"
        });
    cases.put(
        "tests[0].number",
        new String[] {"/api/v1/runs", "{\"name\":\"x\",\"tests\":[{\"number\":-1}]}"});
    cases.put(
        "startMs ",
        new String[] {
          "/api/v1/runs/" + run + "/snapshots",
          ServerContractTest.snapshot("a", 0, -1000, 2000, new long[] {1000}, 0)
        });
    cases.put(
        "endMs",
        new String[] {"/api/v1/runs/" + run + "/finish", "{\"agent\":\"a\",\"endMs\":-1}"});
    long before = stored();
    for (Map.Entry<String, String[]> e : cases.entrySet()) {
      assertError(http.post(e.getValue()[0], e.getValue()[1]), 400, e.getKey().trim());
    }
    assertThat(stored()).isEqualTo(before);
    assertThat(http.get("/api/v1/runs/" + run).json().get("status").asText()).isEqualTo("running");
    // pytest-monitor's mem_usage is peak memory minus a baseline: below 0 is a real value.
    assertThat(
            http.post("/metrics/", metric.replace("\"mem_usage\":0.25", "\"mem_usage\":-3.5"))
                .status())
        .isEqualTo(201);
  }

  @Test
  void int_columns_take_the_same_range_on_both_stores() {
    long max = Integer.MAX_VALUE;
    String atMax = hex();
    assertThat(
            http.post(
                    "/contexts/",
                    Http.context(atMax).replace("\"cpu_count\":2", "\"cpu_count\":" + max))
                .status())
        .isEqualTo(201);
    assertThat(
            http.get("/contexts/" + atMax).json().get("contexts").get(0).get("cpu_count").asLong())
        .isEqualTo(max);
    String above = hex();
    assertError(
        http.post(
            "/contexts/",
            Http.context(above).replace("\"cpu_count\":2", "\"cpu_count\":" + (max + 1))),
        400,
        "cpu_count");
    assertThat(http.get("/contexts/" + above).status()).isEqualTo(204);
    String big = hex();
    assertThat(
            http.post("/contexts/", Http.context(big).replace("24105", Long.toString(1L << 40)))
                .status())
        .isEqualTo(201);
    assertThat(http.get("/contexts/" + big).json().get("contexts").get(0).get("ram_total").asLong())
        .isEqualTo(1L << 40);

    String app = "app-" + hex();
    String report = ServerContractTest.report(app, "c", "FAIL", 1700000000.5, 0.1);
    for (String field : List.of("consecutive_failures", "total_failures")) {
      String base = report.replaceAll("\"" + field + "\":\\d+", "\"" + field + "\":%d");
      assertError(http.post("/api/livecheck/reports", base.formatted(max + 1)), 400, field);
      assertError(http.post("/api/livecheck/reports", base.formatted(Long.MAX_VALUE)), 400, field);
      assertThat(http.post("/api/livecheck/reports", base.formatted(max)).status()).isEqualTo(201);
    }
    assertThat(
            http.get("/api/livecheck/reports?app=" + app)
                .json()
                .get("reports")
                .get(0)
                .get("total_failures")
                .asLong())
        .isEqualTo(max);
  }

  @Test
  void a_nul_in_a_query_parameter_is_refused_by_name_on_both_stores() {
    assertError(http.get("/api/livecheck/reports?case=a%00b"), 400, "case");
    assertError(http.get("/api/v1/sessions/?with_flags=a%00"), 400, "with_flags");
    assertError(http.get("/sessions/?restrict_flags=%00&with_flags=x"), 400, "restrict_flags");
    assertThat(http.get("/api/livecheck/reports?case=ab").status()).isEqualTo(200);
  }

  // ------------------------------------------------------------ query routes

  @Test
  void percent_and_underscore_in_prefix_and_like_routes_match_themselves_not_anything() {
    String tag = hex().substring(0, 10);
    String literal = "u_" + tag + "%";
    String c = literal + "1";
    String s = literal + "2";
    assertThat(http.post("/contexts/", Http.context(c)).status()).isEqualTo(201);
    assertThat(http.post("/contexts/", Http.context("uX" + tag + "Y1")).status()).isEqualTo(201);
    assertThat(http.post("/sessions/", Http.session(s, "scm_" + tag, "{}")).status())
        .isEqualTo(201);
    assertThat(
            http.post("/sessions/", Http.session("uX" + tag + "Y2", "scmX" + tag, "{}")).status())
        .isEqualTo(201);
    assertThat(http.post("/metrics/", Http.metric(s, c, "it_" + tag, "co_" + tag, 1)).status())
        .isEqualTo(201);
    assertThat(http.post("/metrics/", Http.metric(s, c, "itX" + tag, "coX" + tag, 1)).status())
        .isEqualTo(201);
    String enc = "u_" + tag + "%25";
    assertThat(http.get("/contexts/" + enc).json().get("contexts")).hasSize(1);
    assertThat(http.get("/sessions/" + enc).json().get("sessions")).hasSize(1);
    assertThat(http.get("/api/v1/contexts/_").status()).isEqualTo(204);
    assertThat(http.get("/api/v1/sessions/%25").status()).isEqualTo(204);
    assertThat(http.get("/contexts/%5C").status()).isEqualTo(204);
    assertThat(http.get("/items/like/it_" + tag + "/metrics").json().get("metrics")).hasSize(1);
    assertThat(http.get("/variants/like/it_" + tag + "/metrics").json().get("metrics")).hasSize(1);
    assertThat(http.get("/items/like/_/metrics").json().get("metrics")).isNotEmpty();
    assertThat(http.get("/items/like/%25%25/metrics").status()).isEqualTo(204);
    assertThat(http.get("/filters/scm/scm_" + tag + "/sessions").json().get("sessions")).hasSize(1);
    assertThat(http.get("/filters/scm/scm_" + tag + "/metrics/count").json().get("count").asLong())
        .isEqualTo(2);
    assertThat(http.get("/filters/scm/_/sessions").status()).isEqualTo(204);
    assertThat(http.get("/components/co_" + tag).json().get("components")).hasSize(1);
    assertThat(http.get("/components/_").status()).isEqualTo(204);
  }

  @Test
  void flags_holding_quotes_and_path_characters_are_bound_not_spliced() throws Exception {
    String tag = hex().substring(0, 8);
    for (String key :
        List.of("q\"" + tag, "b\\" + tag, "d." + tag, "s$[0]" + tag, "a'" + tag, "sp ace" + tag)) {
      String s = hex();
      String description = "{" + Http.JSON.writeValueAsString(key) + ":\"on\"}";
      assertThat(http.post("/sessions/", Http.session(s, "x", description)).status())
          .as(key)
          .isEqualTo(201);
      Http.Response r =
          http.get(
              "/sessions/?with_flags=" + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8));
      assertThat(r.status()).as(key + " " + r.body()).isEqualTo(200);
      assertThat(r.json().get("sessions")).as(key).hasSize(1);
      assertThat(r.json().get("sessions").get(0).get("session_h").asText()).isEqualTo(s);
      Http.Response v =
          http.get(
              "/sessions/?with_flags="
                  + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8)
                  + "&restrict_flags=on");
      assertThat(v.json().get("sessions")).as(key).hasSize(1);
    }
  }

  @Test
  void the_number_of_flags_is_capped_with_a_400() {
    String many = String.join(",", java.util.Collections.nCopies(1200, "f"));
    assertError(http.get("/sessions/?with_flags=" + many), 400, "with_flags");
    assertError(http.get("/sessions/?with_flags=a&restrict_flags=" + many), 400, "restrict_flags");
    String hundred = String.join(",", java.util.Collections.nCopies(100, "f"));
    assertThat(http.get("/sessions/?with_flags=" + hundred + "&method=match_all").status())
        .isIn(200, 204);
    assertThat(http.get("/sessions/?with_flags=" + hundred).status()).isIn(200, 204);
  }

  // ------------------------------------------------------------ one error format

  @Test
  void a_known_path_with_another_method_answers_405_in_json_with_allow() {
    String run = newRun();
    Object[][] cases = {
      {"DELETE", "/api/v1/runs", "GET"},
      {"PUT", "/contexts/", "POST"},
      {"PATCH", "/api/livecheck/reports", "POST"},
      {"GET", "/api/v1/runs/" + run + "/snapshots", "POST"},
      {"DELETE", "/api/v1/runs/" + run, "GET"},
      {"POST", "/sessions/count", "GET"}
    };
    for (Object[] c : cases) {
      java.net.http.HttpRequest.Builder b =
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + c[1]))
              .method((String) c[0], java.net.http.HttpRequest.BodyPublishers.ofString("{}"));
      RawHttp.Answer a =
          RawHttp.send(
              server.url(),
              c[0]
                  + " "
                  + c[1]
                  + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                  + "Connection: close\r\n\r\n{}");
      assertThat(a.status()).as(c[0] + " " + c[1] + " " + a.body()).isEqualTo(405);
      assertThat(a.head()).as(c[0] + " " + c[1]).containsPattern("(?i)\r\nallow: [^\r]*" + c[2]);
      assertThat(http.send(b).json().get("error").asText())
          .contains("not allowed")
          .contains((String) c[2]);
    }
  }

  @Test
  void requests_jetty_refuses_itself_get_the_json_error_not_html() {
    String[] requests = {
      "GET /contexts/%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /api/v1/runs/%2e%2e/%2e%2e/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /a/../../contexts/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\nConnection: close\r\n\r\n",
      "GET /contexts/ HTTP/1.1\r\nHost: x\r\nX-Big: "
          + "b".repeat(20_000)
          + "\r\nConnection: close\r\n\r\n",
      "GET /contexts/ HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n",
    };
    for (String request : requests) {
      RawHttp.Answer a = RawHttp.send(server.url(), request);
      String what = request.substring(0, Math.min(60, request.indexOf('\r')));
      assertThat(a.status()).as(what + " " + a.body()).isBetween(400, 499);
      assertThat(a.head()).as(what).containsIgnoringCase("content-type: application/json");
      try {
        com.fasterxml.jackson.databind.JsonNode j = Http.JSON.readTree(a.body());
        assertThat(j.get("error").asText()).as(what).isNotBlank().doesNotContain("Exception");
        assertThat(j.has("field")).isTrue();
      } catch (java.io.IOException e) {
        throw new AssertionError(what + ": not JSON: " + a.body(), e);
      }
    }
  }

  // ------------------------------------------------------------ histograms and sums

  static String encode(org.HdrHistogram.AbstractHistogram h) {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
  }

  static String snapshotWith(int seq, String testsJson) {
    return "{\"agent\":\"a\",\"seq\":"
        + seq
        + ",\"startMs\":1000,\"endMs\":2000,\"tests\":"
        + testsJson
        + "}";
  }

  static String test(int number, String statistics, String histogram) {
    return "{\"number\":"
        + number
        + ",\"statistics\":"
        + statistics
        + (histogram == null ? "" : ",\"histogram\":\"" + histogram + "\"")
        + "}";
  }

  @Test
  void histograms_declaring_more_than_the_agents_send_are_refused_by_field_and_nothing_is_stored() {
    String run = newRun();
    org.HdrHistogram.Histogram evil = new org.HdrHistogram.Histogram(5);
    evil.setAutoResize(true);
    evil.recordValue(Long.MAX_VALUE / 2);
    String evil64 = encode(evil);
    StringBuilder twenty = new StringBuilder("[");
    for (int i = 0; i < 20; i++) {
      twenty
          .append(i == 0 ? "" : ",")
          .append(test(i + 1, "{\"timedTests\":{\"count\":1,\"sum\":10,\"variance\":0}}", evil64));
    }
    twenty.append(']');
    Http.Response r =
        http.post("/api/v1/runs/" + run + "/snapshots", snapshotWith(0, twenty.toString()));
    assertError(r, 400, "tests[0].histogram");
    assertThat(r.json().get("error").asText()).contains("significant digits");
    org.HdrHistogram.Histogram wide = new org.HdrHistogram.Histogram(1, Long.MAX_VALUE / 2, 2);
    wide.recordValue(1000);
    assertError(
        http.post(
            "/api/v1/runs/" + run + "/snapshots",
            snapshotWith(
                0,
                "["
                    + test(1, "{}", null)
                        .replace("}}", "},\"errorHistogram\":\"" + encode(wide) + "\"}")
                    + "]")),
        400,
        "tests[0].errorHistogram");
    assertThat(http.get("/api/v1/runs/" + run).json().get("snapshots").asInt()).isZero();
    org.HdrHistogram.Histogram agent = dev.grindstone.stats.latency.Histograms.newHistogram();
    agent.recordValue(dev.grindstone.stats.latency.LatencyStripe.HIGHEST_TRACKABLE_MICROS);
    assertThat(
            http.post(
                    "/api/v1/runs/" + run + "/snapshots",
                    snapshotWith(
                        0,
                        "["
                            + test(
                                1,
                                "{\"timedTests\":{\"count\":1,\"sum\":3600000000,\"variance\":0}}",
                                encode(agent))
                            + "]"))
                .status())
        .isEqualTo(201);
    assertThat(http.get("/api/v1/runs/" + run).json().get("totals").get("maxMs").asDouble())
        .isBetween(3_600_000.0, 3_603_000.0);
  }

  @Test
  void negative_or_out_of_range_counts_sums_and_variances_are_refused_by_field() {
    String run = newRun();
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("tests[0].statistics.errors", "{\"errors\":-1}");
    cases.put("tests[0].statistics.untimedTests", "{\"untimedTests\":-5}");
    cases.put(
        "tests[0].statistics.timedTests.count",
        "{\"timedTests\":{\"count\":-1,\"sum\":0,\"variance\":0}}");
    cases.put(
        "tests[0].statistics.timedTests.sum",
        "{\"timedTests\":{\"count\":1,\"sum\":-100000,\"variance\":0}}");
    cases.put(
        "tests[0].statistics.timedTests.variance",
        "{\"timedTests\":{\"count\":2,\"sum\":10,\"variance\":-1}}");
    cases.put("tests[0].statistics.errors ", "{\"errors\":18446744073709551621}");
    cases.put("tests[0].statistics.untimedTests ", "{\"untimedTests\":9007199254740992}");
    cases.put(
        "tests[0].statistics.timedTests.count ",
        "{\"timedTests\":{\"count\":4611686018427387904,\"sum\":0,\"variance\":0}}");
    cases.put(
        "tests[0].statistics.timedTests.sum ",
        "{\"timedTests\":{\"count\":1,\"sum\":1e13,\"variance\":0}}");
    cases.put(
        "tests[0].statistics.timedTests.sum  ",
        "{\"timedTests\":{\"count\":0,\"sum\":5,\"variance\":0}}");
    cases.put(
        "tests[0].statistics.timedTests.variance ",
        "{\"timedTests\":{\"count\":2,\"sum\":10,\"variance\":1e300}}");
    cases.put(
        "tests[0].statistics.httpplugin.responseLength", "{\"httpplugin.responseLength\":-1}");
    cases.put("tests[0].statistics.userDouble0", "{\"userDouble0\":1e300}");
    cases.put("tests[0].statistics.userLong0", "{\"userLong0\":18446744073709551621}");
    cases.put(
        "tests[0].statistics.mySample.count",
        "{\"mySample\":{\"count\":-1,\"sum\":0,\"variance\":0}}");
    cases.put("tests[0].statistics.custom", "{\"custom\":\"x\"}");
    for (Map.Entry<String, String> e : cases.entrySet()) {
      assertError(
          http.post(
              "/api/v1/runs/" + run + "/snapshots",
              snapshotWith(0, "[" + test(1, e.getValue(), null) + "]")),
          400,
          e.getKey().trim());
    }
    assertThat(http.get("/api/v1/runs/" + run).json().get("snapshots").asInt()).isZero();
    assertThat(
            http.post(
                    "/api/v1/runs/" + run + "/snapshots",
                    snapshotWith(
                        0,
                        "["
                            + test(
                                1,
                                "{\"errors\":9007199254740991,\"userLong0\":-5,\"userDouble1\":-0.5}",
                                null)
                            + "]"))
                .status())
        .isEqualTo(201);
    com.fasterxml.jackson.databind.JsonNode totals =
        http.get("/api/v1/runs/" + run).json().get("totals");
    assertThat(totals.get("errors").asLong()).isEqualTo(9007199254740991L);
    assertThat(totals.get("statistics").get("userLong0").asDouble()).isEqualTo(-5.0);
  }

  @Test
  void a_snapshot_holds_at_most_a_thousand_tests() {
    String run = newRun();
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i < 1001; i++) {
      many.append(i == 0 ? "" : ",").append(test(i, "{}", null));
    }
    assertError(
        http.post(
            "/api/v1/runs/" + run + "/snapshots", snapshotWith(0, many.append(']').toString())),
        400,
        "tests");
    assertThat(
            http.post(
                    "/api/v1/runs/" + run + "/snapshots",
                    snapshotWith(0, many.toString().replaceFirst("\\{[^}]*\\}\\},", "")))
                .status())
        .isEqualTo(201);
  }

  @Test
  void a_snapshot_that_would_overflow_the_runs_totals_gets_409_and_the_run_stays_readable() {
    String run = newRun();
    long half = 1L << 52;
    String errors = "[" + test(1, "{\"errors\":" + half + "}", null) + "]";
    assertThat(http.post("/api/v1/runs/" + run + "/snapshots", snapshotWith(0, errors)).status())
        .isEqualTo(201);
    Http.Response over = http.post("/api/v1/runs/" + run + "/snapshots", snapshotWith(1, errors));
    assertError(over, 409, "tests[0].statistics.errors");
    assertThat(over.json().get("error").asText())
        .contains("beyond 9007199254740991")
        .contains("holds " + half);
    // Spread over two tests of one snapshot, and a re-post of what was stored is still a duplicate.
    assertError(
        http.post(
            "/api/v1/runs/" + run + "/snapshots",
            snapshotWith(
                2,
                "["
                    + test(1, "{\"errors\":" + (half - 1) + "}", null)
                    + ","
                    + test(2, "{\"errors\":1}", null)
                    + "]")),
        409,
        "tests[1].statistics.errors");
    assertThat(
            http.post("/api/v1/runs/" + run + "/snapshots", snapshotWith(0, errors))
                .json()
                .get("duplicate")
                .asBoolean())
        .isTrue();

    org.HdrHistogram.Histogram many = dev.grindstone.stats.latency.Histograms.newHistogram();
    many.recordValueWithCount(1000, half);
    String histogram = "[" + test(3, "{}", encode(many)) + "]";
    assertThat(http.post("/api/v1/runs/" + run + "/snapshots", snapshotWith(3, histogram)).status())
        .isEqualTo(201);
    assertError(
        http.post("/api/v1/runs/" + run + "/snapshots", snapshotWith(4, histogram)),
        409,
        "tests[0].histogram");
    String timed =
        "["
            + test(
                4,
                "{\"timedTests\":{\"count\":"
                    + half
                    + ",\"sum\":0,\"variance\":0},\"untimedTests\":"
                    + half
                    + "}",
                null)
            + "]";
    assertError(
        http.post("/api/v1/runs/" + run + "/snapshots", snapshotWith(5, timed)),
        409,
        "tests[0].statistics.untimedTests");

    Http.Response read = http.get("/api/v1/runs/" + run);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().get("snapshots").asInt()).isEqualTo(2);
    assertThat(read.json().get("totals").get("errors").asLong()).isEqualTo(half);
    assertThat(read.json().get("totals").get("histogramCount").asLong()).isEqualTo(half);
    assertThat(http.get("/api/v1/runs/" + run + "/series").status()).isEqualTo(200);
  }

  @Test
  void scenarios_that_do_not_add_up_to_the_tests_are_refused_by_field_and_nothing_is_stored() {
    String run = newRun();
    String one =
        test(1, "{\"errors\":1,\"timedTests\":{\"count\":2,\"sum\":10,\"variance\":0}}", null);
    String part =
        test(1, "{\"errors\":1,\"timedTests\":{\"count\":1,\"sum\":5,\"variance\":0}}", null);
    String rest = test(1, "{\"timedTests\":{\"count\":1,\"sum\":5,\"variance\":0}}", null);
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("scenarios", "[{\"name\":\"a\",\"tests\":[" + part + "]}]");
    cases.put("scenarios ", "{\"name\":\"a\"}");
    cases.put("scenarios[0].name", "[{\"name\":\"a b\",\"tests\":[" + one + "]}]");
    cases.put(
        "scenarios[1].name",
        "[{\"name\":\"a\",\"tests\":[" + part + "]},{\"name\":\"a\",\"tests\":[" + rest + "]}]");
    cases.put("scenarios[0].tests", "[{\"name\":\"a\"}]");
    cases.put(
        "scenarios[0].tests[0].statistics.errors",
        "[{\"name\":\"a\",\"tests\":[" + test(1, "{\"errors\":-1}", null) + "]}]");
    for (Map.Entry<String, String> e : cases.entrySet()) {
      String body = snapshotWith(0, "[" + one + "]");
      body = body.substring(0, body.length() - 1) + ",\"scenarios\":" + e.getValue() + "}";
      assertError(http.post("/api/v1/runs/" + run + "/snapshots", body), 400, e.getKey().trim());
    }
    assertThat(http.get("/api/v1/runs/" + run).json().get("snapshots").asInt()).isZero();
    String body = snapshotWith(0, "[" + one + "]");
    body =
        body.substring(0, body.length() - 1)
            + ",\"scenarios\":[{\"name\":\"a\",\"activeUsers\":2,\"tests\":["
            + part
            + "]},{\"name\":\"b\",\"tests\":["
            + rest
            + "]}]}";
    assertThat(http.post("/api/v1/runs/" + run + "/snapshots", body).status()).isEqualTo(201);
    var detail = http.get("/api/v1/runs/" + run).json();
    assertThat(detail.at("/scenarios/0/name").asText()).isEqualTo("a");
    assertThat(detail.at("/scenarios/0/totals/errors").asLong()).isEqualTo(1);
    assertThat(detail.at("/scenarios/1/tests/0/tests").asLong()).isEqualTo(1);
    assertThat(detail.at("/totals/tests").asLong()).isEqualTo(2);
  }
}
