package dev.grindstone.cli;

import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.http.load.HttpFlow;
import dev.grindstone.http.load.HttpFlowScenario;
import dev.grindstone.http.load.HttpRunFiles;
import dev.grindstone.server.MetricsServer;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code grindstone demo}: a load test of the built-in demo service, end to end. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start the built-in demo service on a free loopback port and load-test it with an HTTP flow"
          + " (ping, log in, browse, view, add to cart, check out, a flaky call) in three phases:"
          + " ramp up, hold, ramp down. Writes the usual results folder. --websocket adds a chat"
          + " over the service's WebSocket room.",
    })
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--duration",
      paramLabel = "TIME",
      description = "Total length (default 30s), split over the phases")
  String duration = "30s";

  @Option(names = "--users", paramLabel = "N", description = "Peak virtual users (default 20)")
  Integer users;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where results folders go (default: results)")
  Path out;

  @Option(
      names = {"--report-to", "--server"},
      paramLabel = "URL",
      description =
          "Stream the run to a metrics server (grindstone server), e.g. http://127.0.0.1:8080")
  java.net.URI reportTo;

  @Option(names = "--token", description = "Write token for a metrics server bound beyond loopback")
  String token;

  @Option(names = "--print-flow", description = "Print the demo's run file and exit")
  boolean printFlow;

  @Option(
      names = "--websocket",
      description =
          "Add WebSocket steps to the flow: join a chat room, tell it about the order, hear it"
              + " back, leave")
  boolean webSocket;

  @Option(
      names = "--agents",
      paramLabel = "N",
      description =
          "Run the demo on N local agent processes (child JVMs on loopback) through a metrics"
              + " server (the --server, else one of its own), merged as a distributed run is")
  Integer agents;

  @Override
  public Integer call() throws Exception {
    if (printFlow) {
      System.out.print(runFile(webSocket));
      return 0;
    }
    Duration total = RunCommand.parseDuration("--duration", duration);
    if (users != null && users < 1) {
      throw new BadInputException("--users must be at least 1, got " + users);
    }
    RunYaml.Loaded loaded;
    try (Reader reader = new StringReader(runFile(webSocket))) {
      loaded = RunYaml.load(reader, "demo.yaml", null, HttpRunFiles.extraFields());
    }
    HttpFlow flow = HttpFlow.read(loaded.root(), null, loaded.reader());
    loaded.reader().problems().throwIfAny();
    try (DemoService service = DemoService.start()) {
      System.out.println("Demo service: " + service.url() + " (loopback only)");
      RunConfig.Builder config = loaded.config();
      config.phases(HttpRunFiles.scaleDuration(config.phases(), total));
      if (users != null) {
        config.phases(HttpRunFiles.scaleUsers(config.phases(), users));
      }
      if (out != null) {
        config.outputRoot(out);
      }
      if (agents != null) {
        return distributed(runFile(webSocket), config, service);
      }
      try (HttpFlowScenario scenario = new HttpFlowScenario(flow.withBaseUrl(service.url()))) {
        RunSummary summary =
            Run.of(config.build(), scenario)
                .sink(RunCommand.serverSink(reportTo, token))
                .stopOnSignals(System.err)
                .execute();
        System.out.println();
        System.out.println(
            "Open "
                + summary.info().outputDirectory().resolve("report.html").toAbsolutePath()
                + " in a browser for the charts.");
        return Run.exitCode(summary);
      }
    }
  }

  /**
   * The demo as a distributed run: its run file (with the service's URL and the phases scaled) goes
   * to {@code agents} child JVMs through a metrics server, and this process is the controller.
   */
  private int distributed(String yaml, RunConfig.Builder config, DemoService service)
      throws Exception {
    if (agents < 1) {
      throw new BadInputException("--agents must be at least 1, got " + agents);
    }
    Path dir = Files.createTempDirectory("grindstone-demo-");
    Path plan = Files.createDirectories(dir.resolve("plan"));
    String text = yaml.replace("base_url: http://127.0.0.1:8080", "base_url: " + service.url());
    text = text.substring(0, text.indexOf("\nphases:") + 1) + phases(config.phases());
    Files.writeString(plan.resolve("demo.yaml"), text);
    MetricsServer own =
        reportTo == null
            ? MetricsServer.builder()
                .port(0)
                .jdbcUrl("jdbc:sqlite:" + dir.resolve("grindstone.db"))
                .start()
            : null;
    URI server = own != null ? URI.create(own.url()) : reportTo;
    try (LocalAgents local =
        LocalAgents.start(agents, server, token, dir.resolve("agents"), List.of())) {
      System.out.println(
          agents + " agent processes started; their output is in " + dir.resolve("agents"));
      RunCommand run = new RunCommand();
      run.target = plan.resolve("demo.yaml").toString();
      run.agents = agents;
      run.reportTo = server;
      run.token = token;
      run.out = out;
      run.tolerances = new ToleranceOptions();
      int code = run.call();
      local.await(30);
      return code;
    } finally {
      if (own != null) {
        own.close();
      }
    }
  }

  /** The demo's phases (constant users and ramps) as a run file's {@code phases:}. */
  private static String phases(List<Phase> phases) {
    StringBuilder b = new StringBuilder("phases:\n");
    for (Phase p : phases) {
      String users =
          switch (p.shape()) {
            case LoadShape.Constant c -> Integer.toString(c.users());
            case LoadShape.Ramp r -> "{from: " + r.from() + ", to: " + r.to() + "}";
            default ->
                throw new IllegalStateException(
                    "the demo's phases are constant users or ramps, got " + p.shape());
          };
      b.append("  - {name: ")
          .append(p.name())
          .append(", duration: ")
          .append(p.duration().toMillis())
          .append("ms, users: ")
          .append(users)
          .append("}\n");
    }
    return b.toString();
  }

  /** The demo's run file; with {@code webSocket}, its WebSocket steps at the end of the flow. */
  static String runFile(boolean webSocket) throws IOException {
    String yaml = resource("demo.yaml");
    if (!webSocket) {
      return yaml;
    }
    int phases = yaml.indexOf("\nphases:");
    return yaml.substring(0, phases + 1)
        + resource("demo-websocket.yaml")
        + yaml.substring(phases + 1);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = DemoService.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
