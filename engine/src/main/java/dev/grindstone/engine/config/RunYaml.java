package dev.grindstone.engine.config;

import dev.grindstone.engine.config.YamlNode.Mapping;
import dev.grindstone.engine.run.JdbcListenerConfig;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.SinkRetry;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.run.Threshold;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
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
 * </pre>
 */
public final class RunYaml {

  static final Set<String> RUN_FIELDS = Set.of("name", "scenario", "period", "wait_between_phases", "phases",
      "thresholds", "data_log", "graceful_stop", "console", "listeners", "sink_retry");
  static final Set<String> LISTENER_FIELDS = Set.of("name", "jdbc", "table", "batch_size", "user", "password_env");
  static final Set<String> SINK_RETRY_FIELDS = Set.of("max_consecutive_failures", "backoff", "max_backoff");
  static final Set<String> PHASE_FIELDS = Set.of("name", "duration", "run_time", "users", "rate", "max_users",
      "min_concurrency", "max_concurrency", "ramp_up_add", "ramp_up_multiply", "ramp_up_wait", "run_once",
      "think_time", "initial_sleep", "iterations", "runs", "expected_interval", "pace");

  /**
   * What a run file holds.
   *
   * @param config the run's settings (phases, thresholds, ...), to complete and build
   * @param scenario the {@code scenario:} entry, or null
   * @param root the whole document, for readers of the extra fields
   * @param directory the file's folder, against which relative paths resolve
   */
  public record Loaded(RunConfig.Builder config, String scenario, Mapping root, Path directory, ConfigReader reader) {}

  private RunYaml() {}

  /**
   * Reads {@code file}. {@code extraFields} are top-level fields another reader handles (for
   * example the HTTP plug-in's {@code requests} and {@code flow}); problems found by that reader
   * should go to {@link Loaded#reader()} before {@code reader().problems().throwIfAny()}.
   */
  public static Loaded load(Path file, Set<String> extraFields) {
    String text = ConfigText.utf8(file, "run file");
    return load(new java.io.StringReader(text), file.getFileName().toString(),
        file.toAbsolutePath().getParent(), extraFields);
  }

  public static Loaded load(Reader reader, String fileName, Path directory, Set<String> extraFields) {
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
    Set<String> known = new HashSet<>(RUN_FIELDS);
    known.addAll(extraFields);
    r.checkFields(root, known);

    String name = r.string(root.get("name"), fileName.replaceAll("\\.(ya?ml|json)$", ""));
    if (!name.matches("[A-Za-z0-9._-]+")) {
      YamlNode at = root.get("name") == null ? root : root.get("name");
      problems.add(at, "a run name must be letters, digits, '.', '_' or '-' (it names the results folder), got '"
          + name + "'");
      name = "run";
    }
    RunConfig.Builder b = RunConfig.builder(name);
    Duration period = r.duration(root.get("period"), Duration.ofSeconds(1));
    if (period.toMillis() < 10) {
      problems.add(root.get("period"), "the collection period must be at least 10ms");
    } else {
      b.period(period);
    }
    b.waitBetweenPhases(r.duration(root.get("wait_between_phases"), Duration.ZERO));
    b.gracefulStop(r.duration(root.get("graceful_stop"), Duration.ofSeconds(10)));
    b.dataLog(r.bool(root.get("data_log"), true));
    b.console(r.bool(root.get("console"), true));
    for (YamlNode t : r.list(root.get("thresholds"))) {
      String text = t instanceof Mapping m ? thresholdText(m, r) : r.string(t, null);
      if (text != null) {
        try {
          b.threshold(text);
        } catch (BadInputException e) {
          problems.add(t, e.getMessage());
        }
      }
    }
    b.phases(phases(root, r));
    for (YamlNode l : r.list(root.get("listeners"))) {
      JdbcListenerConfig listener = listener(l, r, directory);
      if (listener != null) {
        b.jdbcListener(listener);
      }
    }
    Mapping retry = r.mapping(root.get("sink_retry"), "sink_retry: max_consecutive_failures, backoff, max_backoff");
    if (retry != null) {
      r.checkFields(retry, SINK_RETRY_FIELDS);
      SinkRetry d = SinkRetry.DEFAULT;
      try {
        b.sinkRetry(new SinkRetry((int) r.integer(retry.get("max_consecutive_failures"), d.maxConsecutiveFailures(), 1),
            r.duration(retry.get("backoff"), d.firstBackoff()), r.duration(retry.get("max_backoff"), d.maxBackoff())));
      } catch (IllegalArgumentException e) {
        problems.add(retry, e.getMessage());
      }
    }
    String scenario = r.string(root.get("scenario"), null);
    if (scenario != null) {
      checkScenario(root.get("scenario"), scenario, fileName, directory, problems);
    }
    return new Loaded(b, scenario, root, directory, r);
  }

