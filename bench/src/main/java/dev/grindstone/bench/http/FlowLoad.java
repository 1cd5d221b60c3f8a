package dev.grindstone.bench.http;

import dev.grindstone.engine.Run;
import dev.grindstone.engine.config.ConfigReader;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.load.HttpFlow;
import dev.grindstone.http.load.HttpFlowScenario;
import dev.grindstone.http.load.HttpRunFiles;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Grindstone's load engine in {@code bench/compare-http.sh --flow}: the path of {@code grindstone
 * run flow.yaml}. A run file's HTTP flow (one step, {@code GET <url>} checked for status 200) is
 * read as the command reads a run file, and run by {@link Run} with {@code users} closed-model
 * virtual users without think time, in one phase of {@code warmupSeconds + seconds}. No console,
 * data log or results folder: the bench's own {@link Sink} samples, at each interval snapshot, the
 * process's CPU time and heap allocation, and keeps the interval's calls, errors and latencies.
 *
 * <p>The measured window is the intervals that start at or after {@code warmupSeconds} from the
 * run's start and before its planned end (the last of them ends at the phase's end, give or take
 * the collector's lag): the requests are their calls (successes and errors), the seconds their
 * lengths, the CPU time and the allocation the difference between the sink's samples at the last of
 * them and at the interval just before the first, so that both ends carry the same lag of the
 * sink's thread. Latencies are those intervals' histograms merged (successful and failed calls, as
 * {@link HttpLoad} times every call). Prints one {@code RESULT key=value ...} line in {@link
 * LoadWindow}'s format.
 *
 * <p>The flow's client has one event loop: a run file cannot set it, and the client's default is
 * one. Its connections per host are {@code users}, so that every user has its own.
 *
 * <p>Options after the four numbers: {@code data-log} also writes the run's data log, as {@code
 * grindstone run} does by default, into a temporary results folder removed at the end; {@code
 * rate=N} makes the phase an open model of {@code N} arrivals per second with at most {@code users}
 * users; {@code pause} puts a {@code pause: 0ms} step before the call, which keeps the flow's
 * iterations on the users' threads (the comparison with stages).
 *
 * <p>Usage: {@code FlowLoad <url> [users=50] [seconds=20] [warmupSeconds=10] [data-log] [rate=N]
 * [pause]}. Loopback targets only.
 */
