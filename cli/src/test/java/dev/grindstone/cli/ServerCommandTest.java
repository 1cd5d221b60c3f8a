package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServerCommandTest {
  private static String[] run(String... args) {
    CommandLine cl = Main.commandLine();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    int code = cl.execute(args);
    return new String[] {Integer.toString(code), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void a_bad_port_is_reported_as_bad_input() {
    String[] r = run("server", "--port", "70000");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("port").contains("70000").doesNotContain("Exception");
  }

  @Test
  void an_unsupported_database_url_is_reported_as_bad_input() {
    String[] r = run("server", "--port", "0", "--db", "jdbc:mysql://localhost/x");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("jdbc:mysql://localhost/x");
  }

  @Test
  void the_server_command_is_listed_in_help() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cl.execute("--help");
    System.setOut(old);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("server");
  }

  @Test
  void a_failed_start_never_prints_the_database_password() {
    for (String db :
        new String[] {
          "jdbc:postgresql://127.0.0.1:1/grindstone?user=g&password=hunter2-secret",
          "jdbc:mysql://localhost/x?user=g&password=hunter2-secret"
        }) {
      CliRunner.Result r = CliRunner.run("server", "--port", "0", "--db", db);
      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("password=***");
      assertThat(r.out() + r.err()).doesNotContain("hunter2");
    }
  }
}