  static final Set<String> THRESHOLD_FIELDS = Set.of("threshold", "phase", "test", "abort_on_fail",
      "delay_abort_eval");

  /**
   * A threshold written as a mapping, k6's object form: {@code {threshold: "p99[30s]<500ms",
   * phase: steady, abort_on_fail: true, delay_abort_eval: 10s}}, as the text form says it.
   */
  private static String thresholdText(Mapping m, ConfigReader r) {
    r.checkFields(m, THRESHOLD_FIELDS);
    String rule = r.string(m.get("threshold"), null);
    if (rule == null) {
      r.problems().add(m, "a threshold mapping needs 'threshold', the rule (e.g. threshold: \"p99<500ms\")");
      return null;
    }
    StringBuilder text = new StringBuilder();
    if (m.get("test") != null) {
      text.append("test ").append(r.integer(m.get("test"), 0, 0)).append(": ");
    }
    if (m.get("phase") != null) {
      text.append("phase '").append(r.string(m.get("phase"), "")).append("': ");
    }
    text.append(rule);
    boolean abort = r.bool(m.get("abort_on_fail"), false);
    if (abort) {
      text.append(" abort_on_fail");
    }
    if (m.get("delay_abort_eval") != null) {
      Duration delay = r.duration(m.get("delay_abort_eval"), Duration.ZERO);
      if (!abort) {
        r.problems().add(m.get("delay_abort_eval"), "delays abort_on_fail: add abort_on_fail: true, or drop it");
        return null;
      }
      text.append(" delay_abort_eval=").append(delay.toMillis()).append("ms");
    }
    return text.toString();
  }

