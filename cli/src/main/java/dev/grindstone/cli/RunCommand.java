package dev.grindstone.cli;

import dev.grindstone.engine.Run;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.config.ConfigReader;
import dev.grindstone.engine.config.GrinderProperties;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.script.ScenarioLoader;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ServerSink;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.http.load.HttpFlow;
import dev.grindstone.http.load.HttpFlowScenario;
import dev.grindstone.http.load.HttpRunFiles;
import dev.grindstone.prometheus.HistogramMode;
import dev.grindstone.prometheus.RemoteWriteSink;
import dev.grindstone.stats.BadInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grindstone run}: a load test from a Java scenario file, a run file, or a scenario class.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a load test. FILE is a Java scenario (Scenario.java, compiled in-process), a run file"
          + " (run.yaml), The Grinder's grinder.properties, or the name of a scenario class on the"
          + " class path.",
      "",
      "Exit code: 0 when every threshold passed, 99 when one failed, 98 when every threshold passed"
          + " but a tolerance against the baseline was broken, 2 for bad input.",
    })
final class RunCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "Scenario.java, run.yaml, or a class name")
  String target;

  @Option(
      names = "--users",
      paramLabel = "N",
      description = "Run N virtual users (replaces the phases with one)")
  Integer users;

  @Option(
      names = "--duration",
      paramLabel = "TIME",
      description = "How long (e.g. 30s, 5m); replaces the phases with one")
  String duration;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      description =
          "Open model: start this many iterations a second (replaces the phases with one)")
  Double rate;

  @Option(names = "--period", paramLabel = "TIME", description = "Collection period (default 1s)")
  String period;

  @Option(names = "--name", description = "The run's name (names the results folder)")
  String name;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where results folders go (default: results)")
  Path out;

  @Option(
      names = "--threshold",
      paramLabel = "RULE",
      description =
          "A pass/fail rule, e.g. 'p99<250ms', 'errors<1%%', 'test 2: mean<50ms' (repeatable)")
  List<String> thresholds = new ArrayList<>();

  @Option(
      names = {"--report-to", "--server"},
      paramLabel = "URL",
      description =
          "Stream the run to a metrics server (grindstone server), e.g. http://127.0.0.1:8080")
  java.net.URI reportTo;

  @Option(names = "--token", description = "Write token for a metrics server bound beyond loopback")
  String token;

  @Option(
      names = "--prometheus-remote-write",
      paramLabel = "URL",
      description =
          "Push the run's counters and histograms to Prometheus every period with remote write,"
              + " e.g. http://127.0.0.1:9090/api/v1/write")
  java.net.URI prometheusRemoteWrite;

  @Option(
      names = "--prometheus-histograms",
      paramLabel = "FORM",
      description =
          "How remote write sends latency histograms: auto (native until the receiver refuses them,"
              + " then classic buckets; the default), native, or classic")
  String prometheusHistograms = "auto";

  @Option(
      names = "--tag",
      paramLabel = "NAME=VALUE",
      description = "A label on every remote-written series, e.g. env=staging (repeatable)")
  List<String> tags = new ArrayList<>();

  @Option(names = "--no-data-log", description = "Do not write data.csv")
  boolean noDataLog;

  @Option(
      names = "--base-url",
      paramLabel = "URL",
      description = "For an HTTP flow: the base of relative URLs")
  String baseUrl;

  @Option(
      names = "--insecure",
      description = "For an HTTP flow: accept any TLS certificate (self-signed targets)")
  boolean insecure;

  @Option(
      names = {"--request-config", "--request_config"},
      paramLabel = "FILE",
      description =
          "gradual's request file (requests: by name) for the scenarios of a run file in gradual's"
              + " form")
  Path requestConfig;

  @Option(
      names = "--baseline",
      paramLabel = "REF",
      description =
          "At the end, compare with this run: a results folder, or on the --server a run id or a"
              + " run name (the run marked as that name's baseline)")
  String baseline;

  @Option(
      names = "--junit-xml",
      paramLabel = "FILE",
      description = "Write each threshold and tolerance checked as a JUnit XML test case to FILE")
  Path junitXml;

  @picocli.CommandLine.Mixin ToleranceOptions tolerances;

  /** On an agent of a distributed run: its shard, which partitions the flow's queue feeders. */
  dev.grindstone.engine.run.Shard shard;

  @Option(
      names = "--agents",
      paramLabel = "N",
      description =
          "Split the run over N agents (grindstone agent) that joined the --server, and merge their"
              + " results")
  Integer agents;

  @Option(
      names = "--on-agent-loss",
      paramLabel = "POLICY",
      description =
          "With --agents: fail (default) stops the run when an agent stops reporting; continue goes"
              + " on without it")
  String onAgentLoss;

  @Option(
      names = "--ready-timeout",
      paramLabel = "TIME",
      description = "With --agents: how long to wait for every agent to be ready (default 5m)")
  String readyTimeout;

  @Override
  public Integer call() throws java.io.IOException {
    if (baseline == null && tolerances.any()) {
      throw new BadInputException(
          "tolerances (--max-...-increase, --max-tps-decrease, --alpha, --ignore-noise)"
              + " compare with a baseline: add --baseline with a results folder or a run id");
    }
    var comparison = tolerances.options();
    // Read before the load starts: a baseline that cannot be read stops the run before it costs
    // anything.
    var baselineRun = baseline == null ? null : RunReference.read(baseline, reportTo, "--baseline");
    Plan plan = loadPlan();
    Scenario scenario = plan.scenario();
    RunConfig.Builder config = plan.config();
    List<Plugin> plugins = plan.plugins();
    Distribution distribution = distribution(plan);
    if (distribution != null) {
      applyOptions(config, plan.named() != null);
      try {
        return new DistributedController(this, plan, distribution).run();
      } finally {
        closeScenarios(plan.scenarios());
      }
    }
    if (plan.named() != null) {
      applyOptions(config, true);
      return execute(config, plan.named(), null, plugins, baselineRun, comparison);
    }
    applyOptions(config);
    return execute(config, null, scenario, plugins, baselineRun, comparison);
  }

  /** Runs {@code scenario}, or the {@code named} scenarios, and closes them at the end. */
  private Integer execute(
      RunConfig.Builder config,
      Map<String, Scenario> named,
      Scenario scenario,
      List<Plugin> plugins,
      dev.grindstone.compare.RunResults baselineRun,
      dev.grindstone.compare.Comparison.Options comparison) {
    List<Scenario> all = named == null ? List.of(scenario) : List.copyOf(named.values());
    try {
      // Always: the results folder keeps the run as server requests, for grindstone upload.
      Run run =
          (named == null ? Run.of(config.build(), scenario) : Run.of(config.build(), named))
              .sink(serverSink(reportTo, token));
      RemoteWriteSink remoteWrite = remoteWrite();
      if (remoteWrite != null) {
        run.sink(remoteWrite);
      }
      plugins.forEach(run::plugin);
      RunSummary summary = run.stopOnSignals(System.err).execute();
      return RunOutcome.finish(summary, baselineRun, comparison, junitXml, System.out);
    } finally {
      closeScenarios(all);
    }
  }

  static void closeScenarios(java.util.Collection<Scenario> scenarios) {
    for (Scenario s : scenarios) {
      closeScenario(s);
    }
  }

  static void closeScenario(Scenario scenario) {
    if (scenario instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("grindstone run: closing the scenario failed: " + e);
      }
    }
  }

  /**
   * What FILE holds: the scenario, the run's settings before the command line's, its plug-ins, and
   * its {@code distributed:} entry.
   *
   * @param file the run file or Java scenario, or null for a class name
   * @param distributed the run file's {@code distributed:} entry, or null
   * @param named the scenarios by name when the run file's phases run several (then {@code
   *     scenario} is null), else null
   */
  record Plan(
      Scenario scenario,
      RunConfig.Builder config,
      List<Plugin> plugins,
      Path file,
      Distribution distributed,
      Map<String, Scenario> named) {

    /** A plan of one scenario. */
    Plan(
        Scenario scenario,
        RunConfig.Builder config,
        List<Plugin> plugins,
        Path file,
        Distribution distributed) {
      this(scenario, config, plugins, file, distributed, null);
    }

    /** The plan's scenarios: the named ones in the run file's order, or its one scenario. */
    List<Scenario> scenarios() {
      return named == null ? List.of(scenario) : List.copyOf(named.values());
    }

    /** A run of the plan's scenarios. */
    Run run() {
      return named == null ? Run.of(config.build(), scenario) : Run.of(config.build(), named);
    }
  }

  /**
   * How a run is split over agents.
   *
   * @param agents how many
   * @param onAgentLoss {@code fail} or {@code continue}
   */
  record Distribution(
      int agents, Duration readyTimeout, Duration lead, String onAgentLoss, Duration lossTimeout) {}

  /**
   * Reads FILE (see {@link Plan}); bad input throws {@link BadInputException} or a config error.
   */
  Plan loadPlan() {
    Distribution distributed = null;
    Scenario scenario;
    RunConfig.Builder config;
    List<Plugin> plugins = List.of();
    Path path = Path.of(target);
    String lower = target.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
      java.util.Set<String> fields = new java.util.HashSet<>(HttpRunFiles.extraFields());
      fields.add("distributed");
      RunYaml.Loaded loaded = RunYaml.load(path, fields, HttpRunFiles.SCENARIO_FIELDS);
      ConfigReader reader = loaded.reader();
      plugins = HttpRunFiles.plugins(loaded.root(), reader);
      if (!loaded.scenarioEntries().isEmpty()) {
        // Several scenarios (or gradual's form): each phase's scenarios say what they run.
        distributed = distributedEntry(loaded.root().get("distributed"), reader);
        Map<String, Scenario> named = HttpRunFiles.scenarios(loaded, requestConfig, this::adjust);
        reader.problems().throwIfAny();
        return new Plan(null, loaded.config(), plugins, path, distributed, named);
      }
      if (requestConfig != null) {
        throw new BadInputException(
            "--request-config gives the requests of gradual's scenarios, but the phases of "
                + target
                + " list no scenarios: name them under each phase's scenarios: (as gradual's runs:"
                + " form does)");
      }
      HttpFlow flow = HttpFlow.read(loaded.root(), loaded.directory(), reader);
      if (flow == null && loaded.scenario() == null) {
        reader
            .problems()
            .add(
                loaded.root().line(),
                loaded.root().column(),
                "scenario",
                "is required: the Java scenario file (Checkout.java) or class to run, or an HTTP"
                    + " flow (requests:, flow:)");
      }
      distributed = distributedEntry(loaded.root().get("distributed"), reader);
      reader.problems().throwIfAny();
      config = loaded.config();
      if (flow != null) {
        flow = adjust(flow);
        scenario = new HttpFlowScenario(flow);
      } else {
        scenario =
            loaded.scenario().endsWith(".java")
                ? ScenarioLoader.compile(loaded.directory().resolve(loaded.scenario()))
                : ScenarioLoader.load(loaded.scenario());
      }
    } else if (lower.endsWith(".properties")) {
      GrinderProperties.Loaded grinder = GrinderProperties.load(path);
      grinder.warnings().forEach(w -> System.err.println("grindstone run: warning: " + w));
      scenario = ScenarioLoader.compile(grinder.script());
      config = grinder.config();
    } else {
      scenario =
          lower.endsWith(".java") ? ScenarioLoader.compile(path) : ScenarioLoader.load(target);
      config =
          RunConfig.builder(safeName(path.getFileName().toString().replaceFirst("\\.java$", "")));
      scenario.configure(config);
    }
    return new Plan(
        scenario,
        config,
        plugins,
        lower.endsWith(".yaml")
                || lower.endsWith(".yml")
                || lower.endsWith(".properties")
                || lower.endsWith(".java")
            ? path
            : null,
        distributed);
  }

  private static Distribution distributedEntry(
      dev.grindstone.engine.config.YamlNode node,
      dev.grindstone.engine.config.ConfigReader reader) {
    if (node == null
        || node instanceof dev.grindstone.engine.config.YamlNode.Scalar s && s.isNull()) {
      return null;
    }
    var m =
        reader.mapping(
            node,
            "distributed: {agents: N, on_agent_loss: fail|continue, ready_timeout: 5m, lead: 3s,"
                + " loss_timeout: 10s}");
    if (m == null) {
      return null;
    }
    reader.checkFields(
        m, java.util.Set.of("agents", "on_agent_loss", "ready_timeout", "lead", "loss_timeout"));
    int agents = (int) reader.integer(m.get("agents"), 1, 1);
    String loss = reader.string(m.get("on_agent_loss"), "fail");
    if (!loss.equals("fail") && !loss.equals("continue")) {
      reader
          .problems()
          .add(m.get("on_agent_loss"), "on_agent_loss is fail or continue, got '" + loss + "'");
    }
    return new Distribution(
        agents,
        reader.duration(m.get("ready_timeout"), Duration.ofMinutes(5)),
        reader.duration(m.get("lead"), Duration.ofSeconds(3)),
        loss,
        reader.duration(m.get("loss_timeout"), Duration.ofSeconds(10)));
  }

  /** The distribution the options and the run file ask for, or null for a local run. */
  Distribution distribution(Plan plan) {
    Distribution d = plan.distributed();
    if (agents == null && d == null) {
      return null;
    }
    if (agents != null && agents < 1) {
      throw new BadInputException("--agents must be at least 1, got " + agents);
    }
    if (reportTo == null) {
      throw new BadInputException(
          "a distributed run (--agents or distributed: in the run file) needs --server URL,"
              + " the metrics server the agents joined");
    }
    if (plan.file() == null) {
      throw new BadInputException(
          "a distributed run needs a run file or a Java scenario file to send to the agents,"
              + " not a class name");
    }
    Distribution base =
        d != null
            ? d
            : new Distribution(
                1, Duration.ofMinutes(5), Duration.ofSeconds(3), "fail", Duration.ofSeconds(10));
    String loss = onAgentLoss != null ? onAgentLoss : base.onAgentLoss();
    if (!loss.equals("fail") && !loss.equals("continue")) {
      throw new BadInputException("--on-agent-loss is fail or continue, got '" + loss + "'");
    }
    return new Distribution(
        agents != null ? agents : base.agents(),
        readyTimeout != null ? parseDuration("--ready-timeout", readyTimeout) : base.readyTimeout(),
        base.lead(),
        loss,
        base.lossTimeout());
  }

  /**
   * An HTTP flow with the command line's --base-url and --insecure, and on an agent its share of
   * the queue feeders' rows.
   */
  private HttpFlow adjust(HttpFlow flow) {
    HttpFlow f = shard == null ? flow : flow.shard(shard);
    if (baseUrl != null) {
      f = f.withBaseUrl(baseUrl);
    }
    if (insecure) {
      f = f.insecure();
    }
    return f;
  }

  void applyOptions(RunConfig.Builder config) {
    applyOptions(config, false);
  }

  /**
   * @param scenarios true when the run file's phases run several named scenarios
   */
  void applyOptions(RunConfig.Builder config, boolean scenarios) {
    if (scenarios && (users != null || duration != null || rate != null)) {
      throw new BadInputException(
          "--users, --duration and --rate replace the phases with one phase of one scenario,"
              + " but the phases of "
              + target
              + " run named scenarios, each with its own load: change the loads in the"
              + " file");
    }
    if (name != null) {
      config.name(name);
    }
    if (out != null) {
      config.outputRoot(out);
    }
    if (period != null) {
      config.period(parseDuration("--period", period));
    }
    if (noDataLog) {
      config.dataLog(false);
    }
    thresholds.forEach(config::threshold);
    if (users != null || duration != null || rate != null) {
      Duration d =
          duration == null ? Duration.ofSeconds(30) : parseDuration("--duration", duration);
      if (users != null && users < 1) {
        throw new BadInputException("--users must be at least 1, got " + users);
      }
      if (rate != null && !(rate > 0 && Double.isFinite(rate))) {
        throw new BadInputException(
            "--rate must be a number of iterations a second above 0, got " + rate);
      }
      if (rate != null) {
        config.phases(List.of(Phase.rate("main", d, rate, users == null ? 1000 : users)));
      } else {
        config.phases(List.of(Phase.hold("main", d, users == null ? 1 : users)));
      }
    } else if (config.phases().isEmpty()) {
      config.phase(Phase.hold("main", Duration.ofSeconds(10), 1));
    }
  }

  /**
   * The sink that records the run for the metrics server and, with {@code --report-to}, streams it
   * there.
   */
  static ServerSink serverSink(java.net.URI reportTo, String token) {
    try {
      return ServerSink.builder().server(reportTo).token(token).messages(System.out).build();
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--report-to: " + e.getMessage());
    }
  }

  /** The remote-write sink the options ask for, or null; bad options are the user's mistake. */
  RemoteWriteSink remoteWrite() {
    if (prometheusRemoteWrite == null) {
      if (!tags.isEmpty()) {
        throw new BadInputException(
            "--tag labels the series of --prometheus-remote-write; give that option too");
      }
      return null;
    }
    HistogramMode mode =
        switch (prometheusHistograms.toLowerCase(java.util.Locale.ROOT)) {
          case "auto" -> HistogramMode.AUTO;
          case "native" -> HistogramMode.NATIVE;
          case "classic" -> HistogramMode.CLASSIC;
          default ->
              throw new BadInputException(
                  "--prometheus-histograms takes auto, native or classic, got '"
                      + prometheusHistograms
                      + "'");
        };
    try {
      RemoteWriteSink.Builder b = RemoteWriteSink.builder(prometheusRemoteWrite).histograms(mode);
      for (String tag : tags) {
        int eq = tag.indexOf('=');
        if (eq <= 0) {
          throw new BadInputException(
              "--tag takes NAME=VALUE such as env=staging, got '" + tag + "'");
        }
        b.tag(tag.substring(0, eq), tag.substring(eq + 1));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--prometheus-remote-write: " + e.getMessage());
    }
  }

  static Duration parseDuration(String option, String text) {
    Duration d = ConfigReader.parseDuration(text);
    if (d == null) {
      throw new BadInputException(option + ": " + ConfigReader.whyNotDuration(text));
    }
    if (d.isZero()) {
      throw new BadInputException(
          option + " takes a duration above 0 such as 30s, 500ms, 5m or 1h, got '" + text + "'");
    }
    return d;
  }

  static String safeName(String s) {
    String n = s.replaceAll("[^A-Za-z0-9._-]", "-");
    return n.isEmpty() ? "run" : n;
  }
}
