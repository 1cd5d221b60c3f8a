package dev.grindstone.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.grindstone.junit.internal.Py;
import dev.grindstone.junit.samples.MonitoredSamples;
import dev.grindstone.junit.samples.SecondSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorListenerTest {
  @TempDir static Path dir;
  static Path file;
  static List<String> warnings;
  static final Map<String, String> GITLAB = Map.of("CI_JOB_NAME", "main", "CI_PIPELINE_ID", "42");

  @BeforeAll
  static void runSamples() {
    file = dir.resolve("samples.jmon");
    warnings =
        Launch.run(
            Map.of(
                "grindstone.monitor.file", file.toString(),
                "grindstone.monitor.description", "nightly",
                "grindstone.monitor.tags", "team=core, jdk=21",
                "grindstone.monitor.component", "samples"),
            GITLAB,
            MonitoredSamples.class);
  }

  static Map<String, Object> row(String variant) throws Exception {
    List<Map<String, Object>> rows =
        Db.query(
            file,
            "SELECT m.*, j.OUTCOME, j.ALLOCATED_BYTES, j.GC_TIME, j.GC_COUNT FROM TEST_METRICS m"
                + " JOIN TEST_METRICS_JVM j ON j.SESSION_H = m.SESSION_H AND j.ITEM_START_TIME ="
                + " m.ITEM_START_TIME AND j.ITEM_PATH = m.ITEM_PATH AND j.ITEM_VARIANT ="
                + " m.ITEM_VARIANT AND j.KIND = m.KIND WHERE m.ITEM_VARIANT = ?",
            variant);
    assertThat(rows).as("rows for %s", variant).hasSize(1);
    return rows.get(0);
  }

  static double num(Map<String, Object> row, String column) {
    return ((Number) row.get(column)).doubleValue();
  }

  @Test
  void a_run_prints_no_warning() {
    assertThat(warnings).isEmpty();
  }

  @Test
  void sleeping_test_has_high_wall_time_and_low_cpu() throws Exception {
    Map<String, Object> r = row("sleeps");
    assertThat(num(r, "TOTAL_TIME")).isGreaterThanOrEqualTo(0.29);
    assertThat(num(r, "CPU_USAGE")).isLessThan(0.2);
    assertThat(r.get("OUTCOME")).isEqualTo("SUCCESSFUL");
  }

  @Test
  void cpu_burning_test_uses_about_one_cpu() throws Exception {
    Map<String, Object> r = row("burnsCpu");
    // The test burns 300 ms of its thread's CPU: the monitor must see all of it.
    assertThat(num(r, "USER_TIME") + num(r, "KERNEL_TIME")).isBetween(0.29, 0.5);
    assertThat(num(r, "USER_TIME")).isGreaterThan(num(r, "KERNEL_TIME"));
    assertThat(num(r, "CPU_USAGE"))
        .isCloseTo(
            (num(r, "USER_TIME") + num(r, "KERNEL_TIME")) / num(r, "TOTAL_TIME"), within(1e-9));
    // Near 1 on an idle machine; how much lower on a busy one depends on the load, so the bound
    // that cannot flake is relative to the sleeper (which uses almost no CPU).
    assertThat(num(r, "CPU_USAGE"))
        .isLessThanOrEqualTo(1.1)
        .isGreaterThan(5 * num(row("sleeps"), "CPU_USAGE"));
  }

  @Test
  void allocating_test_reports_what_its_thread_allocated() throws Exception {
    Map<String, Object> r = row("allocates100MiB");
    assertThat(((Number) r.get("ALLOCATED_BYTES")).longValue())
        .isGreaterThanOrEqualTo(100L * 1024 * 1024);
    assertThat(num(row("fast"), "ALLOCATED_BYTES")).isLessThan(1024 * 1024);
  }

  @Test
  void parameterized_and_dynamic_tests_get_one_row_per_variant() throws Exception {
    List<Map<String, Object>> rows =
        Db.query(
            file,
            "SELECT ITEM, ITEM_VARIANT FROM TEST_METRICS WHERE ITEM IN ('param', 'dynamic') ORDER"
                + " BY ITEM_VARIANT");
    assertThat(rows.stream().map(r -> r.get("ITEM") + " " + r.get("ITEM_VARIANT")).toList())
        .containsExactly(
            "dynamic dynamic[first]",
            "dynamic dynamic[second]",
            "param param[number = \"1\", letter = \"a\"]",
            "param param[number = \"2\", letter = \"b\"]");
  }

  @Test
  void disabled_test_is_not_recorded_and_failing_test_is_with_its_outcome() throws Exception {
    assertThat(Db.query(file, "SELECT * FROM TEST_METRICS WHERE ITEM = 'disabled'")).isEmpty();
    assertThat(row("fails").get("OUTCOME")).isEqualTo("FAILED");
    assertThat(Db.query(file, "SELECT * FROM TEST_METRICS")).hasSize(9);
  }

  @Test
  void rows_carry_pytest_monitor_names() throws Exception {
    Map<String, Object> r = row("fast");
    assertThat(r.get("ITEM_PATH")).isEqualTo("dev.grindstone.junit.samples.MonitoredSamples");
    assertThat(r.get("ITEM")).isEqualTo("fast");
    assertThat(r.get("ITEM_FS_LOC"))
        .isEqualTo("dev/grindstone/junit/samples/MonitoredSamples.java");
    assertThat(r.get("KIND")).isEqualTo("function");
    assertThat(r.get("COMPONENT")).isEqualTo("samples");
    assertThat((String) r.get("ITEM_START_TIME"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?");
  }

  @Test
  void session_and_context_hashes_are_computed_as_pytest_monitor_does() throws Exception {
    Map<String, Object> s = Db.query(file, "SELECT * FROM TEST_SESSIONS").get(0);
    String expected = Py.md5((String) s.get("SCM_ID"), (String) s.get("RUN_DATE"), "nightly");
    assertThat(s.get("SESSION_H")).isEqualTo(expected);
    assertThat(s.get("RUN_DESCRIPTION"))
        .isEqualTo(
            "{\"pipeline_branch\": \"main\", \"pipeline_build_no\": \"42\", \"description\":"
                + " \"nightly\", \"team\": \"core\", \"jdk\": \"21\"}");
    Map<String, Object> c = Db.query(file, "SELECT * FROM EXECUTION_CONTEXTS").get(0);
    ExecutionContext ctx =
        new ExecutionContext(
            ((Number) c.get("CPU_COUNT")).intValue(),
            ((Number) c.get("CPU_FREQUENCY_MHZ")).doubleValue(),
            (String) c.get("CPU_TYPE"),
            (String) c.get("CPU_VENDOR"),
            ((Number) c.get("RAM_TOTAL_MB")).longValue(),
            (String) c.get("MACHINE_NODE"),
            (String) c.get("MACHINE_TYPE"),
            (String) c.get("MACHINE_ARCH"),
            (String) c.get("SYSTEM_INFO"),
            (String) c.get("PYTHON_INFO"));
    assertThat(c.get("ENV_H")).isEqualTo(ctx.hash());
    assertThat((String) c.get("PYTHON_INFO")).contains(System.getProperty("java.vm.name"));
    assertThat(Db.query(file, "SELECT DISTINCT SESSION_H, ENV_H FROM TEST_METRICS"))
        .containsExactly(
            Map.of("SESSION_H", expected, "ENV_H", ctx.hash()).entrySet().stream()
                .collect(
                    Collectors.toMap(
                        Map.Entry::getKey,
                        Map.Entry::getValue,
                        (a, b) -> a,
                        java.util.LinkedHashMap::new)));
  }

  @Test
  void scm_ref_is_the_checked_out_commit() throws Exception {
    String scm = (String) Db.query(file, "SELECT SCM_ID FROM TEST_SESSIONS").get(0).get("SCM_ID");
    // The build runs inside a git checkout; outside one the field is empty.
    assertThat(scm).matches("([0-9a-f]{40})?");
  }

  @Test
  void the_file_has_exactly_pytest_monitors_schema() throws Exception {
    assertThat(tableInfo("TEST_SESSIONS"))
        .containsExactly(
            "SESSION_H varchar(64) notnull=1 pk=1",
            "RUN_DATE varchar(64) notnull=0 pk=0",
            "SCM_ID varchar(128) notnull=0 pk=0",
            "RUN_DESCRIPTION json notnull=0 pk=0");
    assertThat(tableInfo("EXECUTION_CONTEXTS"))
        .containsExactly(
            "ENV_H varchar(64) notnull=1 pk=1",
            "CPU_COUNT INTEGER notnull=0 pk=0",
            "CPU_FREQUENCY_MHZ INTEGER notnull=0 pk=0",
            "CPU_TYPE varchar(64) notnull=0 pk=0",
            "CPU_VENDOR varchar(256) notnull=0 pk=0",
            "RAM_TOTAL_MB INTEGER notnull=0 pk=0",
            "MACHINE_NODE varchar(512) notnull=0 pk=0",
            "MACHINE_TYPE varchar(32) notnull=0 pk=0",
            "MACHINE_ARCH varchar(16) notnull=0 pk=0",
            "SYSTEM_INFO varchar(256) notnull=0 pk=0",
            "PYTHON_INFO varchar(512) notnull=0 pk=0");
    assertThat(tableInfo("TEST_METRICS"))
        .containsExactly(
            "SESSION_H varchar(64) notnull=0 pk=0",
            "ENV_H varchar(64) notnull=0 pk=0",
            "ITEM_START_TIME varchar(64) notnull=0 pk=0",
            "ITEM_PATH varchar(4096) notnull=0 pk=0",
            "ITEM varchar(2048) notnull=0 pk=0",
            "ITEM_VARIANT varchar(2048) notnull=0 pk=0",
            "ITEM_FS_LOC varchar(2048) notnull=0 pk=0",
            "KIND varchar(64) notnull=0 pk=0",
            "COMPONENT varchar(512) notnull=0 pk=0",
            "TOTAL_TIME float notnull=0 pk=0",
            "USER_TIME float notnull=0 pk=0",
            "KERNEL_TIME float notnull=0 pk=0",
            "CPU_USAGE float notnull=0 pk=0",
            "MEM_USAGE float notnull=0 pk=0");
    assertThat(
            Db.query(file, "PRAGMA foreign_key_list(TEST_METRICS)").stream()
                .map(r -> r.get("from") + "->" + r.get("table") + "." + r.get("to"))
                .sorted()
                .toList())
        .containsExactly("ENV_H->EXECUTION_CONTEXTS.ENV_H", "SESSION_H->TEST_SESSIONS.SESSION_H");
  }

  private static List<String> tableInfo(String table) throws Exception {
    return Db.query(file, "PRAGMA table_info(" + table + ")").stream()
        .map(
            r ->
                r.get("name")
                    + " "
                    + r.get("type")
                    + " notnull="
                    + r.get("notnull")
                    + " pk="
                    + r.get("pk"))
        .toList();
  }

  @Test
  void class_scope_records_one_module_row_per_class(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("classes.jmon");
    Clock fixed = Clock.fixed(Instant.parse("2026-11-21T20:55:23Z"), ZoneId.of("UTC"));
    List<String> w =
        Launch.run(
            fixed,
            Map.of(
                "grindstone.monitor.file",
                f.toString(),
                "grindstone.monitor.scope",
                "method,class"),
            Map.of(),
            SecondSamples.class);
    assertThat(w).isEmpty();
    assertThat(
            Db.query(
                    f,
                    "SELECT KIND, ITEM_PATH, ITEM, ITEM_VARIANT, ITEM_START_TIME FROM TEST_METRICS"
                        + " ORDER BY KIND, ITEM")
                .stream()
                .map(r -> r.values().stream().map(String::valueOf).collect(Collectors.joining("|")))
                .toList())
        .containsExactly(
            "function|dev.grindstone.junit.samples.SecondSamples$Inner|innerTest|innerTest|2026-11-21T20:55:23",
            "function|dev.grindstone.junit.samples.SecondSamples|quick|quick|2026-11-21T20:55:23",
            "module|dev.grindstone.junit.samples|SecondSamples|" + "|2026-11-21T20:55:23",
            "module|dev.grindstone.junit.samples|SecondSamples$Inner|" + "|2026-11-21T20:55:23");
    assertThat(Db.query(f, "SELECT RUN_DATE, RUN_DESCRIPTION FROM TEST_SESSIONS"))
        .containsExactly(Map.of("RUN_DATE", "2026-11-21T20:55:23", "RUN_DESCRIPTION", "{}"));
  }

  @Test
  void a_second_run_adds_a_session_to_the_same_file(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("twice.jmon");
    Map<String, String> params = Map.of("grindstone.monitor.file", f.toString());
    Launch.run(params, Map.of(), SecondSamples.class);
    Launch.run(params, Map.of(), SecondSamples.class);
    assertThat(Db.query(f, "SELECT * FROM TEST_SESSIONS")).hasSize(2);
    assertThat(Db.query(f, "SELECT * FROM EXECUTION_CONTEXTS")).hasSize(1);
    assertThat(Db.query(f, "SELECT * FROM TEST_METRICS")).hasSize(4);
  }

  @Test
  void disabled_monitor_writes_nothing(@TempDir Path tmp) {
    Path f = tmp.resolve("off.jmon");
    List<String> w =
        Launch.run(
            Map.of("grindstone.monitor.file", f.toString(), "grindstone.monitor.enabled", "false"),
            Map.of(),
            SecondSamples.class);
    assertThat(w).isEmpty();
    assertThat(f).doesNotExist();
  }

  @Test
  void bad_configuration_is_reported_once_and_tests_still_run(@TempDir Path tmp) {
    Path f = tmp.resolve("bad.jmon");
    List<String> w =
        Launch.run(
            Map.of(
                "grindstone.monitor.file",
                f.toString(),
                "grindstone.monitor.scope",
                "everything",
                "grindstone.monitor.tags",
                "novalue"),
            Map.of(),
            SecondSamples.class);
    assertThat(w).hasSize(1);
    assertThat(w.get(0))
        .contains("grindstone.monitor.scope='everything'", "method, class")
        .contains("grindstone.monitor.tags entry 'novalue' must be key=value");
    assertThat(f).doesNotExist();
  }

  @Test
  void unwritable_file_is_reported_once(@TempDir Path tmp) throws Exception {
    Path notADir = Files.writeString(tmp.resolve("plain"), "x");
    List<String> w =
        Launch.run(
            Map.of("grindstone.monitor.file", notADir.resolve("x.jmon").toString()),
            Map.of(),
            SecondSamples.class);
    assertThat(w).hasSize(1);
    assertThat(w.get(0)).contains("cannot write", "x.jmon");
  }
}
