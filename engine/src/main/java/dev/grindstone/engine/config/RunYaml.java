package dev.grindstone.engine.config;

import dev.grindstone.engine.config.YamlNode.Mapping;
import dev.grindstone.engine.run.JdbcListenerConfig;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScenarioLoad;
import dev.grindstone.engine.run.SinkRetry;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.run.Threshold;
import dev.grindstone.stats.BadInputException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a run file ({@code run.yaml}): the run's name, phases, thresholds and outputs, and what to
 * run. Every problem is reported at once with its file, line, column and field.
 *
 * <pre>
 * name: checkout
 * scenario: Checkout.java          # a Java scenario file or class
 * period: 1s
 * wait_between_phases: 0s
 * thresholds: ["p99&lt;250ms", "errors&lt;1%", {threshold: "p99[30s]&lt;500ms", abort_on_fail: true}]
 * listeners:                       # call listeners: every call's record into a table
 *   - {name: db, jdbc: "jdbc:sqlite:calls.db", table: calls, batch_size: 500}
 * sink_retry: {max_consecutive_failures: 5, backoff: 100ms, max_backoff: 5s}
 * phases:
 *   - {name: ramp up, duration: 10s, users: {from: 0, to: 50}}
 *   - {name: hold, duration: 30s, users: 50, think_time: {mean: 1s, variation: 0.2}}
 *   - {name: paced, duration: 30s, users: 10, pace: 1s}
 *   - {name: steps, duration: 20s, min_concurrency: 1, max_concurrency: 20, ramp_up_add: [2, 4], ramp_up_wait: [1s]}
 *   - {name: open, duration: 30s, rate: {from: 10, to: 100}, max_users: 200}
 *   - name: mixed                   # several scenarios at once
 *     duration: 30s
 *     users: 40                     # shared by weight among scenarios without a load of their own
 *     scenarios:
 *       browse: {weight: 3, scenario: Browse.java}
 *       checkout: {weight: 1, scenario: Checkout.java, think_time: 1s}
 *       admin: {users: 1, scenario: Admin.java}
 * </pre>
 *
 * <p>gradual's form is read as it is: the run under {@code runs:}, phases by name, each with {@code
 * run_time} and its {@code scenarios:} (their loads as {@code min_concurrency}, {@code
 * max_concurrency}, {@code ramp_up_add} or {@code ramp_up_multiply}, {@code ramp_up_wait}, {@code
 * run_once}), with gradual's meanings: a scenario without ramp-up values stays at {@code
 * min_concurrency}, as gradual's does.
 */
public final class RunYaml {

  static final Set<String> RUN_FIELDS =
      Set.of(
          "name",
          "scenario",
          "period",
          "wait_between_phases",
          "phases",
          "thresholds",
          "data_log",
          "graceful_stop",
          "console",
          "listeners",
          "sink_retry");
  static final Set<String> LISTENER_FIELDS =
      Set.of("name", "jdbc", "table", "batch_size", "user", "password_env");
  static final Set<String> SINK_RETRY_FIELDS =
      Set.of("max_consecutive_failures", "backoff", "max_backoff");

  /** The fields of a load: what a phase and each of its scenarios take alike. */
  static final Set<String> LOAD_FIELDS =
      Set.of(
          "users",
          "rate",
          "max_users",
          "min_concurrency",
          "max_concurrency",
          "ramp_up_add",
          "ramp_up_multiply",
          "ramp_up_wait",
          "run_once",
          "think_time",
          "initial_sleep",
          "iterations",
          "runs",
          "expected_interval",
          "pace");

  static final Set<String> PHASE_FIELDS =
      union(LOAD_FIELDS, "name", "duration", "run_time", "scenarios");

  /**
   * The fields of a scenario's entry in a phase: its load, and what it runs ({@code scenario:}).
   */
  static final Set<String> SCENARIO_FIELDS = union(LOAD_FIELDS, "weight", "scenario");

  private static Set<String> union(Set<String> fields, String... more) {
    Set<String> all = new HashSet<>(fields);
    all.addAll(List.of(more));
    return Set.copyOf(all);
  }