public final class FlowLoad {
  private FlowLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: FlowLoad <url> [users=50] [seconds=20] [warmupSeconds=10] [data-log] [rate=N]"
              + " [pause]");
      System.exit(2);
    }
    String url = args[0];
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    boolean dataLog = false;
    boolean pause = false;
    int rate = 0;
    for (int i = 4; i < args.length; i++) {
      if (args[i].equals("data-log")) {
        dataLog = true;
      } else if (args[i].equals("pause")) {
        pause = true;
      } else if (args[i].matches("rate=[1-9][0-9]{0,8}")) {
        rate = Integer.parseInt(args[i].substring(5));
      } else {
        System.err.println(
            "FlowLoad's options are data-log, rate=N (N arrivals per second) and pause, not '"
                + args[i]
                + "'");
        System.exit(2);
      }
    }
    if (users < 1 || seconds < 1 || warmup < 0) {
      System.err.println(
          "FlowLoad needs users and seconds of at least 1 and warmupSeconds of at least 0, got "
              + users
              + ", "
              + seconds
              + " and "
              + warmup);
      System.exit(2);
    }
    LoadWindow.requireLoopback("FlowLoad", HttpRequest.get(url).build().host());

    Path results = dataLog ? Files.createTempDirectory("flow-load") : null;
    Plan plan = plan(runFile(url, users, warmup + seconds, rate, pause), results);
    Window window = new Window(warmup * 1000L, (warmup + seconds) * 1000L);
    RunSummary summary;
    try (HttpFlowScenario scenario = new HttpFlowScenario(plan.flow())) {
      Run run = Run.of(plan.config(), scenario).sink(window);
      plan.plugins().forEach(run::plugin);
      summary = run.execute();
    }
    summary.sinkProblems().forEach(p -> System.err.println("FlowLoad: " + p));
    if (results != null) {
      try (var files = Files.walk(results)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    String result =
        window.result(
            " users="
                + users
                + " mode=flow"
                + (rate > 0 ? "+rate=" + rate : "")
                + (pause ? "+pause" : "")
                + (dataLog ? "+data-log" : ""));
    if (result == null) {
      System.exit(1);
    }
    System.out.println(result);
  }

  /**
   * What the run file of {@link #runFile} gives, read as {@code grindstone run flow.yaml} reads a
   * run file of one flow.
   *
   * @param config the run's settings, without a results folder unless the data log is on
   * @param plugins the plug-ins the run file asks for beyond the flow's own
   */
  record Plan(RunConfig config, HttpFlow flow, List<Plugin> plugins) {}

  /** Reads the run file of {@link #runFile}; a problem in it throws, naming its line and field. */
  static Plan plan(String url, int users, int seconds) {
    return plan(runFile(url, users, seconds), null);
  }

  /**
   * The plan of the run file {@code yaml}, with the data log on and written under {@code results}
   * when it is not null; a problem in it throws, naming its line and field.
   */
  static Plan plan(String yaml, Path results) {
    RunYaml.Loaded loaded =
        RunYaml.load(
            new StringReader(yaml),
            "flow-load.yaml",
            Path.of("").toAbsolutePath(),
            HttpRunFiles.extraFields(),
            HttpRunFiles.SCENARIO_FIELDS);
    ConfigReader reader = loaded.reader();
    List<Plugin> plugins = HttpRunFiles.plugins(loaded.root(), reader);
    HttpFlow flow = HttpFlow.read(loaded.root(), loaded.directory(), reader);
    reader.problems().throwIfAny();
    // No results folder unless asked for: by default a run writes one under ./results.
    RunConfig.Builder config =
        results == null
            ? loaded.config().outputRoot(null)
            : loaded.config().outputRoot(results).dataLog(true);
    return new Plan(config.build(), flow, plugins);
  }

  /**
   * The run file: one request checked for status 200, made by {@code users} users in a loop for
   * {@code seconds}, over a client with a connection per user and the request timeout of {@link
   * HttpLoad}. The URL is a double-quoted YAML string, escaped as JSON (a subset of YAML).
   */
  static String runFile(String url, int users, int seconds) {
    return runFile(url, users, seconds, 0, false);
  }

  /**
   * As {@link #runFile(String, int, int)}; with {@code rate} above 0 an open model of that many
   * arrivals per second and at most {@code users} users, and with {@code pause} a {@code pause:
   * 0ms} step before the call.
   */
  static String runFile(String url, int users, int seconds, int rate, boolean pause) {
    String quoted = "\"" + url.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    String load = rate > 0 ? "rate: %d, max_users: %d".formatted(rate, users) : "users: " + users;
    return """
    name: flow-load
    console: false
    data_log: false
    client: {max_connections: %d, timeout: 10s}
    requests:
      get:
        method: GET
        url: %s
        checks: [{status: 200}]
    flow:
    %s  - {test: 1, request: get, description: GET}
    phases:
      - {name: load, duration: %ds, %s}
    """
        .formatted(users, quoted, pause ? "  - {pause: 0ms}\n" : "", seconds, load);
  }

  /**
   * The bench's sink: samples the process's CPU time and allocation at each interval snapshot and
   * adds up the measured window's intervals. Its methods are called from the sink's thread; {@link
   * #result} from the main thread once the run has ended (synchronized: they hand over through the
   * monitor).
   */
  static final class Window implements Sink {
    private final long fromMillis;
    private final long untilMillis;
    private long runStartEpochMillis;
    private long nextSequence;
    private long missed;
    private long previousCpuTicks;
    private long previousAllocated;
    private long cpuTicks0;
    private long allocated0;
    private long cpuTicks1;
    private long allocated1;
    private int intervals;
    private long requests;
    private long errors;
    private long millis;
    private final Histogram latencies = Histograms.newHistogram();

    /**
     * @param fromMillis the window's first interval starts at or after this, in ms since the start
     * @param untilMillis the window's intervals start before this, in ms since the start
     */
    Window(long fromMillis, long untilMillis) {
      this.fromMillis = fromMillis;
      this.untilMillis = untilMillis;
    }

    @Override
    public synchronized void start(RunInfo run) throws Exception {
      runStartEpochMillis = run.startEpochMillis();
      previousCpuTicks = LoadWindow.cpuTicks();
      previousAllocated = LoadWindow.allocatedBytes();
    }

    @Override
    public synchronized void interval(IntervalSnapshot s) throws Exception {
      long cpu = LoadWindow.cpuTicks();
      long allocated = LoadWindow.allocatedBytes();
      // A sink that falls behind misses snapshots: the window's sums would lack their calls.
      missed += s.sequence() - nextSequence;
      nextSequence = s.sequence() + 1;
      long start = s.startEpochMillis() - runStartEpochMillis;
      if (start >= fromMillis && start < untilMillis) {
        if (intervals == 0) {
          cpuTicks0 = previousCpuTicks;
          allocated0 = previousAllocated;
        }
        intervals++;
        TestFigures totals = s.totals();
        requests += totals.tests() + totals.errors();
        errors += totals.errors();
        millis += s.lengthMillis();
        latencies.add(totals.successes());
        latencies.add(totals.failures());
        cpuTicks1 = cpu;
        allocated1 = allocated;
      }
      previousCpuTicks = cpu;
      previousAllocated = allocated;
    }

    @Override
    public String name() {
      return "flow-load window";
    }

    /**
     * The {@code RESULT} line, or null (with the reason on standard error) when the window cannot
     * be measured.
     */
    synchronized String result(String extra) {
      if (missed > 0) {
        System.err.println(
            "FlowLoad: the bench's sink missed "
                + missed
                + " interval snapshots, so the window's figures would lack their calls");
        return null;
      }
      if (intervals == 0 || millis == 0) {
        System.err.println(
            "FlowLoad: no interval started between "
                + fromMillis
                + " and "
                + untilMillis
                + " ms after the run's start: nothing was measured");
        return null;
      }
      return LoadWindow.result(
          requests,
          errors,
          millis / 1000.0,
          cpuTicks1 - cpuTicks0,
          allocated0 >= 0 && allocated1 >= 0 ? allocated1 - allocated0 : -1,
          latencies,
          extra + " intervals=" + intervals);
    }
  }
}
