package dev.grindstone.junit.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.grindstone.junit.ExecutionContext;
import dev.grindstone.junit.MonitorSession;
import dev.grindstone.junit.TestMetric;
import dev.grindstone.junit.internal.LocalStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonTest {
  static final ExecutionContext CTX =
      new ExecutionContext(
          2, 2445.428, "", "cpu", 1024, "node", "x86_64", "64bit", "Linux - 6", "jvm");

  @TempDir Path dir;
  Path file;

  /** Session hash → its rows, in run order (also served by the fake server). */
  final Map<MonitorSession, List<TestMetric>> data = new LinkedHashMap<>();

  /** name, wall s, cpu s (user), mem MiB */
  static TestMetric row(MonitorSession s, String variant, double wall, double cpu, double mem) {
    return new TestMetric(
        s.hash(),
        CTX.hash(),
        s.runDateText(),
        "com.acme.FooTest",
        variant.replaceAll("\\[.*", ""),
        variant,
        "com/acme/FooTest.java",
        "function",
        "",
        wall,
        cpu,
        0,
        cpu / wall,
        mem,
        "SUCCESSFUL",
        0,
        0,
        0,
        "id");
  }

  static MonitorSession session(int day) {
    return MonitorSession.of(LocalDateTime.of(2026, 11, day, 12, 0), "", "", Map.of(), Map.of());
  }

  void add(int day, double[][] figures, String... variants) {
    MonitorSession s = session(day);
    List<TestMetric> rows = new ArrayList<>();
    for (int i = 0; i < variants.length; i++) {
      rows.add(row(s, variants[i], figures[i][0], figures[i][1], figures[i][2]));
    }
    data.put(s, rows);
  }

  @BeforeEach
  void history() throws Exception {
    String[] tests = {"slow", "steady", "tiny", "mem", "cpu"};
    add(
        1,
        new double[][] {{1.0, 0.1, 5}, {0.5, 0.1, 5}, {0.001, 0, 5}, {0.2, 0.1, 10}, {0.5, 0.1, 5}},
        tests);
    add(
        2,
        new double[][] {{1.2, 0.1, 5}, {0.5, 0.1, 5}, {0.001, 0, 5}, {0.2, 0.1, 10}, {0.5, 0.1, 5}},
        tests);
    add(
        3,
        new double[][] {{1.1, 0.1, 5}, {0.5, 0.1, 5}, {0.001, 0, 5}, {0.2, 0.1, 10}, {0.5, 0.1, 5}},
        tests);
    add(
        4,
        new double[][] {
          {2.0, 0.1, 5}, {0.6, 0.1, 5}, {0.004, 0, 5}, {0.2, 0.1, 20}, {0.5, 0.4, 5}, {9, 9, 9}
        },
        "slow",
        "steady",
        "tiny",
        "mem",
        "cpu",
        "brandNew");
    file = dir.resolve("history.jmon");
    try (LocalStore store = LocalStore.open(file)) {
      for (Map.Entry<MonitorSession, List<TestMetric>> e : data.entrySet()) {
        store.begin(CTX, e.getKey());
        store.write(e.getValue());
      }
    }
  }

  static Comparison.Options opts(Optional<String> session, int last) {
    return new Comparison.Options(session, last, 1.5, 0.01, 1.0);
  }

  static List<String> summary(ComparisonReport r) {
    return r.regressions().stream()
        .map(
            g ->
                g.test().display()
                    + " "
                    + g.metric().label()
                    + " "
                    + g.median()
                    + " -> "
                    + g.current())
        .toList();
  }

  @Test
  void latest_session_is_checked_against_the_median_of_the_last_k() {
    ComparisonReport r = Comparison.run(MetricSource.sqlite(file), opts(Optional.empty(), 3));
    assertThat(r.session().sessionH()).isEqualTo(session(4).hash());
    assertThat(summary(r))
        .containsExactly(
            "com.acme.FooTest#slow time 1.1 -> 2.0",
            "com.acme.FooTest#mem memory 10.0 -> 20.0",
            "com.acme.FooTest#cpu cpu 0.1 -> 0.4");
    assertThat(r.regressions().get(0).ratio()).isCloseTo(2.0 / 1.1, within(1e-12));
    assertThat(r.tests()).isEqualTo(6);
    assertThat(r.compared()).isEqualTo(5);
    assertThat(r.hasRegressions()).isTrue();
  }

  @Test
  void growth_below_the_absolute_floor_is_not_a_regression() {
    // "tiny" went from 1 ms to 4 ms: four times, but 3 ms is within the 10 ms floor.
    ComparisonReport r = Comparison.run(MetricSource.sqlite(file), opts(Optional.empty(), 3));
    assertThat(summary(r)).noneMatch(s -> s.contains("#tiny"));
    ComparisonReport strict =
        Comparison.run(
            MetricSource.sqlite(file), new Comparison.Options(Optional.empty(), 3, 1.5, 0, 0));
    assertThat(summary(strict)).contains("com.acme.FooTest#tiny time 0.001 -> 0.004");
  }

  @Test
  void k_of_two_takes_the_mean_of_the_two_latest_and_k_of_one_the_previous_value() {
    assertThat(summary(Comparison.run(MetricSource.sqlite(file), opts(Optional.empty(), 2))))
        .contains("com.acme.FooTest#slow time " + (1.2 + 1.1) / 2 + " -> 2.0");
    ComparisonReport one = Comparison.run(MetricSource.sqlite(file), opts(Optional.empty(), 1));
    assertThat(summary(one)).contains("com.acme.FooTest#slow time 1.1 -> 2.0");
    assertThat(one.baseline())
        .extracting(SessionRecord::sessionH)
        .containsExactly(session(3).hash());
  }

  @Test
  void an_earlier_session_is_chosen_by_hash_prefix() {
    String h = session(2).hash();
    ComparisonReport r =
        Comparison.run(MetricSource.sqlite(file), opts(Optional.of(h.substring(0, 8)), 3));
    assertThat(r.session().sessionH()).isEqualTo(h);
    assertThat(r.regressions()).isEmpty();
    assertThat(r.baseline()).extracting(SessionRecord::sessionH).containsExactly(session(1).hash());
    assertThat(r.toTable()).contains("0 of 5 compared tests grew beyond 1.5 x their median");
  }

  @Test
  void the_first_session_has_nothing_to_compare_with() {
    ComparisonReport r =
        Comparison.run(MetricSource.sqlite(file), opts(Optional.of(session(1).hash()), 3));
    assertThat(r.hasRegressions()).isFalse();
    assertThat(r.toTable()).contains("nothing to compare");
  }

  @Test
  void the_table_lists_each_regression_with_median_now_and_ratio() {
    String table = Comparison.run(MetricSource.sqlite(file), opts(Optional.empty(), 3)).toTable();
    assertThat(table.lines().toList())
        .contains(
            "test                   metric        median           now    ratio",
            "com.acme.FooTest#slow  time         1.100 s       2.000 s    1.82x",
            "com.acme.FooTest#mem   memory    10.000 MiB    20.000 MiB    2.00x",
            "com.acme.FooTest#cpu   cpu          0.100 s       0.400 s    4.00x",
            "3 of 5 compared tests grew beyond 1.5 x their median (1 tests had no earlier value).");
  }

  @Test
  void bad_input_is_named() throws Exception {
    assertThatThrownBy(() -> Comparison.run(MetricSource.sqlite(file), opts(Optional.of("zzz"), 3)))
        .isInstanceOf(CompareException.class)
        .hasMessageContaining("no session hash starts with 'zzz'");
    assertThatThrownBy(() -> Comparison.run(MetricSource.sqlite(file), opts(Optional.of(""), 3)))
        .hasMessageContaining("starts 4 session hashes");
    assertThatThrownBy(() -> MetricSource.sqlite(dir.resolve("absent.jmon")))
        .isInstanceOf(CompareException.class)
        .hasMessageContaining("no monitor file at");
    Path notDb =
        Files.writeString(dir.resolve("text.jmon"), "hello, I am not SQLite, just some text here");
    assertThatThrownBy(() -> Comparison.run(MetricSource.sqlite(notDb), opts(Optional.empty(), 3)))
        .isInstanceOf(CompareException.class)
        .hasMessageContaining("is not a readable monitor file");
    assertThatThrownBy(() -> opts(Optional.empty(), 0))
        .hasMessageContaining("--last=0 must be at least 1");
    assertThatThrownBy(() -> new Comparison.Options(Optional.empty(), 3, -1, 0, 0))
        .hasMessageContaining("--factor=-1.0 must be a number above 0");
  }

  @Test
  void server_source_reads_paged_query_routes_and_gives_the_same_answer() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<String, String> pages = new LinkedHashMap<>();
    List<Map<String, Object>> sessions = new ArrayList<>();
    for (MonitorSession s : data.keySet()) {
      sessions.add(
          Map.of(
              "session_h",
              s.hash(),
              "run_date",
              s.runDateText(),
              "scm_ref",
              "",
              "tags",
              List.of()));
    }
    // Two sessions per page, as the reference server pages (it uses 500 per page).
    pages.put(
        "/api/v1/sessions/?page=1",
        json.writeValueAsString(
            Map.of(
                "sessions",
                sessions.subList(0, 2),
                "next_url",
                "/sessions/?page=2",
                "total_page",
                2)));
    pages.put(
        "/api/v1/sessions/?page=2",
        json.writeValueAsString(
            Map.of(
                "sessions",
                sessions.subList(2, 4),
                "prev_url",
                "/sessions/?page=1",
                "total_page",
                2)));
    for (Map.Entry<MonitorSession, List<TestMetric>> e : data.entrySet()) {
      List<Map<String, Object>> metrics = new ArrayList<>();
      for (TestMetric m : e.getValue()) metrics.add(m.toJson(CTX.hash()));
      String base = "/api/v1/sessions/" + e.getKey().hash() + "/metrics";
      pages.put(
          base + "?page=1",
          json.writeValueAsString(
              Map.of(
                  "metrics",
                  metrics.subList(0, 3),
                  "next_url",
                  base.substring(7) + "?page=2",
                  "total_page",
                  2)));
      pages.put(
          base + "?page=2",
          json.writeValueAsString(
              Map.of(
                  "metrics",
                  metrics.subList(3, metrics.size()),
                  "prev_url",
                  base.substring(7) + "?page=1",
                  "total_page",
                  2)));
    }
    List<String> asked = new ArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String path = ex.getRequestURI().toString();
            asked.add(path);
            String body = pages.get(path);
            if (body == null) {
              ex.sendResponseHeaders(204, -1);
            } else {
              byte[] out = body.getBytes(StandardCharsets.UTF_8);
              ex.sendResponseHeaders(200, out.length);
              ex.getResponseBody().write(out);
            }
          }
        });
    server.start();
    try {
      URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      ComparisonReport remote =
          Comparison.run(
              MetricSource.server(url, Duration.ofSeconds(5)), opts(Optional.empty(), 3));
      ComparisonReport local = Comparison.run(MetricSource.sqlite(file), opts(Optional.empty(), 3));
      assertThat(summary(remote)).isEqualTo(summary(local)).hasSize(3);
      assertThat(remote.toTable()).isEqualTo(local.toTable());
      assertThat(asked)
          .contains(
              "/api/v1/sessions/?page=2",
              "/api/v1/sessions/" + session(4).hash() + "/metrics?page=2");
      // A base URL that already names the API works the same.
      assertThat(
              summary(
                  Comparison.run(
                      MetricSource.server(URI.create(url + "/api/v1/"), Duration.ofSeconds(5)),
                      opts(Optional.empty(), 3))))
          .isEqualTo(summary(local));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void unreachable_server_is_bad_input() throws Exception {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                Comparison.run(
                    MetricSource.server(
                        URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2)),
                    opts(Optional.empty(), 3)))
        .isInstanceOf(CompareException.class)
        .hasMessageContaining("cannot reach the metrics server at http://127.0.0.1:" + port);
  }
}
