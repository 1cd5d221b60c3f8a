package dev.grindstone.junit;

import dev.grindstone.junit.internal.CiInfo;
import dev.grindstone.junit.internal.CpuClock;
import dev.grindstone.junit.internal.LocalWriter;
import dev.grindstone.junit.internal.MemorySampler;
import dev.grindstone.junit.internal.Names;
import dev.grindstone.junit.internal.Py;
import dev.grindstone.junit.internal.RemoteSender;
import dev.grindstone.junit.internal.ScmRevision;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * The JUnit Platform listener that measures every test's wall time, CPU time, memory, allocation
 * and GC time, and stores them in pytest-monitor's schema (a local SQLite file) and/or sends them
 * to a metrics server over pytest-monitor's protocol. Registered through {@code ServiceLoader}:
 * having the jar on the test class path is enough. See {@link MonitorConfig} for the settings.
 *
 * <p>Method rows measure the thread that runs the test (JUnit Jupiter runs a test's body, its
 * {@code @BeforeEach} and {@code @AfterEach} on the thread that reports it started); work the test
 * hands to other threads counts in the memory figure but not in CPU time or allocation. Class rows
 * measure the whole process while the class runs, as pytest-monitor's module rows do.
 *
 * <p>Never fails or fails a test: a problem with the configuration, the file or the server is
 * printed once to standard error and monitoring carries on with what still works. Thread-safe:
 * tests may run in parallel.
 */
public final class MonitorListener implements TestExecutionListener {
  private static final String WARNING_PREFIX = "[grindstone-monitor] WARNING: ";

  private final Clock clock;
  private final Map<String, String> env;
  private final Consumer<String> warn;
  private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

  private volatile Run run;

  /** Used by {@code ServiceLoader}: the system clock, environment and standard error. */
  public MonitorListener() {
    this(Clock.systemDefaultZone(), System.getenv(), m -> System.err.println(WARNING_PREFIX + m));
  }

  /**
   * For tests and embedding.
   *
   * @param clock gives the run date and each test's start time (its zone makes them local)
   * @param env environment variables to read CI information from
   * @param warn receives each warning, one line each
   */
  public MonitorListener(Clock clock, Map<String, String> env, Consumer<String> warn) {
    this.clock = clock;
    this.env = Map.copyOf(env);
    this.warn = warn;
  }

  /** State of one test plan execution (one pytest-monitor session). */
  private record Run(
      MonitorConfig config,
      TestPlan plan,
      String sessionH,
      String contextH,
      CpuClock cpu,
      MemorySampler memory,
      LocalWriter local,
      RemoteSender remote) {}

  private record InFlight(
      long startNanos,
      String startTime,
      long threadId,
      Usage usage,
      long gcMillis,
      long gcCount,
      MemorySampler.Probe probe) {}

  /**
   * CPU (total and user, -1 when unknown) and allocated bytes of the process or the thread so far.
   */
  private record Usage(long cpuNanos, long userNanos, long allocatedBytes) {
    static Usage of(CpuClock cpu, boolean process) {
      if (process) {
        long[] p = cpu.processCpuNanos();
        return new Usage(p[0] < 0 ? -1 : p[0] + p[1], p[0], cpu.processAllocatedBytes());
      }
      long total = cpu.threadCpuNanos();
      return new Usage(total, cpu.threadUserNanos(total), cpu.threadAllocatedBytes());
    }
  }

  @Override
  public void testPlanExecutionStarted(TestPlan plan) {
    MonitorConfig config;
    try {
      config = MonitorConfig.from(plan.getConfigurationParameters()::get);
    } catch (IllegalArgumentException e) {
      warn.accept(e.getMessage() + "; tests run without monitoring");
      return;
    }
    if (!config.enabled()) return;
    try {
      ExecutionContext context = ExecutionContext.detect();
      MonitorSession session =
          MonitorSession.of(
              LocalDateTime.now(clock),
              ScmRevision.of(Path.of("")),
              config.description(),
              CiInfo.from(env),
              config.tags());
      MemorySampler memory = new MemorySampler(config.sampleInterval());
      LocalWriter local =
          config.file().map(f -> new LocalWriter(f, context, session, warn)).orElse(null);
      RemoteSender remote =
          config
              .server()
              .map(
                  u ->
                      new RemoteSender(
                          u, config.serverTimeout(), config.keepGoing(), warn, context, session))
              .orElse(null);
      inFlight.clear();
      run =
          new Run(
              config, plan, session.hash(), context.hash(), new CpuClock(), memory, local, remote);
    } catch (RuntimeException | LinkageError e) {
      warn.accept("cannot start monitoring (" + e + "); tests run without it");
    }
  }

