package dev.grindstone.engine.internal;

import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.StagedScenario;
import dev.grindstone.engine.VirtualUser;
import dev.grindstone.engine.analyze.DataLogFormat;
import dev.grindstone.engine.run.JdbcListenerConfig;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.PlanPoint;
import dev.grindstone.engine.run.Reservation;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.Shard;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.run.UserShare;
import dev.grindstone.engine.sink.JdbcCallListener;
import dev.grindstone.engine.sink.OutputHealth;
import dev.grindstone.engine.sink.ResultsFolder;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.engine.sink.Sink;
import dev.grindstone.engine.spi.CallListener;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.PluginListener;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.latency.LatencyRecorder;
import dev.grindstone.stats.results.TestFigures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Runs one load test: starts the collector, the data-log writer and the sinks, drives the phases
 * (starting and stopping virtual users, or starting iterations on an arrival schedule), and at the
 * end (or on {@link #requestStop()}) drains everything and builds the summary.
 */
public final class RunEngine {

  /**
   * What virtual users need to know of the phase in force.
   *
   * @param counted where a user of an agent takes each iteration of a phase bounded by iterations
   *     (see {@link #iterationCounts}), or null
   */
  record PhaseState(
      int index,
      String name,
      ThinkTime thinkTime,
      Duration initialSleep,
      long iterations,
      long expectedIntervalMicros,
      Reservation counted) {

    /**
     * Takes one of the phase's iterations of this agent's index: false when they are all taken,
     * earlier attempts' included. Always true without {@link #counted}.
     */
    boolean takeIteration() {
      return counted == null || counted.tryTake() < counted.end();
    }
  }

  private static final int MAX_FAILURE_KINDS = 50;

  /**
   * One of the run's scenarios and what runs it: its users, the phase settings they follow, how
   * many are active. A run of one scenario has one slot, named null.
   */
  static final class Slot {
    final int index;
    final String name;
    final Scenario scenario;

    /** Closed-model users, newest last; guarded by the slot. */
    final List<UserThread> users = new ArrayList<>();

    final AtomicInteger usersDoneWithPhase = new AtomicInteger();
    volatile PhaseState phase = new PhaseState(-1, "", ThinkTime.NONE, Duration.ZERO, 0, 0, null);
    volatile int activeUsers;

    /** The most users the scenario had active at once. */
    final AtomicInteger peakUsers = new AtomicInteger();

    /** The thread driving the slot's load in the current phase, woken when users are done. */
    volatile Thread driver;

    /** Which of the scenario's users run on this agent (all of them in one process). */
    UserShare share = new UserShare(Shard.WHOLE);

    /** Arrivals made so far in the current open-model phase, over every agent's numbering. */
    int arrivalUsers;

    Slot(int index, String name, Scenario scenario) {
      this.index = index;
      this.name = name;
      this.scenario = scenario;
    }

    void active(int users) {
      activeUsers = users;
      peakUsers.accumulateAndGet(users, Math::max);
    }
  }

  private final RunConfig config;
  private final Scenario scenario;
  private final List<Slot> slots;
  private final List<Function<RunInfo, List<Sink>>> defaultSinks;
  private final List<Sink> sinks = new CopyOnWriteArrayList<>();
  private final List<Plugin> plugins = new CopyOnWriteArrayList<>();
  private final List<CallListener> callListeners = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<String> problems = new CopyOnWriteArrayList<>();
  private final Set<String> listenerFaults = ConcurrentHashMap.newKeySet();
  private volatile List<Listener> listeners = List.of();
  private volatile boolean started;
  private volatile boolean stopping;
  private volatile boolean interrupted;
  private volatile RunSummary.ThresholdAbort abort;
  private volatile Thread controller;

  /** Every thread running a user's code now: closed-model users, arrivals and waves. */
  private final Set<Thread> running = ConcurrentHashMap.newKeySet();

  /** Open-model arrivals in flight as stages, with no thread ({@link ArrivalUser#startStaged}). */
  private final AtomicInteger stagedArrivals = new AtomicInteger();

  private final LatencyRecorder lateness = new LatencyRecorder();
  private final AtomicLong lateStarts = new AtomicLong();
  private final AtomicLong droppedStarts = new AtomicLong();
  private final AtomicLong skippedPacedStarts = new AtomicLong();
  private final ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Object phaseChange = new Object();
  private Shard shard = Shard.WHOLE;
  private Instant startAt;
  private boolean join;

  /**
   * By phase and slot, the iterations of this agent's index in closed-model phases bounded by
   * iterations ({@link #iterationCounts}); null when they are not counted (a single process).
   */
  private Reservation[][] counts;

  /** Where a run that joins late takes the plan up, or null; set once before the load starts. */
  private PlanPoint joinPoint;

  private long joinNanos;

  private volatile Recording recording;
  private volatile TimerWheel timer;
  private Collector collector;
  private RunInfo info;

  /**
   * @param defaultSinks makes the built-in sinks (console, files) once the run's info is known
   */
  public RunEngine(
      RunConfig config, Scenario scenario, List<Function<RunInfo, List<Sink>>> defaultSinks) {
    this.config = config;
    this.scenario = scenario;
    this.slots = List.of(new Slot(0, null, scenario));
    this.defaultSinks = defaultSinks;
  }

  /**
   * A run of several named scenarios, which its phases run by name.
   *
   * @param scenarios every scenario the phases name, by name, in the order results show them
   */
  public RunEngine(
      RunConfig config,
      Map<String, ? extends Scenario> scenarios,
      List<Function<RunInfo, List<Sink>>> defaultSinks) {
    this.config = config;
    List<Slot> list = new ArrayList<>();
    for (Map.Entry<String, ? extends Scenario> e : scenarios.entrySet()) {
      list.add(new Slot(list.size(), e.getKey(), Objects.requireNonNull(e.getValue(), e.getKey())));
    }
    this.slots = List.copyOf(list);
    this.scenario = slots.getFirst().scenario;
    this.defaultSinks = defaultSinks;
  }

  /** The names of the run's scenarios, in order; empty for a run of one unnamed scenario. */
  List<String> scenarioNames() {
    return slots.getFirst().name == null ? List.of() : slots.stream().map(s -> s.name).toList();
  }

  private Slot slot(String name) {
    for (Slot s : slots) {
      if (Objects.equals(s.name, name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("No scenario is called '" + name + "'");
  }

  private int activeUsers() {
    int n = 0;
    for (Slot s : slots) {
      n += s.activeUsers;
    }
    return n;
  }

  /**
   * Adds a sink: it gets the run's snapshots and summary after the built-in ones. Before {@link
   * #execute} only.
   */
  public void addSink(Sink sink) {
    if (started) {
      throw new IllegalStateException("The run has started: add sinks before it executes");
    }
    sinks.add(Objects.requireNonNull(sink, "sink"));
  }

  /**
   * Runs only {@code shard}'s part of the plan (see {@link Shard}): its users, keeping their
   * single-process numbers, and its arrivals. Before {@link #execute} only.
   */
  public void shard(Shard shard) {
    if (started) {
      throw new IllegalStateException("The run has started: set its shard before it executes");
    }
    if (counts != null) {
      throw new IllegalStateException("Set the run's shard before its iterations are counted");
    }
    this.shard = Objects.requireNonNull(shard, "shard");
    for (Slot s : slots) {
      s.share = new UserShare(shard);
    }
  }

  /**
   * Counts, on an agent of a distributed run, the iterations its users start in each closed-model
   * phase bounded by iterations (no duration) whose number of users is fixed ({@code users} or a
   * ramp): its share of the phase's iterations, {@code users × iterations} of its users, is a
   * sequence its index's attempts share. An agent reports each count to its coordinator and starts
   * it where its index's older attempts left it, so a replacement that joins in such a phase runs
   * only the iterations its index has not started. Its users then take those between them, each at
   * most the phase's iterations. After {@link #shard}, before {@link #execute}.
   *
   * @return one count per such phase and scenario, in the plan's order, keyed {@code iterations of
   *     phase <n> '<name>'} (and {@code of scenario '<name>'})
   */
  public List<Reservation> iterationCounts() {
    if (started) {
      throw new IllegalStateException("The run has started: count its iterations before");
    }
    if (counts == null) {
      List<Phase> phases = config.phases();
      counts = new Reservation[phases.size()][slots.size()];
      for (int i = 0; i < phases.size(); i++) {
        Phase p = phases.get(i);
        if (p.duration() != null) {
          continue;
        }
        for (Phase.Load load : p.loads()) {
          if (load.iterations() <= 0
              || !(load.shape() instanceof LoadShape.Constant
                  || load.shape() instanceof LoadShape.Ramp)) {
            continue; // time bounds it, or its users change as it goes (gradual's steps, waves)
          }
          Slot slot = slot(load.scenario());
          long users = shard.share(load.of(load.shape().usersAt(Duration.ZERO, Duration.ZERO)));
          long all =
              users == 0
                  ? 0
                  : load.iterations() > Long.MAX_VALUE / users
                      ? Long.MAX_VALUE
                      : users * load.iterations();
          counts[i][slot.index] =
              Reservation.counted(
                  "iterations of phase "
                      + (i + 1)
                      + " '"
                      + p.name()
                      + "'"
                      + (slot.name == null ? "" : " of scenario '" + slot.name + "'"),
                  all);
        }
      }
    }
    List<Reservation> list = new ArrayList<>();
    for (Reservation[] phase : counts) {
      for (Reservation r : phase) {
        if (r != null) {
          list.add(r);
        }
      }
    }
    return list;
  }

  /**
   * Starts the run's clock at {@code at} (this process's wall clock) instead of once the set-up is
   * done: {@link #execute} prepares everything first (output folder, data log, listeners, sinks,
   * collector) and then waits, so the first users' intended start is {@code at} itself. When {@code
   * at} has passed, the run's clock still starts at {@code at} (so that its intervals and phases
   * keep time with those of runs started at {@code at} elsewhere) and its load starts at once,
   * behind: arrivals planned before now start at once and count as late starts. Before {@link
   * #execute} only.
   */
  public void startAt(Instant at) {
    if (started) {
      throw new IllegalStateException("The run has started: set its start time before it executes");
    }
    this.startAt = Objects.requireNonNull(at, "at");
    this.join = false;
  }

  /**
   * Joins a run that started at {@code at} (this process's wall clock) elsewhere, as a replacement
   * agent does: as {@link #startAt}, but when {@code at} has passed, the load takes the plan up
   * where it stands once the set-up is done ({@link PlanPoint}) instead of catching up: phases that
   * ended are skipped; the phase going on runs for its remaining time, closed-model users at the
   * count the plan has then, started now, and open-model arrivals from now on at the plan's times
   * (none counts late for the time before); a phase bounded by iterations, which time cannot place,
   * runs from now: the iterations its index has not started when they are counted ({@link
   * #iterationCounts}), else in full; waves of {@code run_once} start again with the first for the
   * phase's remaining time. Intervals keep the start time's grid and numbers. Before {@link
   * #execute} only.
   */
  public void joinAt(Instant at) {
    startAt(at);
    this.join = true;
  }

  /**
   * Adds a call listener: it gets every call's record (or those of the tests that name it). Before
   * {@link #execute} only; names must differ, and a run takes at most 32.
   */
  public void addListener(CallListener listener) {
    if (started) {
      throw new IllegalStateException("The run has started: add call listeners before it executes");
    }
    addTo(callListeners, listener);
  }

  /** How the sinks (so far) and the call listeners fared. */
  private static List<OutputHealth> health(List<SinkWorker> workers, CallListeners calls) {
    List<OutputHealth> outputs = new ArrayList<>();
    workers.forEach(w -> outputs.add(w.health()));
    if (calls != null) {
      outputs.addAll(calls.health());
    }
    return outputs;
  }

  private static void addTo(List<CallListener> list, CallListener listener) {
    Objects.requireNonNull(listener, "listener");
    for (CallListener l : list) {
      if (l.name().equals(listener.name())) {
        throw new IllegalArgumentException(
            "The run already has a call listener named '"
                + listener.name()
                + "'; give each listener a name of its own");
      }
    }
    if (list.size() == 32) {
      throw new IllegalArgumentException(
          "A run takes at most 32 call listeners; '" + listener.name() + "' would be the 33rd");
    }
    list.add(listener);
  }

  /** Adds a plug-in, after the scenario's own. Before {@link #execute} only. */
  public void addPlugin(Plugin plugin) {
    if (started) {
      throw new IllegalStateException("The run has started: add plug-ins before it executes");
    }
    plugins.add(Objects.requireNonNull(plugin, "plugin"));
  }

  /**
   * Asks the run to stop now: users finish their iteration (up to the graceful stop), then the end.
   */
  public void requestStop() {
    interrupted = true;
    stopLoad();
  }

  /**
   * Stops the run because a threshold with {@code abort_on_fail} failed: as {@link #requestStop()},
   * but the run is not marked interrupted, and the summary names the rule. The first call wins.
   */
  void abort(RunSummary.ThresholdAbort why) {
    synchronized (phaseChange) {
      if (abort != null) {
        return;
      }
      abort = why;
    }
    stopLoad();
  }

  private void stopLoad() {
    stopping = true;
    Thread c = controller;
    if (c != null) {
      LockSupport.unpark(c);
    }
    for (Slot s : slots) {
      Thread d = s.driver;
      if (d != null) {
        LockSupport.unpark(d);
      }
    }
    synchronized (phaseChange) {
      phaseChange.notifyAll();
    }
  }

  /** Time since the run started; zero before. */
  public Duration currentRuntime() {
    Recording r = recording;
    return r == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - r.startNanos());
  }

  boolean isStopping() {
    return stopping;
  }

  /** How the scenario's own sleeps are scaled and varied. */
  dev.grindstone.engine.run.ScriptSleep scriptSleep() {
    return config.scriptSleep();
  }

  /** Wakes the run's sleeping users; exists while the run executes. */
  TimerWheel timer() {
    return timer;
  }

  /** Runs the whole test on the calling thread and returns its summary. */
  public RunSummary execute() {
    if (started) {
      throw new IllegalStateException("A run executes once; make another Run to run again");
    }
    started = true;
    controller = Thread.currentThread();
    List<Plugin> all = new ArrayList<>();
    for (Slot s : slots) {
      for (Plugin p : s.scenario.plugins()) {
        if (!all.contains(p)) {
          all.add(p);
        }
      }
    }
    all.addAll(plugins);
    PluginSchema pluginSchema = PluginSchema.of(all);
    StatisticsSchema schema = pluginSchema.statistics();
    StatisticsView summaryView = pluginSchema.summaryView();
    StatisticsView dataLogColumns = new StatisticsView();
    for (ScriptStatistics.Registration r : ScriptStatistics.takePending()) {
      (r.dataLog() ? dataLogColumns : summaryView).add(r.view(schema));
    }
    // Only a run of named scenarios adds the Scenario column: one scenario's log stays Grinder's.
    DataLogFormat dataLogFormat =
        DataLogFormat.forRun(pluginSchema, dataLogColumns.views(), slots.getFirst().name != null);
    Path out =
        config.outputRoot() == null
            ? null
            : ResultsFolder.create(config.outputRoot(), config.name(), LocalDateTime.now());
    List<CallListener> calls = new ArrayList<>(callListeners);
    for (JdbcListenerConfig c : config.jdbcListeners()) {
      addTo(
          calls,
          new JdbcCallListener(
              c.name(), c.url(), c.user(), c.password(), c.table(), c.batchSize()));
    }
    boolean csv = config.dataLog() && out != null;
    DataLogRing ring =
        csv || !calls.isEmpty()
            ? new DataLogRing(schema, config.dataLogCapacity(), !calls.isEmpty())
            : null;
    // The clock starts once the set-up is done, so the first interval is not stretched by it;
    // with a start time, at that time, the set-up below happening before it.
    Instant wallNow = Instant.now();
    long nanoNow = System.nanoTime();
    long startNanos =
        startAt == null ? nanoNow : nanoNow + Duration.between(wallNow, startAt).toNanos();
    long startEpoch = (startAt == null ? wallNow : startAt).toEpochMilli();
    List<RunInfo.PlannedPhase> planned = new ArrayList<>();
    for (Phase p : config.phases()) {
      planned.add(new RunInfo.PlannedPhase(p.name(), p.duration()));
    }
    info =
        new RunInfo(config.name(), startEpoch, planned, config.period(), out, schema, summaryView);
    recording =
        new Recording(
            pluginSchema,
            ring,
            startNanos,
            startEpoch,
            summaryView,
            config.reportTimes(),
            calls.stream().map(CallListener::name).toList(),
            recordedScenarioNames());
    DataLogWriter dataLog = null;
    CallListeners callRecords = null;
    if (ring != null) {
      if (!calls.isEmpty()) {
        // Started on the data-log thread, so that opening a database does not hold up the phases.
        callRecords =
            new CallListeners(
                calls,
                info,
                recording,
                config.phases().stream().map(Phase::name).toList(),
                config.sinkRetry());
      }
      try {
        dataLog =
            new DataLogWriter(
                ring, recording, dataLogFormat, csv ? out.resolve("data.csv") : null, callRecords);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot write the data log in " + out + ": " + e.getMessage(), e);
      }
      dataLog.start();
    }
    List<Listener> made = new ArrayList<>();
    for (Plugin p : pluginSchema.plugins()) {
      PluginListener l = p.listener();
      if (l != null && l != PluginListener.NONE) {
        made.add(new Listener(p, l));
      }
    }
    listeners = List.copyOf(made);
    tellListeners("runStarted", l -> l.runStarted(info));

    List<SinkWorker> workers = new ArrayList<>();
    for (Function<RunInfo, List<Sink>> f : defaultSinks) {
      for (Sink s : f.apply(info)) {
        workers.add(new SinkWorker(s, problems, config.sinkRetry()));
      }
    }
    for (Sink s : sinks) {
      workers.add(new SinkWorker(s, problems, config.sinkRetry()));
    }
    workers.forEach(w -> w.start(info));

    ThresholdWatch watch =
        ThresholdWatch.needed(config.thresholds())
            ? new ThresholdWatch(
                config.thresholds(),
                config.period().toMillis(),
                schema,
                new ThresholdWatch.Figures() {
                  @Override
                  public List<TestFigures> run() {
                    long now = System.nanoTime();
                    List<TestFigures> list = new ArrayList<>(collector.runTests(now));
                    list.add(collector.runTotals(list, now));
                    return list;
                  }

                  @Override
                  public RunSummary.PhaseResult phase(String name) {
                    return collector.phaseResults().stream()
                        .filter(p -> p.name().equals(name))
                        .findFirst()
                        .orElse(null);
                  }
                },
                this::abort)
            : null;
    collector =
        new Collector(
            recording,
            s -> {
              if (watch != null) {
                watch.interval(s);
              }
              workers.forEach(w -> w.interval(s));
            },
            this::activeUsers,
            lateness,
            lateStarts::get,
            config.period().toMillis(),
            scenarioNames(),
            i -> slots.get(i).activeUsers);
    long joining = System.nanoTime();
    if (join && joining - startNanos > 0) {
      joinNanos = joining;
      joinPoint =
          PlanPoint.at(
              config.phases(),
              config.waitBetweenPhases(),
              config.period(),
              Duration.ofNanos(joining - startNanos));
      collector.skipTo(joining, joinPoint.intervals());
      if (joinPoint.phase() < config.phases().size()) {
        // Before the collector's first sample, so that every interval is the phase's: the one
        // going on, or in the wait before a phase the one before it, as everywhere else.
        int current = joinPoint.inside() ? joinPoint.phase() : joinPoint.phase() - 1;
        collector.beginPhase(config.phases().get(current).name(), current, joining);
      }
      problems.add(joinNote(joinPoint));
    }
    Thread collectorThread =
        Thread.ofPlatform()
            .daemon()
            .name("grindstone-collector")
            .start(() -> collectLoop(startNanos));

    timer = new TimerWheel();
    try {
      long behind = System.nanoTime() - startNanos;
      if (behind < 0) {
        warmUp();
        sleepUntil(startNanos); // a run given a start time waits for it here, its set-up done
      } else if (startAt != null && joinPoint == null && behind >= 1_000_000) {
        problems.add(
            "The run's load started "
                + behind / 1_000_000
                + " ms after its start time (its clock and intervals kept to that time): it"
                + " was given the start time too late, or its set-up took that long.");
      }
      runPhases();
    } finally {
      stopUsers();
      timer.close();
      collectorThread.interrupt();
      try {
        collectorThread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    long end = System.nanoTime();
    collector.sample(end);
    if (dataLog != null) {
      try {
        dataLog.finish();
      } catch (IOException e) {
        problems.add("The data log could not be written completely: " + e.getMessage());
      }
    }
    if (callRecords != null) {
      problems.addAll(callRecords.notes());
    }
    Set<String> unknownListeners = recording.unknownListeners();
    if (!unknownListeners.isEmpty()) {
      problems.add(
          "Tests named the call listeners "
              + String.join(", ", new TreeSet<>(unknownListeners))
              + ", which the run has not, so those records went to no such listener; the run's"
              + " listeners are "
              + (calls.isEmpty() ? "none" : String.join(", ", recording.listenerNames()))
              + ".");
    }
    List<TestFigures> tests = collector.runTests(end);
    TestFigures totals = collector.runTotals(tests, end);
    Map<String, Long> failed = new LinkedHashMap<>();
    failures.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
        .forEach(e -> failed.put(e.getKey(), e.getValue().sum()));
    Histogram late = collector.runLateness();
    Set<String> unknown = recording.unknownStatistics();
    if (!unknown.isEmpty()) {
      problems.add(
          "Calls updated the statistics "
              + String.join(", ", new TreeSet<>(unknown))
              + ", but the run has not the plug-in that declares them, so nothing was recorded for"
              + " them: return the plug-in from the scenario's plugins(), or add it with"
              + " Run.plugin(...).");
    }
    List<RunSummary.PhaseResult> phaseResults = collector.phaseResults();
    List<ScenarioResult> scenarioResults =
        collector.runScenarios(end, i -> slots.get(i).peakUsers.get());
    RunSummary summary =
        new RunSummary(
            info,
            recording.epochMillis(end),
            tests,
            totals,
            phaseResults,
            ThresholdCheck.check(
                config.thresholds(), tests, totals, phaseResults, scenarioResults, watch),
            late,
            lateStarts.get(),
            droppedStarts.get(),
            failed,
            ring == null ? 0 : ring.dropped(),
            problems,
            interrupted,
            abort,
            OmissionCheck.check(
                config.phases(),
                phaseResults,
                collector.phaseScenarioTests(),
                tests,
                totals,
                scenarioResults,
                schema,
                skippedPacedStarts.get()),
            health(workers, callRecords),
            scenarioResults);
    RunSummary ended = summary;
    tellListeners("runFinished", l -> l.runFinished(ended));
    for (SinkWorker w : workers) {
      w.finish(summary, 60_000);
    }
    List<OutputHealth> outputs = health(workers, callRecords);
    return new RunSummary(
        summary.info(),
        summary.endEpochMillis(),
        tests,
        totals,
        summary.phases(),
        summary.thresholds(),
        late,
        summary.lateStarts(),
        summary.droppedStarts(),
        failed,
        summary.droppedDataLogRows(),
        List.copyOf(problems),
        interrupted,
        abort,
        summary.omission(),
        outputs,
        scenarioResults);
  }

  /**
   * The scenarios' names in call records, by slot. A run of one scenario is named after it
   * (run.yaml's {@code name}, or the scenario file's name), whereas its class may be a lambda's or
   * the HTTP flow runner's: the run's name names it.
   */
  private List<String> recordedScenarioNames() {
    return slots.getFirst().name == null
        ? List.of(config.name())
        : slots.stream().map(s -> s.name).toList();
  }

  /**
   * Does once, before a given start time, what the first users would otherwise wait for at the
   * start: loading and linking the classes and call sites a user's start and first call go through
   * (the user itself, its context and random numbers, the plan's shapes, a test's recorder) and
   * starting the virtual threads' scheduler. A JVM that loads them at the start time instead takes
   * tens of milliseconds more to its first call, as long again when other processes wait for the
   * same cores, which is most of the spread between agents' starts. It runs nothing of the scenario
   * and records nothing.
   */
  private void warmUp() {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    try {
      for (Class<?> c :
          List.of(
              UserThread.class,
              ArrivalUser.class,
              WorkerContext.class,
              TestRecorder.class,
              Collector.class,
              UserShare.Change.class,
              LoadShape.Steps.class,
              java.util.SplittableRandom.class,
              dev.grindstone.engine.Test.class)) {
        lookup.ensureInitialized(c);
      }
      // A user made and never started: its fields' method references and its context's frames
      // are linked and loaded; its number is no user's, and nothing holds it.
      Slot first = slots.getFirst();
      new UserThread(this, first, recording, -1, 0).random().nextLong();
      first.active(first.activeUsers); // links the peak's accumulator; changes nothing
      startUser(Thread.ofVirtual().name("grindstone-warm-up"), () -> {}).join();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e); // public classes: cannot happen
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void collectLoop(long startNanos) {
    long period = config.period().toNanos();
    long next = startNanos + period;
    // A joined run's first interval ends at the first boundary after it joined, however late
    // this thread starts.
    long now = joinPoint != null ? joinNanos : System.nanoTime();
    if (next - now < 0) {
      // A run that started behind its start time: its intervals stay on the start time's grid.
      next = startNanos + ((now - startNanos) / period + 1) * period;
    }
    while (!Thread.currentThread().isInterrupted()) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
        continue;
      }
      collector.sample(System.nanoTime());
      next += period;
      if (next < System.nanoTime()) {
        next = System.nanoTime() + period; // fell behind (a long GC pause): do not burst
      }
    }
  }

  /**
   * What a process joining in a phase bounded by iterations runs of it: the iterations its index
   * had not started, where they are counted, else all of them.
   */
  private String iterationsLeft(PlanPoint point) {
    List<String> counted = new ArrayList<>();
    boolean some = false;
    for (Phase.Load load : config.phases().get(point.phase()).loads()) {
      Reservation r = counts == null ? null : counts[point.phase()][slot(load.scenario()).index];
      if (r == null) {
        continue;
      }
      long before = Math.min(r.end(), Math.max(0, r.from()));
      counted.add(
          (r.end() - before)
              + " of its share's "
              + r.end()
              + (load.scenario() == null ? "" : " of scenario '" + load.scenario() + "'")
              + " (the attempts before it had started "
              + before
              + ", as they last reported)");
      some = true;
    }
    if (!some) {
      return "which it ran in full from then on";
    }
    return "of which it took up the iterations its index had not started: "
        + String.join("; ", counted)
        + (counted.size() < config.phases().get(point.phase()).loads().size()
            ? "; its other scenarios' in full"
            : "");
  }

  /** What the summary says of a run that joined late. */
  private String joinNote(PlanPoint point) {
    long ms = point.elapsed().toMillis();
    if (point.phase() >= config.phases().size()) {
      return "This process joined the run "
          + ms
          + " ms after its start, when its plan was over: it ran no load.";
    }
    Phase p = config.phases().get(point.phase());
    String where =
        !point.inside()
            ? "before phase '" + p.name() + "', which it started at its time"
            : p.duration() == null
                ? "in phase '" + p.name() + "', bounded by iterations, " + iterationsLeft(point)
                : "in phase '"
                    + p.name()
                    + "', "
                    + point.elapsed().minus(point.phaseStart()).toMillis()
                    + " ms into it";
    return "This process joined the run "
        + ms
        + " ms after its start, "
        + where
        + (point.phase() > 0 ? "; the phases before it were skipped" : "")
        + ": its share of the load before then is not in its figures.";
  }

  private void runPhases() {
    List<Phase> phases = config.phases();
    PlanPoint from = joinPoint;
    int first = from == null ? 0 : from.phase();
    for (int i = first; i < phases.size() && !stopping; i++) {
      Phase p = phases.get(i);
      boolean joined = from != null && i == first;
      if (joined && !from.inside()) {
        // Joined in the wait before this phase: it starts at its time, as everywhere else.
        slots.forEach(s -> adjustUsers(s, 0));
        sleepUntil(recording.startNanos() + from.phaseStart().toNanos());
        if (stopping) {
          break;
        }
      } else if (!joined && i > 0 && config.waitBetweenPhases().isPositive()) {
        slots.forEach(s -> adjustUsers(s, 0));
        sleepUntil(System.nanoTime() + config.waitBetweenPhases().toNanos());
        if (stopping) {
          break;
        }
      }
      long now = i == 0 ? recording.startNanos() : System.nanoTime();
      boolean inside = joined && from.inside();
      if (inside) {
        // The phase started elsewhere at its time (the cut counted in the interval numbers); one
        // bounded by iterations runs from now (only what its index has left, when counted).
        now =
            p.duration() == null ? joinNanos : recording.startNanos() + from.phaseStart().toNanos();
      } else if (i > 0) {
        collector.sample(now); // cut: the interval so far belongs to the previous phase
      }
      if (!inside) {
        collector.beginPhase(p.name(), i, now); // a joined phase began before the collector ran
      }
      List<Phase.Load> loads = p.loads();
      List<Slot> running = new ArrayList<>();
      for (Phase.Load load : loads) {
        Slot slot = slot(load.scenario());
        running.add(slot);
        slot.usersDoneWithPhase.set(0);
        slot.phase =
            new PhaseState(
                i,
                p.name(),
                load.thinkTime(),
                load.initialSleep(),
                load.iterations(),
                load.expectedInterval() == null ? 0 : load.expectedInterval().toNanos() / 1000,
                counts == null ? null : counts[i][slot.index]);
      }
      for (Slot s : slots) {
        if (!running.contains(s)) {
          adjustUsers(s, 0); // a scenario this phase does not run stops
        }
      }
      synchronized (phaseChange) {
        phaseChange.notifyAll();
      }
      boolean last = i == phases.size() - 1;
      long phaseStart = now;
      // Arrivals planned before this process joined are the old one's, not late ones here.
      long arrivalsFrom = inside ? joinNanos : now;
      if (loads.size() == 1) {
        runLoad(p, loads.getFirst(), running.getFirst(), phaseStart, arrivalsFrom, last);
        continue;
      }
      // Several scenarios at once: each load is driven by a thread of its own; the phase ends
      // when every one has ended.
      List<Thread> drivers = new ArrayList<>();
      for (int k = 0; k < loads.size(); k++) {
        Phase.Load load = loads.get(k);
        Slot slot = running.get(k);
        drivers.add(
            Thread.ofVirtual()
                .name("grindstone-load-" + slot.name)
                .start(() -> runLoad(p, load, slot, phaseStart, arrivalsFrom, last)));
      }
      for (Thread d : drivers) {
        try {
          d.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          requestStop();
        }
      }
    }
  }

  /** Drives one scenario's load through a phase, on the calling thread, until it ends. */
  private void runLoad(
      Phase p, Phase.Load load, Slot slot, long startNanos, long arrivalsFrom, boolean last) {
    slot.driver = Thread.currentThread();
    try {
      switch (load.shape()) {
        case LoadShape.ArrivalRate rate ->
            runOpen(p, slot, share(load, rate), startNanos, arrivalsFrom, last);
        case LoadShape.Steps steps when steps.runOnce() ->
            runWaves(p, load, slot, steps, startNanos);
        default -> runClosed(p, load, slot, startNanos);
      }
    } finally {
      slot.driver = null;
    }
  }

  /**
   * A scenario's share of a phase's arrival rate: its fraction of the rate and its part of the
   * users.
   */
  private static LoadShape.ArrivalRate share(Phase.Load load, LoadShape.ArrivalRate rate) {
    if (load.share() == null) {
      return rate;
    }
    double f = load.share().fraction();
    return new LoadShape.ArrivalRate(
        rate.fromPerSecond() * f, rate.toPerSecond() * f, Math.max(1, load.of(rate.maxUsers())));
  }

  private void runClosed(Phase p, Phase.Load load, Slot slot, long startNanos) {
    long end = p.duration() == null ? Long.MAX_VALUE : startNanos + p.duration().toNanos();
    Duration length = p.duration() == null ? Duration.ZERO : p.duration();
    while (!stopping) {
      long now = System.nanoTime();
      if (now - end >= 0) {
        break;
      }
      int target = load.of(load.shape().usersAt(Duration.ofNanos(now - startNanos), length));
      int mine = adjustUsers(slot, target);
      // This process's users, not the plan's: an agent runs its share of them.
      if (p.duration() == null && load.iterations() > 0 && slot.usersDoneWithPhase.get() >= mine) {
        break;
      }
      LockSupport.parkNanos(Math.min(10_000_000, end - now));
    }
  }

  private void runWaves(
      Phase p, Phase.Load load, Slot slot, LoadShape.Steps steps, long startNanos) {
    PhaseState phase = slot.phase; // this phase's, whichever is current when a user starts
    adjustUsers(slot, 0);
    long end = p.duration() == null ? Long.MAX_VALUE : startNanos + p.duration().toNanos();
    int wave = 0;
    List<ArrivalUser> pool = new ArrayList<>();
    int waveUsers = 0; // over every agent
    while (!stopping && System.nanoTime() - end < 0) {
      int size = load.of(steps.waveUsers(wave)); // over every agent
      for (; waveUsers < size; waveUsers++) {
        int n = slot.share.nextPooled();
        if (n >= 0) {
          int number = userNumber(slot, n);
          pool.add(new ArrivalUser(this, slot, recording, number, seed(number)));
        }
      }
      List<Thread> threads = new ArrayList<>();
      long intended = System.nanoTime();
      slot.active(pool.size());
      for (int u = 0; u < pool.size(); u++) {
        ArrivalUser user = pool.get(u);
        threads.add(startUser(Thread.ofVirtual(), () -> user.runOnce(phase, intended)));
      }
      for (Thread t : threads) {
        // Once the run stops, the users still running are left to stopUsers and its graceful stop.
        while (t.isAlive() && !stopping) {
          try {
            t.join(Duration.ofMillis(10));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
          }
        }
      }
      slot.active(0);
      if (pool.isEmpty() && !steps.wavesGrowAfter(wave)) {
        // No user of this process in any wave to come: nothing to do here but hold the phase.
        if (p.duration() != null) {
          sleepUntil(end);
        }
        break;
      }
      // As in gradual, the next wave starts as soon as this one has finished: no ramp_up_wait.
      wave++;
      if (load.iterations() > 0 && wave >= load.iterations()) {
        break;
      }
    }
    pool.forEach(ArrivalUser::close);
  }

  /**
   * @param last true for the run's last phase: its iterations in progress are left to {@link
   *     #stopUsers}, so the graceful stop is waited out once
   */
  private void runOpen(
      Phase p,
      Slot slot,
      LoadShape.ArrivalRate rate,
      long startNanos,
      long arrivalsFrom,
      boolean last) {
    PhaseState phase = slot.phase; // this phase's, whichever is current when a user starts
    StagedScenario staged = slot.scenario instanceof StagedScenario s ? s : null;
    adjustUsers(slot, 0);
    double lengthSeconds = p.duration().toNanos() / 1e9;
    long end = startNanos + p.duration().toNanos();
    ConcurrentLinkedQueue<ArrivalUser> idle = new ConcurrentLinkedQueue<>();
    AtomicInteger inFlight = new AtomicInteger();
    int created = 0;
    slot.arrivalUsers = 0;
    int maxUsers = shard.maxUsers(rate.maxUsers());
    for (long k = 0; !stopping; k++) {
      double t = rate.startOf(shard.global(k), lengthSeconds);
      if (Double.isInfinite(t)) {
        break;
      }
      long intended = startNanos + (long) (t * 1e9);
      if (intended - end >= 0) {
        break;
      }
      if (intended - arrivalsFrom < 0) {
        continue; // before this process joined the run
      }
      sleepUntil(intended);
      if (stopping) {
        break;
      }
      ArrivalUser user = idle.poll();
      if (user == null) {
        if (created >= maxUsers) {
          droppedStarts.incrementAndGet();
          continue;
        }
        // After the closed model's numbers, unique over the agents (which user takes an arrival
        // depends on response times, so these are not the single process's numbers).
        int number =
            userNumber(slot, slot.share.nextNumber() + (int) shard.global(slot.arrivalUsers++));
        user = new ArrivalUser(this, slot, recording, number, seed(number));
        created++;
      }
      ArrivalUser u = user;
      slot.active(inFlight.incrementAndGet());
      Runnable done =
          () -> {
            slot.active(inFlight.decrementAndGet());
            idle.offer(u);
          };
      if (staged == null || !u.startStaged(staged, phase, intended, done)) {
        startUser(
            Thread.ofVirtual(),
            () -> {
              try {
                u.runOnce(phase, intended);
              } finally {
                done.run();
              }
            });
      }
    }
    sleepUntil(end);
    if (!last && !stopping) {
      // The next phase starts once this one's iterations are done (or the graceful stop is over).
      long deadline = System.nanoTime() + config.gracefulStop().toNanos();
      while (inFlight.get() > 0 && System.nanoTime() - deadline < 0 && !stopping) {
        LockSupport.parkNanos(5_000_000);
      }
    }
    for (ArrivalUser u : idle) {
      u.close();
    }
  }

  private void sleepUntil(long deadline) {
    long left;
    while (!stopping && (left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  /**
   * Moves {@code slot} to {@code target} closed-model users over every agent; this agent starts and
   * stops its own. Called by the thread driving the slot's load, and by the controller when no
   * driver runs.
   *
   * @return how many of the slot's users run in this process then
   */
  private int adjustUsers(Slot slot, int target) {
    synchronized (slot) {
      if (stopping && target > slot.share.globalUsers()) {
        return slot.users.size();
      }
      UserShare.Change change = slot.share.moveTo(target);
      for (int n : change.start()) {
        int number = userNumber(slot, n);
        UserThread u = new UserThread(this, slot, recording, number, seed(number));
        slot.users.add(u);
        u.start();
      }
      for (int i = 0; i < change.stop(); i++) {
        slot.users.removeLast().requestStop(); // ramp down: the newest users leave first
      }
      slot.active(slot.users.size());
      return slot.users.size();
    }
  }

  /**
   * A user's number over the run from its number within its scenario: the scenarios' numbers
   * interleaved, so a run of one scenario keeps its own and every agent gives a user the same one.
   */
  private int userNumber(Slot slot, int numberInScenario) {
    return numberInScenario * slots.size() + slot.index;
  }

  /** A user's random seed, from its single-process number: the same whichever agent runs it. */
  private static long seed(int user) {
    return 0x9E3779B97F4A7C15L * (user + 2);
  }

  /**
   * Ends the run's load as k6's graceful stop does: no iteration starts any more, the iterations in
   * progress (closed-model users, arrivals, waves) may finish within the graceful stop, and then
   * the calls still in progress are cancelled (counted apart, never timed) and their users
   * interrupted.
   */
  private void stopUsers() {
    stopping = true;
    slots.forEach(s -> adjustUsers(s, 0));
    synchronized (phaseChange) {
      phaseChange.notifyAll();
    }
    long deadline = System.nanoTime() + config.gracefulStop().toNanos();
    while (usersRunning() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(5_000_000);
    }
    if (usersRunning()) {
      recording.cancelCallsInProgress(System.nanoTime()); // before the interrupts, which end calls
      for (Thread t : running) {
        t.interrupt();
      }
      long hard = System.nanoTime() + 1_000_000_000L;
      while (usersRunning() && System.nanoTime() - hard < 0) {
        LockSupport.parkNanos(5_000_000);
      }
    }
    slots.forEach(s -> s.active(0));
  }

  /** Whether any user's code runs: on a thread, or as a staged arrival in flight. */
  private boolean usersRunning() {
    return !running.isEmpty() || stagedArrivals.get() > 0;
  }

  void stagedArrivalStarted() {
    stagedArrivals.incrementAndGet();
  }

  void stagedArrivalEnded() {
    stagedArrivals.decrementAndGet();
  }

  // ---- plug-in listeners ----------------------------------------------------------------------

  /** A plug-in's listener for this run. */
  private record Listener(Plugin plugin, PluginListener listener) {}

  /**
   * Tells every listener, each in turn: a listener that throws is reported once per event in the
   * run's notes and stops neither the others nor the caller.
   */
  private void tellListeners(String event, Consumer<PluginListener> call) {
    List<Listener> all = listeners;
    for (int i = 0, n = all.size(); i < n; i++) {
      Listener l = all.get(i);
      try {
        call.accept(l.listener());
      } catch (RuntimeException e) {
        String key = l.plugin().name() + "/" + event;
        if (listenerFaults.add(key)) {
          problems.add("The " + l.plugin().name() + "'s listener failed in " + event + ": " + e);
        }
      }
    }
  }

  void userStarted(VirtualUser user) {
    if (!listeners.isEmpty()) {
      tellListeners("userStarted", l -> l.userStarted(user));
    }
  }

  void userFinished(VirtualUser user) {
    if (!listeners.isEmpty()) {
      tellListeners("userFinished", l -> l.userFinished(user));
    }
  }

  // ---- called by virtual users ---------------------------------------------------------------

  /**
   * Starts a thread that runs user code, known to {@link #stopUsers} from before it starts (so a
   * stop never misses a user that is just starting) until its body returns.
   */
  Thread startUser(Thread.Builder builder, Runnable body) {
    Thread t =
        builder.unstarted(
            () -> {
              try {
                body.run();
              } finally {
                running.remove(Thread.currentThread());
              }
            });
    running.add(t);
    t.start();
    return t;
  }

  void userDoneWithPhase(Slot slot, long phaseIndex) {
    if (slot.phase.index() == phaseIndex) {
      slot.usersDoneWithPhase.incrementAndGet();
      Thread d = slot.driver;
      LockSupport.unpark(d == null ? controller : d);
    }
  }

  void awaitPhaseChange(long phaseIndex, UserThread u) {
    synchronized (phaseChange) {
      while (u.slot.phase.index() == phaseIndex && !stopping && !u.isStopping()) {
        try {
          phaseChange.wait(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  void recordLateness(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    lateness.recordSuccess(micros);
    if (micros > RunSummary.LATE_START_MICROS) {
      lateStarts.incrementAndGet();
    }
  }

  /** Counts paced starts a user skipped because its previous iteration ran past them. */
  void skippedPacedStarts(long n) {
    skippedPacedStarts.addAndGet(n);
  }

  void iterationFailed(Throwable t) {
    String message = t.getMessage();
    String key =
        t instanceof dev.grindstone.engine.IterationFailure
            ? firstLine(String.valueOf(message))
            : t.getClass().getName() + (message == null ? "" : ": " + firstLine(message));
    LongAdder counter = failures.get(key);
    if (counter == null) {
      if (failures.size() >= MAX_FAILURE_KINDS) {
        key = "(other kinds of failure)";
      }
      counter = failures.computeIfAbsent(key, k -> new LongAdder());
    }
    counter.increment();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
