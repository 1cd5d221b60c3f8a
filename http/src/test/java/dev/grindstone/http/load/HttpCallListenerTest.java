package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.spi.CallListener;
import dev.grindstone.engine.spi.CallRecord;
import dev.grindstone.stats.results.TestFigures;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP plug-in tells call listeners each call's request; a flow's request names its listeners.
 */
class HttpCallListenerTest {

  static DemoService demo;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    demo = DemoService.start();
  }

  @AfterAll
  static void stop() {
    demo.close();
  }

  /** Keeps every record. */
  record Keeper(String name, List<CallRecord> records) implements CallListener {
    Keeper(String name) {
      this(name, new ArrayList<>());
    }

    @Override
    public void accept(CallRecord record) {
      records.add(record);
    }
  }

  private static final String FLOW =
      """
      name: audit
      requests:
        work: {url: /work, params: {ms: "1"}}
        missing: {url: "/no-such-page?secret=1", listeners: [audit]}
        quiet: {url: /work, listeners: []}
      flow:
        - {test: 1, request: work, description: Work}
        - {test: 2, request: missing, description: Missing}
        - {test: 3, request: quiet, description: Quiet}
      phases: [{name: once, iterations: 3, users: 2}]
      """;

  @org.junit.jupiter.api.Test
  void each_http_call_is_recorded_with_method_url_without_query_status_and_bytes()
      throws Exception {
    RunYaml.Loaded loaded =
        RunYaml.load(new StringReader(FLOW), "audit.yaml", dir, HttpFlow.FIELDS);
    HttpFlow flow = HttpFlow.read(loaded.root(), dir, loaded.reader());
    loaded.reader().problems().throwIfAny();
    Keeper all = new Keeper("all");
    Keeper audit = new Keeper("audit");
    RunConfig config =
        RunConfig.builder("audit")
            .phase(new Phase("once", null, new LoadShape.Constant(2), null, null, 3, null))
            .outputRoot(null)
            .console(false)
            .build();
    RunSummary s;
    try (HttpFlowScenario scenario = new HttpFlowScenario(flow.withBaseUrl(demo.url()))) {
      s = Run.of(config, scenario).listener(all).listener(audit).execute();
    }

    assertThat(s.totals().tests() + s.totals().errors()).isEqualTo(18);
    // Test 1 goes to every listener, test 2 only to audit, test 3 to none.
    assertThat(all.records()).hasSize(6).extracting(CallRecord::test).containsOnly(1);
    assertThat(audit.records()).hasSize(12).extracting(CallRecord::test).containsOnly(1, 2);
    List<CallRecord> missing = audit.records().stream().filter(r -> r.test() == 2).toList();
    assertThat(missing)
        .extracting(CallRecord::request)
        .containsOnly(
            new CallRecord.Request(
                "GET", demo.url() + "/no-such-page", 404, missing.getFirst().request().bytes()));
    List<CallRecord> work = all.records().stream().filter(r -> r.test() == 1).toList();
    assertThat(work)
        .extracting(
            r -> r.request().method() + " " + r.request().url() + " " + r.request().status())
        .containsOnly("GET " + demo.url() + "/work 200");
    TestFigures workFigures = s.tests().getFirst();
    long bytes =
        workFigures
            .statistics()
            .getLong(
                workFigures.statistics().schema().longIndex(HttpPlugin.RESPONSE_LENGTH.name()));
    assertThat(work.stream().mapToLong(r -> r.request().bytes()).sum())
        .as("the same bytes as httpplugin.responseLength")
        .isEqualTo(bytes)
        .isPositive();
    assertThat(all.records())
        .extracting(CallRecord::scenario, CallRecord::phase)
        .containsOnly(org.assertj.core.groups.Tuple.tuple("audit", "once"));
  }

  @org.junit.jupiter.api.Test
  void a_blank_listener_name_in_a_request_is_reported_where_it_is() {
    String yaml =
        """
        name: bad
        requests:
          r: {url: /work, listeners: [""]}
        """;
    RunYaml.Loaded loaded = RunYaml.load(new StringReader(yaml), "bad.yaml", dir, HttpFlow.FIELDS);
    HttpFlow.read(loaded.root(), dir, loaded.reader());
    assertThat(loaded.reader().problems().all())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("bad.yaml:3")
                    .contains("a listener's name must not be blank"));
  }
}
