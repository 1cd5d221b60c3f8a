package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LiveCheckCommandTest {

  /** Runs the command line in-process: exit code, standard output, standard error. */
  static String[] run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void the_demo_runs_the_order_service_prints_state_changes_and_ends_by_itself() throws Exception {
    // A recording stand-in for the metrics server's POST /api/v1/livecheck/reports.
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    java.util.concurrent.atomic.AtomicInteger stored =
        new java.util.concurrent.atomic.AtomicInteger();
    server.createContext(
        "/api/v1/livecheck/reports",
        ex -> {
          stored.addAndGet(
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(ex.getRequestBody())
                  .size());
          ex.sendResponseHeaders(201, -1);
          ex.close();
        });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    String[] r;
    try {
      r =
          run(
              "livecheck",
              "demo",
              "--duration",
              "3s",
              "--every",
              "200ms",
              "--fail-downstream",
              "--server",
              url);
    } finally {
      server.stop(0);
    }
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    String out = r[1];
    assertThat(out).contains("order service on http://127.0.0.1:");
    assertThat(out).contains("livecheck orders.place_order PASS test=");
    // The order of events depends on how fast this machine is; their presence does not.
    assertThat(out).contains("shipping step now FAILS");
    assertThat(out).containsPattern("state orders.place_order: [A-Z]+ -> (FAIL|TIMEOUT)");
    assertThat(out).containsPattern("state orders.place_order: [A-Z]+ -> PASS");
    assertThat(out).contains("livecheck orders.place_order FAIL test=");
    assertThat(out).contains("demo finished:");
    assertThat(out).containsPattern("reports by state: \\{PASS=\\d+");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("sent to server: (\\d+), failed: 0, dropped: 0")
            .matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(stored.get()).isEqualTo(Integer.parseInt(m.group(1))).isPositive();
  }

  @Test
  void bad_options_are_reported_without_a_stack_trace() {
    String[] r = run("livecheck", "demo", "--duration", "3 parsecs");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains("--duration: cannot read \"3 parsecs\" as a duration")
        .doesNotContain("\tat ");
    r = run("livecheck", "demo", "--server", "nowhere");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--server = nowhere: must be a URL such as http://127.0.0.1:8080");
  }
}