  /**
   * Keys of gradual's documentation that Grindstone does not read, with why and what to do instead:
   * reported as such wherever they appear, never as mere unknown fields.
   */
  static final Map<String, String> GRADUAL_UNSUPPORTED =
      Map.of(
          "target",
              "the form of gradual's getting-started page (target:, scenarios: with steps:) is read"
                  + " by no gradual version either; write runs: with phases and scenarios, as"
                  + " gradual's configuration reference does",
          "websocket_config",
              "gradual's WebSocket requests (method: WEBSOCKET, socket.io) are not supported; write"
                  + " the WebSocket steps of a flow: (ws_connect, ws_send, ws_receive, ws_close)",
          "auth",
              "gradual's auth (only kerb works there) is not supported; send credentials in"
                  + " headers: (Authorization: ...), or leave auth out or null");

  /**
   * What a run file holds.
   *
   * @param config the run's settings (phases, thresholds, ...), to complete and build
   * @param scenario the {@code scenario:} entry, or null
   * @param root the whole document, for readers of the extra fields
   * @param directory the file's folder, against which relative paths resolve
   */
  public record Loaded(
      RunConfig.Builder config,
      String scenario,
      Mapping root,
      Path directory,
      ConfigReader reader,
      Map<String, List<Mapping>> scenarioEntries,
      boolean gradual) {

    /** A run file of one scenario, in Grindstone's form. */
    public Loaded(
        RunConfig.Builder config,
        String scenario,
        Mapping root,
        Path directory,
        ConfigReader reader) {
      this(config, scenario, root, directory, reader, Map.of(), false);
    }
  }

  private RunYaml() {}

  /**
   * Reads {@code file}. {@code extraFields} are top-level fields another reader handles (for
   * example the HTTP plug-in's {@code requests} and {@code flow}); problems found by that reader
   * should go to {@link Loaded#reader()} before {@code reader().problems().throwIfAny()}.
   */
  public static Loaded load(Path file, Set<String> extraFields) {
    return load(file, extraFields, Set.of());
  }

  /**
   * The same; {@code extraScenarioFields} are fields of a phase's scenario entries another reader
   * handles (the HTTP plug-in's {@code flow} and {@code requests}), read from {@link
   * Loaded#scenarioEntries()}.
   */
  public static Loaded load(Path file, Set<String> extraFields, Set<String> extraScenarioFields) {
    String text = ConfigText.utf8(file, "run file");
    return load(
        new java.io.StringReader(text),
        file.getFileName().toString(),
        file.toAbsolutePath().getParent(),
        extraFields,
        extraScenarioFields);
  }

  public static Loaded load(
      Reader reader, String fileName, Path directory, Set<String> extraFields) {
    return load(reader, fileName, directory, extraFields, Set.of());
  }

