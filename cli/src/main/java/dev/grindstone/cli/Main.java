package dev.grindstone.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code grindstone} command: one subcommand per task. */
@Command(
    name = "grindstone",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Performance testing for the JVM: load tests, Grinder-compatible statistics, LiveCheck and"
            + " a metrics server.",
    subcommands = {
      RunCommand.class,
      DemoCommand.class,
      MonitorCommand.class,
      LiveCheckCommand.class,
      AnalyzeCommand.class,
      ServerCommand.class,
      UploadCommand.class,
      CompareCommand.class,
      KubeCommand.class,
      AgentCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class Main implements Runnable {

  /** Exit code for bad input: a file, option or expression that cannot be used. */
  public static final int EXIT_BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static {
    // Kafka's clients log every connection, join and commit at INFO; only their warnings matter
    // here.
    // Set before any logger exists (slf4j-simple reads it once).
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    }
  }

  public static void main(String[] args) {
    // With the jar's Add-Opens of sun.nio.ch, Netty may swap the selector's key set for its own
    // array: no allocation per ready channel, a cheaper event-loop pass (see BENCHMARKS.md).
    if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
      System.setProperty("io.netty.tryReflectionSetAccessible", "true");
    }
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code, without exiting (for tests). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** Runs the command line with its output and errors going to the given writers (for tests). */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(new UserErrorHandler());
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"grindstone " + (v == null ? "(development build)" : v)};
    }
  }
}