  @Override
  public void executionStarted(TestIdentifier id) {
    Run r = run;
    if (r == null) return;
    boolean isClass = isClassRow(r, id);
    if (!isClass && !(id.isTest() && r.config().scopes().contains(MonitorConfig.Kind.METHOD)))
      return;
    CpuClock cpu = r.cpu();
    long gcMillis = cpu.gcMillis();
    long gcCount = cpu.gcCount();
    Usage usage = Usage.of(cpu, isClass);
    MemorySampler.Probe probe = r.memory().begin();
    String start = Py.isoformat(LocalDateTime.now(clock));
    inFlight.put(
        id.getUniqueId(),
        new InFlight(
            System.nanoTime(),
            start,
            Thread.currentThread().threadId(),
            usage,
            gcMillis,
            gcCount,
            probe));
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    InFlight f = inFlight.remove(id.getUniqueId());
    Run r = run;
    if (f == null || r == null) return;
    long wallNanos = System.nanoTime() - f.startNanos();
    boolean isClass = isClassRow(r, id);
    CpuClock cpu = r.cpu();
    Usage start = f.usage();
    Usage end =
        isClass || Thread.currentThread().threadId() == f.threadId()
            ? Usage.of(cpu, isClass)
            // Reported from another thread than it started on: thread figures would be meaningless.
            : new Usage(-1, -1, start.allocatedBytes());
    double memMiB = r.memory().endMiB(f.probe());
    long gcMillis = cpu.gcMillis() - f.gcMillis();
    long gcCount = cpu.gcCount() - f.gcCount();
    if (result.getStatus() == TestExecutionResult.Status.ABORTED)
      return; // skipped, as pytest-monitor does

    double wall = wallNanos / 1e9;
    double total =
        (end.cpuNanos() < 0 || start.cpuNanos() < 0)
            ? 0
            : Math.max(0, end.cpuNanos() - start.cpuNanos()) / 1e9;
    double user =
        (end.userNanos() < 0 || start.userNanos() < 0)
            ? 0
            : Math.max(0, end.userNanos() - start.userNanos()) / 1e9;
    user = Math.min(user, total);
    double kernel = total - user;
    double usage = wall > 0 ? (user + kernel) / wall : 0;

    Names.Item names =
        isClass
            ? Names.ofClass((ClassSource) id.getSource().orElseThrow())
            : Names.ofTest(r.plan(), id);
    TestMetric m =
        new TestMetric(
            r.sessionH(),
            r.contextH(),
            f.startTime(),
            names.itemPath(),
            names.item(),
            names.itemVariant(),
            names.itemFsLoc(),
            isClass
                ? MonitorConfig.Kind.CLASS.pytestKind()
                : MonitorConfig.Kind.METHOD.pytestKind(),
            r.config().component(),
            wall,
            user,
            kernel,
            usage,
            memMiB,
            result.getStatus().name(),
            Math.max(0, end.allocatedBytes() - start.allocatedBytes()),
            gcMillis / 1000.0,
            gcCount,
            id.getUniqueId());
    if (r.local() != null) r.local().add(m);
    if (r.remote() != null) r.remote().offer(m);
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    Run r = run;
    run = null;
    if (r == null) return;
    inFlight.clear();
    r.memory().close();
    if (r.remote() != null) r.remote().close(r.config().serverTimeout().multipliedBy(3));
    if (r.local() != null) r.local().close(Duration.ofSeconds(60));
  }

  private static boolean isClassRow(Run r, TestIdentifier id) {
    return id.isContainer()
        && r.config().scopes().contains(MonitorConfig.Kind.CLASS)
        && id.getSource().filter(s -> s instanceof ClassSource).isPresent();
  }
}