  public static Loaded load(
      Reader reader,
      String fileName,
      Path directory,
      Set<String> extraFields,
      Set<String> extraScenarioFields) {
    ConfigProblems problems = new ConfigProblems(fileName);
    ConfigReader r = new ConfigReader(problems);
    YamlNode doc = YamlNode.parse(reader, problems);
    if (doc == null) {
      problems.throwIfAny();
    }
    Mapping root = r.mapping(doc, "a run: name, phases, thresholds, ...");
    if (root == null) {
      problems.throwIfAny();
    }
    boolean gradual = root.get("runs") != null;
    Mapping run = root;
    if (gradual) {
      // gradual's form: the run under runs:, the requests beside it
      Set<String> outside = new HashSet<>(extraFields);
      outside.add("runs");
      checkFields(r, root, outside);
      run = r.mapping(root.get("runs"), "a run: name, wait_between_phases, phases");
      if (run == null) {
        problems.throwIfAny();
      }
      checkFields(r, run, RUN_FIELDS);
    } else {
      Set<String> known = new HashSet<>(RUN_FIELDS);
      known.addAll(extraFields);
      checkFields(r, root, known);
    }

    String name = r.string(run.get("name"), fileName.replaceAll("\\.(ya?ml|json)$", ""));
    if (gradual) {
      name =
          name.strip()
              .replaceAll("[^A-Za-z0-9._-]", "-"); // gradual's names are free text: "Test Run"
    }
    if (!name.matches("[A-Za-z0-9._-]+")) {
      YamlNode at = run.get("name") == null ? run : run.get("name");
      problems.add(
          at,
          "a run name must be letters, digits, '.', '_' or '-' (it names the results folder), got '"
              + name
              + "'");
      name = "run";
    }
    RunConfig.Builder b = RunConfig.builder(name);
    Duration period = r.duration(run.get("period"), Duration.ofSeconds(1));
    if (period.toMillis() < 10) {
      problems.add(run.get("period"), "the collection period must be at least 10ms");
    } else {
      b.period(period);
    }
    b.waitBetweenPhases(r.duration(run.get("wait_between_phases"), Duration.ZERO));
    b.gracefulStop(r.duration(run.get("graceful_stop"), Duration.ofSeconds(10)));
    b.dataLog(r.bool(run.get("data_log"), true));
    b.console(r.bool(run.get("console"), true));
    Map<String, List<Mapping>> entries = new LinkedHashMap<>();
    Set<String> scenarioFields = new HashSet<>(SCENARIO_FIELDS);
    scenarioFields.addAll(extraScenarioFields);
    b.phases(phases(run, r, new PhaseReading(gradual, scenarioFields, entries)));
    List<String> names = List.copyOf(entries.keySet());
    for (YamlNode t : r.list(run.get("thresholds"))) {
      threshold(t, b, names, r);
    }
    for (YamlNode l : r.list(run.get("listeners"))) {
      JdbcListenerConfig listener = listener(l, r, directory);
      if (listener != null) {
        b.jdbcListener(listener);
      }
    }
    Mapping retry =
        r.mapping(
            run.get("sink_retry"), "sink_retry: max_consecutive_failures, backoff, max_backoff");
    if (retry != null) {
      r.checkFields(retry, SINK_RETRY_FIELDS);
      SinkRetry d = SinkRetry.DEFAULT;
      try {
        b.sinkRetry(
            new SinkRetry(
                (int)
                    r.integer(retry.get("max_consecutive_failures"), d.maxConsecutiveFailures(), 1),
                r.duration(retry.get("backoff"), d.firstBackoff()),
                r.duration(retry.get("max_backoff"), d.maxBackoff())));
      } catch (IllegalArgumentException e) {
        problems.add(retry, e.getMessage());
      }
    }
    String scenario = r.string(run.get("scenario"), null);
    if (scenario != null) {
      checkScenario(run.get("scenario"), scenario, fileName, directory, problems);
    }
    for (List<Mapping> list : entries.values()) {
      for (Mapping m : list) {
        String java = r.string(m.get("scenario"), null);
        if (java != null) {
          checkScenario(m.get("scenario"), java, fileName, directory, problems);
        }
      }
    }
    if (!names.isEmpty() && scenario != null) {
      problems.add(
          run.get("scenario"),
          "the phases name their scenarios, so the run has no scenario of its own;"
              + " give each phase's scenarios what they run (scenario: X.java, flow:, requests:)");
    }
    return new Loaded(
        b, scenario, root, directory, r, java.util.Collections.unmodifiableMap(entries), gradual);
  }

  static final Set<String> THRESHOLD_FIELDS =
      Set.of("threshold", "phase", "scenario", "test", "abort_on_fail", "delay_abort_eval");

  /**
   * A threshold written as a mapping, k6's object form: {@code {threshold: "p99[30s]<500ms", phase:
   * steady, abort_on_fail: true, delay_abort_eval: 10s}} or {@code {threshold: "p95<300ms",
   * scenario: checkout}}, as the text form says it.
   */
  private static String thresholdText(Mapping m, ConfigReader r) {
    checkFields(r, m, THRESHOLD_FIELDS);
    String rule = r.string(m.get("threshold"), null);
    if (rule == null) {
      r.problems()
          .add(
              m, "a threshold mapping needs 'threshold', the rule (e.g. threshold: \"p99<500ms\")");
      return null;
    }
    StringBuilder text = new StringBuilder();
    if (m.get("test") != null) {
      text.append("test ").append(r.integer(m.get("test"), 0, 0)).append(": ");
    }
    if (m.get("phase") != null) {
      text.append("phase '").append(r.string(m.get("phase"), "")).append("': ");
    }
    if (m.get("scenario") != null) {
      text.append("scenario ").append(r.string(m.get("scenario"), "")).append(": ");
    }
    text.append(rule);
    boolean abort = r.bool(m.get("abort_on_fail"), false);
    if (abort) {
      text.append(" abort_on_fail");
    }
    if (m.get("delay_abort_eval") != null) {
      Duration delay = r.duration(m.get("delay_abort_eval"), Duration.ZERO);
      if (!abort) {
        r.problems()
            .add(
                m.get("delay_abort_eval"),
                "delays abort_on_fail: add abort_on_fail: true, or drop it");
        return null;
      }
      text.append(" delay_abort_eval=").append(delay.toMillis()).append("ms");
    }
    return text.toString();
  }