  /**
   * A call listener: {@code {name: db, jdbc: URL, table: calls, batch_size: 500, user: u, password_env: VAR}}.
   * A relative SQLite file resolves against the run file's folder.
   */
  private static JdbcListenerConfig listener(YamlNode node, ConfigReader r, Path directory) {
    Mapping m = r.mapping(node, "a call listener: name, jdbc, table, batch_size, user, password_env");
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
      if (!file.isEmpty() && !file.startsWith(":") && !file.startsWith("file:") && !Path.of(file).isAbsolute()) {
        url = sqlite + directory.resolve(file).normalize();
      }
    }
    String password = null;
    String variable = r.string(m.get("password_env"), null);
    if (variable != null) {
      password = System.getenv(variable);
      if (password == null) {
        r.problems().add(m.get("password_env"), "the environment variable " + variable + " is not set; set it to"
            + " the database password, or leave password_env out");
        return null;
      }
    }
    try {
      return new JdbcListenerConfig(r.string(m.get("name"), "jdbc"), url, r.string(m.get("user"), null), password,
          r.string(m.get("table"), "calls"),
          (int) r.integer(m.get("batch_size"), JdbcListenerConfig.DEFAULT_BATCH, 1));
    } catch (IllegalArgumentException e) {
      r.problems().add(m, e.getMessage());
      return null;
    }
  }

  /** A scenario file must exist next to the run file, and a class on the class path. */
  private static void checkScenario(YamlNode at, String scenario, String fileName, Path directory,
      ConfigProblems problems) {
    if (scenario.endsWith(".java")) {
      if (directory != null && !Files.isRegularFile(directory.resolve(scenario))) {
        problems.add(at, "there is no file " + directory.resolve(scenario).normalize() + "; give a .java file"
            + " relative to " + fileName + "'s folder, or a scenario class name");
      }
      return;
    }
    try {
      Class.forName(scenario, false, RunYaml.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      problems.add(at, "there is no class " + scenario + " on the class path; give a .java file (Checkout.java)"
          + " or a fully qualified class name");
    }
  }

  static List<Phase> phases(Mapping root, ConfigReader r) {
    YamlNode node = root.get("phases");
    List<Phase> phases = new ArrayList<>();
    if (node == null) {
      r.problems().add(root.line(), root.column(), "phases", "is required: list the phases, e.g."
          + " phases: [{name: hold, duration: 30s, users: 10}]");
      return phases;
    }
    if (node instanceof Mapping byName) {
      // gradual's form: phases: {phase1: {run_time: 10, ...}}
      for (Map.Entry<String, YamlNode> e : byName.fields().entrySet()) {
        Phase p = phase(e.getValue(), e.getKey(), r);
        if (p != null) {
          phases.add(p);
        }
      }
    } else {
      int i = 0;
      for (YamlNode n : r.list(node)) {
        Phase p = phase(n, "phase " + ++i, r);
        if (p != null) {
          phases.add(p);
        }
      }
    }
    if (phases.isEmpty() && r.problems().isEmpty()) {
      r.problems().add(node, "needs at least one phase");
    }
    return phases;
  }

  static Phase phase(YamlNode node, String defaultName, ConfigReader r) {
    Mapping m = r.mapping(node, "a phase: name, duration, users or rate, ...");
    if (m == null) {
      return null;
    }
    r.checkFields(m, PHASE_FIELDS);
    String name = r.string(m.get("name"), defaultName);
    YamlNode durationNode = m.get("duration") != null ? m.get("duration") : m.get("run_time");
    Duration duration = r.duration(durationNode, null);
    long iterations = r.integer(m.get("iterations") != null ? m.get("iterations") : m.get("runs"), 0, 0);
    LoadShape shape = shape(m, r);
    ThinkTime think = thinkTime(m.get("think_time"), r);
    Duration initial = r.duration(m.get("initial_sleep"), Duration.ZERO);
    Duration expected = r.duration(m.get("expected_interval"), null);
    Duration pace = r.duration(m.get("pace"), null);
    if (shape == null) {
      return null;
    }
    try {
      return new Phase(name, duration, shape, think, initial, iterations, expected, pace);
    } catch (IllegalArgumentException e) {
      r.problems().add(m, e.getMessage());
      return null;
    }
  }

  private static LoadShape shape(Mapping m, ConfigReader r) {
    int kinds = (m.get("users") != null ? 1 : 0) + (m.get("rate") != null ? 1 : 0)
        + (m.get("max_concurrency") != null || m.get("min_concurrency") != null ? 1 : 0);
    if (kinds != 1) {
      r.problems().add(m, kinds == 0
          ? "says nothing of the load: give users (a number, or {from, to} for a ramp), rate (iterations per"
              + " second, or {from, to}) with max_users, or min_concurrency/max_concurrency steps"
          : "give only one of users, rate, or min_concurrency/max_concurrency");
      return null;
    }
    try {
      if (m.get("users") != null) {
        YamlNode u = m.get("users");
        if (u instanceof Mapping ramp) {
          r.checkFields(ramp, Set.of("from", "to"));
          return new LoadShape.Ramp((int) r.integer(ramp.get("from"), 0, 0), (int) r.integer(ramp.get("to"), 0, 0));
        }
        return new LoadShape.Constant((int) r.integer(u, 1, 0));
      }
      if (m.get("rate") != null) {
        YamlNode rate = m.get("rate");
        int maxUsers = (int) r.integer(m.get("max_users"), 1000, 1);
        if (rate instanceof Mapping ramp) {
          r.checkFields(ramp, Set.of("from", "to"));
          return new LoadShape.ArrivalRate(r.number(ramp.get("from"), 0, 0), r.number(ramp.get("to"), 0, 0), maxUsers);
        }
        double v = r.number(rate, 1, 0);
        return new LoadShape.ArrivalRate(v, v, maxUsers);
      }
      int min = (int) r.integer(m.get("min_concurrency"), 1, 0);
      int max = (int) r.integer(m.get("max_concurrency"), min, 1);
      List<Integer> add = new ArrayList<>();
      for (YamlNode n : r.list(m.get("ramp_up_add"))) {
        add.add((int) r.integer(n, 1, 1));
      }
      List<Double> multiply = new ArrayList<>();
      for (YamlNode n : r.list(m.get("ramp_up_multiply"))) {
        multiply.add(r.number(n, 2, 1));
      }
      return new LoadShape.Steps(min, max, add, multiply, r.durations(m.get("ramp_up_wait")),
          r.bool(m.get("run_once"), false));
    } catch (IllegalArgumentException e) {
      r.problems().add(m, e.getMessage());
      return null;
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
          return new ThinkTime.Normal(r.duration(m.get("mean"), Duration.ZERO), r.number(m.get("variation"), 0.2, 0));
        }
        return new ThinkTime.Uniform(r.duration(m.get("min"), Duration.ZERO), r.duration(m.get("max"), Duration.ZERO));
      }
      return new ThinkTime.Constant(r.duration(node, Duration.ZERO));
    } catch (IllegalArgumentException e) {
      r.problems().add(node, e.getMessage());
      return ThinkTime.NONE;
    }
  }
}
