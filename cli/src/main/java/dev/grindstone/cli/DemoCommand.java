package dev.grindstone.cli;

import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.http.load.HttpFlow;
import dev.grindstone.http.load.HttpFlowScenario;
import dev.grindstone.http.load.HttpRunFiles;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
          + " ramp up, hold, ramp down. Writes the usual results folder. --websocket adds a chat over"
          + " the service's WebSocket room.",
    })
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--duration", paramLabel = "TIME", description = "Total length (default 30s), split over the phases")
  String duration = "30s";

  @Option(names = "--users", paramLabel = "N", description = "Peak virtual users (default 20)")
  Integer users;

  @Option(names = "--out", paramLabel = "DIR", description = "Where results folders go (default: results)")
  Path out;

  @Option(names = {"--report-to", "--server"}, paramLabel = "URL",
      description = "Stream the run to a metrics server (grindstone server), e.g. http://127.0.0.1:8080")
  java.net.URI reportTo;

  @Option(names = "--token", description = "Write token for a metrics server bound beyond loopback")
  String token;

  @Option(names = "--print-flow", description = "Print the demo's run file and exit")
  boolean printFlow;

  @Option(names = "--websocket",
      description = "Add WebSocket steps to the flow: join a chat room, tell it about the order, hear it back, leave")
  boolean webSocket;

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
      loaded = RunYaml.load(reader, "demo.yaml", null, HttpFlow.FIELDS);
    }
    HttpFlow flow = HttpFlow.read(loaded.root(), null, loaded.reader());
    loaded.reader().problems().throwIfAny();
    try (DemoService service = DemoService.start()) {
      System.out.println("Demo service: " + service.url() + " (loopback only)");
      RunConfig.Builder config = loaded.config().http(true).webSocket(flow.usesWebSocket());
      config.phases(HttpRunFiles.scaleDuration(config.phases(), total));
      if (users != null) {
        config.phases(HttpRunFiles.scaleUsers(config.phases(), users));
      }
      if (out != null) {
        config.outputRoot(out);
      }
      config.sink(new ServerReportSink(reportTo, token, System.out));
      try (HttpFlowScenario scenario = new HttpFlowScenario(flow.withBaseUrl(service.url()))) {
        RunSummary summary = Run.of(config.build(), scenario).stopOnSignals(System.err).execute();
        System.out.println();
        System.out.println("Open " + summary.info().outputDirectory().resolve("report.html").toAbsolutePath()
            + " in a browser for the charts.");
        return Run.exitCode(summary);
      }
    }
  }

  /** The demo's run file; with {@code webSocket}, its WebSocket steps at the end of the flow. */
  static String runFile(boolean webSocket) throws IOException {
    String yaml = resource("demo.yaml");
    if (!webSocket) {
      return yaml;
    }
    int phases = yaml.indexOf("\nphases:");
    return yaml.substring(0, phases + 1) + resource("demo-websocket.yaml") + yaml.substring(phases + 1);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = DemoService.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