  /**
   * A call listener: {@code {name: db, jdbc: URL, table: calls, batch_size: 500, user: u,
   * password_env: VAR}}. A relative SQLite file resolves against the run file's folder.
   */
  private static JdbcListenerConfig listener(YamlNode node, ConfigReader r, Path directory) {
    Mapping m =
        r.mapping(node, "a call listener: name, jdbc, table, batch_size, user, password_env");
    if (m == null) {
      return null;
    }
    r.checkFields(m, LISTENER_FIELDS);
    String url = r.requiredString(m, "jdbc");
    if (url == null) {
      return null;
    }
    String sqlite = "jdbc:sqlite:";
    if (url.startsWith(sqlite) && directory != null) {
      String file = url.substring(sqlite.length());
      if (!file.isEmpty()
          && !file.startsWith(":")
          && !file.startsWith("file:")
          && !Path.of(file).isAbsolute()) {
        url = sqlite + directory.resolve(file).normalize();
      }
    }
    String password = null;
    String variable = r.string(m.get("password_env"), null);
    if (variable != null) {
      password = System.getenv(variable);
      if (password == null) {
        r.problems()
            .add(
                m.get("password_env"),
                "the environment variable "
                    + variable
                    + " is not set; set it to"
                    + " the database password, or leave password_env out");
        return null;
      }
    }
    try {
      return new JdbcListenerConfig(
          r.string(m.get("name"), "jdbc"),
          url,
          r.string(m.get("user"), null),
          password,
          r.string(m.get("table"), "calls"),
          (int) r.integer(m.get("batch_size"), JdbcListenerConfig.DEFAULT_BATCH, 1));
    } catch (IllegalArgumentException e) {
      r.problems().add(m, e.getMessage());
      return null;
    }
  }

  /**
   * A threshold: a rule ({@code "p99<250ms"}), or a mapping (see {@link #thresholdText}); a rule of
   * a scenario must name one that a phase runs.
   */
  private static void threshold(
      YamlNode t, RunConfig.Builder b, List<String> scenarios, ConfigReader r) {
    String text = t instanceof Mapping m ? thresholdText(m, r) : r.string(t, null);
    if (text == null) {
      return;
    }
    try {
      Threshold parsed = Threshold.parse(text);
      if (parsed.scenario() != null && !scenarios.contains(parsed.scenario())) {
        YamlNode at = t instanceof Mapping m && m.get("scenario") != null ? m.get("scenario") : t;
        r.problems()
            .add(
                at,
                "no phase runs a scenario called '"
                    + parsed.scenario()
                    + "'; "
                    + (scenarios.isEmpty()
                        ? "the phases name no scenarios"
                        : "the scenarios are " + String.join(", ", scenarios)));
        return;
      }
      b.threshold(parsed);
    } catch (BadInputException e) {
      r.problems().add(t, e.getMessage());
    }
  }

  /**
   * Reports the fields of {@code m} that are not in {@code known}: gradual's keys that Grindstone
   * does not read as such (what they are, how to do without), the others as unknown fields.
   */
  public static void checkGradualFields(ConfigReader r, Mapping m, Set<String> known) {
    checkFields(r, m, known);
  }

