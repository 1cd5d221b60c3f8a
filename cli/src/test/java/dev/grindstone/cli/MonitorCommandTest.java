package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.junit.ExecutionContext;
import dev.grindstone.junit.MonitorSession;
import dev.grindstone.junit.TestMetric;
import dev.grindstone.junit.internal.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MonitorCommandTest {
  static final ExecutionContext CTX =
      new ExecutionContext(2, 0.0, "", "cpu", 1024, "node", "x86_64", "64bit", "Linux - 6", "jvm");

  @TempDir Path dir;
  Path file;
  String firstSession;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private static TestMetric row(MonitorSession s, double wall) {
    return new TestMetric(
        s.hash(),
        CTX.hash(),
        s.runDateText(),
        "com.acme.FooTest",
        "slow",
        "slow",
        "com/acme/FooTest.java",
        "function",
        "",
        wall,
        0.01,
        0,
        0.01 / wall,
        1,
        "SUCCESSFUL",
        0,
        0,
        0,
        "id");
  }

  @BeforeEach
  void history() throws Exception {
    file = dir.resolve("h.jmon");
    try (LocalStore store = LocalStore.open(file)) {
      double[] walls = {1.0, 1.1, 1.0, 3.0};
      for (int i = 0; i < walls.length; i++) {
        MonitorSession s =
            MonitorSession.of(LocalDateTime.of(2026, 11, 1 + i, 9, 0), "", "", Map.of(), Map.of());
        if (i == 0) firstSession = s.hash();
        store.begin(CTX, s);
        store.write(List.of(row(s, walls[i])));
      }
    }
  }

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void a_test_that_grew_prints_a_table_and_exits_1() {
    assertThat(run("monitor", "compare", "--db", file.toString(), "--last", "3")).isEqualTo(1);
    assertThat(out.toString())
        .contains("com.acme.FooTest#slow  time         1.000 s       3.000 s    3.00x")
        .contains("1 of 1 compared tests grew beyond 1.5 x their median");
  }

  @Test
  void nothing_grew_exits_0() {
    assertThat(run("monitor", "compare", "--db", file.toString(), "--factor", "4")).isEqualTo(0);
    assertThat(out.toString()).contains("0 of 1 compared tests grew beyond 4.0 x their median");
  }

  @Test
  void bad_input_exits_2_with_a_message_and_no_stack_trace() {
    assertThat(run("monitor", "compare", "--db", dir.resolve("missing.jmon").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("no monitor file at").doesNotContain("at dev.grindstone");
    assertThat(run("monitor", "compare", "--db", file.toString(), "--server", "http://127.0.0.1:1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("give --db FILE or --server URL, not both");
    assertThat(run("monitor", "compare", "--db", file.toString(), "--factor", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--factor=0.0 must be a number above 0");
    assertThat(run("monitor", "compare", "--server", "127.0.0.1:8080")).isEqualTo(2);
    assertThat(err.toString()).contains("must be an http:// or https:// URL");
    assertThat(run("monitor", "compare", "--db", file.toString(), "--session", "nope"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("no session hash starts with 'nope'");
  }

  @Test
  void an_earlier_session_can_be_checked() {
    assertThat(
            run(
                "monitor",
                "compare",
                "--db",
                file.toString(),
                "--session",
                firstSession.substring(0, 6)))
        .isEqualTo(0);
    assertThat(out.toString()).contains("nothing to compare");
  }
}