  /** Checks a mapping's fields, reporting gradual's keys that Grindstone does not read as such. */
  static void checkFields(ConfigReader r, Mapping m, Set<String> known) {
    Map<String, YamlNode> rest = new LinkedHashMap<>();
    for (Map.Entry<String, YamlNode> e : m.fields().entrySet()) {
      String why = known.contains(e.getKey()) ? null : GRADUAL_UNSUPPORTED.get(e.getKey());
      if (why != null) {
        r.problems()
            .add(e.getValue(), "gradual's key '" + e.getKey() + "' is not supported: " + why);
      } else {
        rest.put(e.getKey(), e.getValue());
      }
    }
    r.checkFields(new Mapping(rest, m.line(), m.column(), m.path()), known);
  }

  /** How phases are read: in gradual's form or not, and where scenario entries are kept by name. */
  private record PhaseReading(
      boolean gradual, Set<String> scenarioFields, Map<String, List<Mapping>> entries) {}

  /** A scenario file must exist next to the run file, and a class on the class path. */
  private static void checkScenario(
      YamlNode at, String scenario, String fileName, Path directory, ConfigProblems problems) {
    if (scenario.endsWith(".java")) {
      if (directory != null && !Files.isRegularFile(directory.resolve(scenario))) {
        problems.add(
            at,
            "there is no file "
                + directory.resolve(scenario).normalize()
                + "; give a .java file"
                + " relative to "
                + fileName
                + "'s folder, or a scenario class name");
      }
      return;
    }
    try {
      Class.forName(scenario, false, RunYaml.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      problems.add(
          at,
          "there is no class "
              + scenario
              + " on the class path; give a .java file (Checkout.java)"
              + " or a fully qualified class name");
    }
  }

  static List<Phase> phases(Mapping root, ConfigReader r) {
    return phases(root, r, new PhaseReading(false, SCENARIO_FIELDS, new LinkedHashMap<>()));
  }

  private static List<Phase> phases(Mapping root, ConfigReader r, PhaseReading reading) {
    YamlNode node = root.get("phases");
    List<Phase> phases = new ArrayList<>();
    if (node == null) {
      r.problems()
          .add(
              root.line(),
              root.column(),
              "phases",
              "is required: list the phases, e.g."
                  + " phases: [{name: hold, duration: 30s, users: 10}]");
      return phases;
    }
    if (node instanceof Mapping byName) {
      // gradual's form: phases: {phase1: {run_time: 10, ...}}
      for (Map.Entry<String, YamlNode> e : byName.fields().entrySet()) {
        Phase p = phase(e.getValue(), e.getKey(), r, reading);
        if (p != null) {
          phases.add(p);
        }
      }
    } else {
      int i = 0;
      for (YamlNode n : r.list(node)) {
        Phase p = phase(n, "phase " + ++i, r, reading);
        if (p != null) {
          phases.add(p);
        }
      }
    }
    if (phases.isEmpty() && r.problems().isEmpty()) {
      r.problems().add(node, "needs at least one phase");
    }
    long named = phases.stream().filter(p -> !p.scenarios().isEmpty()).count();
    if (named > 0 && named < phases.size()) {
      r.problems()
          .add(
              node,
              "phase '"
                  + phases.stream()
                      .filter(p -> p.scenarios().isEmpty())
                      .findFirst()
                      .orElseThrow()
                      .name()
                  + "' lists no scenarios, but other phases do: in a run of several scenarios, give"
                  + " each phase its scenarios:");
    }
    return phases;
  }

  static Phase phase(YamlNode node, String defaultName, ConfigReader r) {
    return phase(
        node, defaultName, r, new PhaseReading(false, SCENARIO_FIELDS, new LinkedHashMap<>()));
  }

  private static Phase phase(
      YamlNode node, String defaultName, ConfigReader r, PhaseReading reading) {
    Mapping m = r.mapping(node, "a phase: name, duration, users or rate, ...");
    if (m == null) {
      return null;
    }
    checkFields(r, m, PHASE_FIELDS);
    String name = r.string(m.get("name"), defaultName);
    YamlNode durationNode = m.get("duration") != null ? m.get("duration") : m.get("run_time");
    Duration duration = r.duration(durationNode, null);
    long iterations =
        r.integer(m.get("iterations") != null ? m.get("iterations") : m.get("runs"), 0, 0);
    Mapping scenarioNodes =
        r.mapping(m.get("scenarios"), "the phase's scenarios by name: {browse: {users: 10, ...}}");
    boolean several = scenarioNodes != null;
    if (several && scenarioNodes.fields().isEmpty()) {
      r.problems()
          .add(scenarioNodes, "lists no scenario; give at least one, or leave scenarios out");
      return null;
    }
    boolean noShape = several && !hasLoad(m);
    LoadShape shape = noShape ? null : shape(m, r, reading.gradual());
    ThinkTime think = pause(m, r, ThinkTime.NONE);
    Duration initial = r.duration(m.get("initial_sleep"), Duration.ZERO);
    Duration expected = r.duration(m.get("expected_interval"), null);
    List<ScenarioLoad> scenarios = new ArrayList<>();
    boolean complete = true;
    if (several) {
      for (Map.Entry<String, YamlNode> e : scenarioNodes.fields().entrySet()) {
        ScenarioLoad s = scenario(e.getKey(), e.getValue(), r, reading);
        if (s == null) {
          complete = false;
        } else {
          if (s.shape() == null && shape == null) {
            r.problems()
                .add(
                    e.getValue(),
                    "says nothing of its load, and neither does phase '"
                        + name
                        + "': give it users, rate or min_concurrency/max_concurrency, or give the"
                        + " phase a load its scenarios share");
            complete = false;
          }
          scenarios.add(s);
        }
      }
    }
    if (shape == null && !noShape || !complete) {
      return null;
    }
    try {
      return new Phase(name, duration, shape, think, initial, iterations, expected, scenarios);
    } catch (IllegalArgumentException e) {
      r.problems().add(m, e.getMessage());
      return null;
    }
  }

  /** A scenario's entry in a phase: its load, kept by name for the readers of what it runs. */
  private static ScenarioLoad scenario(
      String name, YamlNode node, ConfigReader r, PhaseReading reading) {
    Mapping m =
        r.mapping(node, "a scenario's load: users, rate, min_concurrency, weight, think_time, ...");
    if (m == null) {
      return null;
    }
    checkFields(r, m, reading.scenarioFields());
    if (!name.matches("[A-Za-z0-9._-]+")) {
      if (!reading.gradual()) {
        r.problems()
            .add(m, "a scenario name must be letters, digits, '.', '_' or '-', got '" + name + "'");
        return null;
      }
      name = name.strip().replaceAll("[^A-Za-z0-9._-]", "-");
    }
    reading.entries().computeIfAbsent(name, k -> new ArrayList<>()).add(m);
    LoadShape shape = hasLoad(m) ? shape(m, r, reading.gradual()) : null;
    if (hasLoad(m) && shape == null) {
      return null;
    }
    YamlNode its = m.get("iterations") != null ? m.get("iterations") : m.get("runs");
    long iterations = its == null ? ScenarioLoad.PHASE_ITERATIONS : r.integer(its, 0, 0);
    ThinkTime think = pause(m, r, null);
    Duration initial = r.duration(m.get("initial_sleep"), null);
    Duration expected = r.duration(m.get("expected_interval"), null);
    double weight = r.number(m.get("weight"), 1, Double.MIN_VALUE);
    try {
      return new ScenarioLoad(name, shape, think, initial, iterations, expected, weight);
    } catch (IllegalArgumentException e) {
      r.problems().add(m, e.getMessage());
      return null;
    }
  }

  private static boolean hasLoad(Mapping m) {
    return m.get("users") != null
        || m.get("rate") != null
        || m.get("max_concurrency") != null
        || m.get("min_concurrency") != null;
  }

  /**
   * @param gradual read as gradual does: no ramp-up values keep the count at min_concurrency, and a
   *     multiplying ramp from 0 starts at 1
   */
  private static LoadShape shape(Mapping m, ConfigReader r, boolean gradual) {
    int kinds =
        (m.get("users") != null ? 1 : 0)
            + (m.get("rate") != null ? 1 : 0)
            + (m.get("max_concurrency") != null || m.get("min_concurrency") != null ? 1 : 0);
    if (kinds != 1) {
      r.problems()
          .add(
              m,
              kinds == 0
                  ? "says nothing of the load: give users (a number, or {from, to} for a ramp),"
                      + " rate (iterations per second, or {from, to}) with max_users, or"
                      + " min_concurrency/max_concurrency steps"
                  : "give only one of users, rate, or min_concurrency/max_concurrency");
      return null;
    }
    try {
      if (m.get("users") != null) {
        YamlNode u = m.get("users");
        if (u instanceof Mapping ramp) {
          r.checkFields(ramp, Set.of("from", "to"));
          return new LoadShape.Ramp(
              (int) r.integer(ramp.get("from"), 0, 0), (int) r.integer(ramp.get("to"), 0, 0));
        }
        return new LoadShape.Constant((int) r.integer(u, 1, 0));
      }
      if (m.get("rate") != null) {
        YamlNode rate = m.get("rate");
        int maxUsers = (int) r.integer(m.get("max_users"), 1000, 1);
        if (rate instanceof Mapping ramp) {
          r.checkFields(ramp, Set.of("from", "to"));
          return new LoadShape.ArrivalRate(
              r.number(ramp.get("from"), 0, 0), r.number(ramp.get("to"), 0, 0), maxUsers);
        }
        double v = r.number(rate, 1, 0);
        return new LoadShape.ArrivalRate(v, v, maxUsers);
      }
      int min = (int) r.integer(m.get("min_concurrency"), 1, 0);
      int max = (int) r.integer(m.get("max_concurrency"), min, 1);
      List<Integer> add = new ArrayList<>();
      for (YamlNode n : r.list(m.get("ramp_up_add"))) {
        add.add((int) r.integer(n, 1, gradual ? 0 : 1));
      }
      List<Double> multiply = new ArrayList<>();
      for (YamlNode n : r.list(m.get("ramp_up_multiply"))) {
        multiply.add(r.number(n, 2, 1));
      }
      if (gradual && add.isEmpty() && multiply.isEmpty()) {
        add.add(0); // gradual's default: no ramp-up, the count stays at min_concurrency
      }
      if (gradual && !multiply.isEmpty() && min == 0) {
        min = 1; // as gradual: multiplying 0 users would never start one
      }
      return new LoadShape.Steps(
          min,
          max,
          add,
          multiply,
          r.durations(m.get("ramp_up_wait")),
          r.bool(m.get("run_once"), false));
    } catch (IllegalArgumentException e) {
      r.problems().add(m, e.getMessage());
      return null;
    }
  }

  /**
   * {@code think_time}, or {@code pace} (iterations on a fixed schedule), or {@code fallback}
   * without either.
   */
  private static ThinkTime pause(Mapping m, ConfigReader r, ThinkTime fallback) {
    YamlNode pace = m.get("pace");
    if (pace == null) {
      return m.get("think_time") == null ? fallback : thinkTime(m.get("think_time"), r);
    }
    if (m.get("think_time") != null) {
      r.problems()
          .add(
              pace,
              "give think_time (a pause after each iteration) or pace (iterations on a fixed"
                  + " schedule), not both");
      return fallback;
    }
    Duration d = r.duration(pace, null);
    if (d == null) {
      return fallback;
    }
    try {
      return new ThinkTime.Pace(d);
    } catch (IllegalArgumentException e) {
      r.problems().add(pace, e.getMessage());
      return fallback;
    }
  }

  private static ThinkTime thinkTime(YamlNode node, ConfigReader r) {
    if (node == null) {
      return ThinkTime.NONE;
    }
    try {
      if (node instanceof Mapping m) {
        r.checkFields(m, Set.of("mean", "variation", "min", "max"));
        if (m.get("mean") != null) {
          return new ThinkTime.Normal(
              r.duration(m.get("mean"), Duration.ZERO), r.number(m.get("variation"), 0.2, 0));
        }
        return new ThinkTime.Uniform(
            r.duration(m.get("min"), Duration.ZERO), r.duration(m.get("max"), Duration.ZERO));
      }
      return new ThinkTime.Constant(r.duration(node, Duration.ZERO));
    } catch (IllegalArgumentException e) {
      r.problems().add(node, e.getMessage());
      return ThinkTime.NONE;
    }
  }
}
