package dev.grindstone.engine.internal;

import dev.grindstone.engine.Test;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.engine.spi.PluginStatistic;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a run's virtual users record into: one {@link TestRecorder} per scenario and test number,
 * the data-log ring, the run's clock origin, its schema (with its plug-ins' statistics) and its
 * views. Each of a run's scenarios records into a table of its own, so a scenario's figures are its
 * own calls' and a test's figures are the exact merge of its scenarios'; a run of one scenario has
 * one table. Thread-safe.
 */
public final class Recording {

  private final PluginSchema plugins;
  private final StatisticsSchema schema;

  /** Plug-in statistics that calls updated although the run has not their plug-in. */
  private final Set<String> unknownStatistics = ConcurrentHashMap.newKeySet();

  private final Table[] tables;
  private final DataLogRing dataLog;
  private final long startNanos;
  private final long startEpochMillis;
  private final StatisticsView summaryView;
  private final boolean reportTimes;

  /** The call listeners' names, by index: a call's route has one bit per index. */
  private final List<String> listenerNames;

  /** The scenarios' names, by index. */
  private final List<String> scenarioNames;

  private final int everyListener;

  /** A test's selection of listeners, resolved once per distinct selection. */
  private final ConcurrentHashMap<List<String>, Integer> listenerMasks = new ConcurrentHashMap<>();

  /** Listener names that tests gave although the run has no such listener. */
  private final Set<String> unknownListeners = ConcurrentHashMap.newKeySet();

  public Recording(
      PluginSchema plugins,
      DataLogRing dataLog,
      long startNanos,
      long startEpochMillis,
      StatisticsView summaryView) {
    this(plugins, dataLog, startNanos, startEpochMillis, summaryView, true, List.of(), List.of(""));
  }

  /**
   * @param reportTimes false to record successful calls as untimed tests (their times go to the
   *     data log only), as The Grinder's {@code grinder.reportTimesToConsole=false}
   * @param listenerNames the run's call listeners, by index (at most 32)
   * @param scenarioNames the run's scenarios, by index
   */
  public Recording(
      PluginSchema plugins,
      DataLogRing dataLog,
      long startNanos,
      long startEpochMillis,
      StatisticsView summaryView,
      boolean reportTimes,
      List<String> listenerNames,
      List<String> scenarioNames) {
    if (listenerNames.size() > 32) {
      throw new IllegalArgumentException(
          "A run takes at most 32 call listeners, got " + listenerNames.size());
    }
    this.reportTimes = reportTimes;
    this.listenerNames = List.copyOf(listenerNames);
    this.scenarioNames = List.copyOf(scenarioNames);
    this.everyListener = (int) ((1L << listenerNames.size()) - 1);
    this.plugins = plugins;
    this.schema = plugins.statistics();
    this.dataLog = dataLog;
    this.startNanos = startNanos;
    this.startEpochMillis = startEpochMillis;
    this.summaryView = summaryView;
    this.tables = new Table[Math.max(1, scenarioNames.size())];
    for (int i = 0; i < tables.length; i++) {
      tables[i] = new Table();
    }
  }

  public StatisticsSchema schema() {
    return schema;
  }

  /** The run's plug-ins and where their statistics live in {@link #schema()}. */
  public PluginSchema plugins() {
    return plugins;
  }

  /** Notes that a call updated a plug-in statistic the run does not hold. */
  void unknownStatistic(PluginStatistic statistic) {
    if (!unknownStatistics.contains(statistic.name())) {
      unknownStatistics.add(statistic.name());
    }
  }

  /** The plug-in statistics calls updated although the run has not their plug-in, by name. */
  public Set<String> unknownStatistics() {
    return Set.copyOf(unknownStatistics);
  }

  /** How many scenarios record into this recording (1 for a run of one scenario). */
  public int scenarios() {
    return tables.length;
  }

  /** The test's recorder in the first scenario's table (see {@link #recorder(int, Test)}). */
  public TestRecorder recorder(Test test) {
    return tables[0].recorder(test);
  }

  /** The test's recorder in scenario {@code scenario}'s table, created on its first call there. */
  public TestRecorder recorder(int scenario, Test test) {
    return tables[scenario].recorder(test);
  }

  /** Every test the first scenario called so far, by number. */
  public List<TestRecorder> recorders() {
    return recorders(0);
  }

  /** Every test scenario {@code scenario} called so far, by number. */
  public List<TestRecorder> recorders(int scenario) {
    List<TestRecorder> list = new ArrayList<>(tables[scenario].recorders.values());
    list.sort(Comparator.comparingInt(TestRecorder::number));
    return list;
  }

  /** The call listeners' names, by index. */
  public List<String> listenerNames() {
    return listenerNames;
  }

  /** The scenarios' names, by index. */
  public List<String> scenarioNames() {
    return scenarioNames;
  }

  /**
   * The listeners that take the records of {@code test}'s calls, one bit per listener index: every
   * listener unless the test names some. A test that names listeners costs one map look-up.
   */
  public int listenerMask(Test test) {
    List<String> names = test.listenerNames();
    if (names == null) {
      return everyListener;
    }
    Integer mask = listenerMasks.get(names);
    return mask != null ? mask : listenerMasks.computeIfAbsent(names, this::resolve);
  }

  private int resolve(List<String> names) {
    int mask = 0;
    for (String n : names) {
      int i = listenerNames.indexOf(n);
      if (i < 0) {
        unknownListeners.add(n);
      } else {
        mask |= 1 << i;
      }
    }
    return mask;
  }

  /** Listener names that tests gave although the run has no listener of that name. */
  public Set<String> unknownListeners() {
    return Set.copyOf(unknownListeners);
  }

  /**
   * The description of the test numbered {@code number} in any scenario, or "" when it was never
   * called.
   */
  public String testDescription(int number) {
    for (Table t : tables) {
      TestRecorder r = t.recorders.get(number);
      if (r != null) {
        return r.description();
      }
    }
    return "";
  }

  /** One scenario's recorders by test number. */
  private final class Table {
    private final ConcurrentHashMap<Integer, TestRecorder> recorders = new ConcurrentHashMap<>();

    /** Recorders of tests numbered below 4096, by number: the common case is one array read. */
    private volatile TestRecorder[] byNumber = new TestRecorder[64];

    /** The test's recorder, created on its first call in this run (the first description wins). */
    TestRecorder recorder(Test test) {
      int n = test.number();
      TestRecorder[] fast = byNumber;
      if (n < fast.length) {
        TestRecorder r = fast[n];
        if (r != null) {
          return r;
        }
      }
      return slowRecorder(test);
    }

    private synchronized TestRecorder slowRecorder(Test test) {
      int n = test.number();
      TestRecorder r =
          recorders.computeIfAbsent(n, k -> new TestRecorder(k, test.description(), schema));
      if (n < 4096) {
        TestRecorder[] a = byNumber;
        if (n >= a.length) {
          a = java.util.Arrays.copyOf(a, Math.min(4096, Integer.highestOneBit(n) * 2));
        } else {
          a = a.clone();
        }
        a[n] = r;
        byNumber = a; // published whole, so readers see a filled slot or none
      }
      return r;
    }
  }

  /** The data-log ring, or null when neither the data log nor a call listener is on. */
  public DataLogRing dataLog() {
    return dataLog;
  }

  public long startNanos() {
    return startNanos;
  }

  public long startEpochMillis() {
    return startEpochMillis;
  }

  /** Milliseconds since the epoch of a {@link System#nanoTime()} reading. */
  public long epochMillis(long nanos) {
    return startEpochMillis + Math.floorDiv(nanos - startNanos, 1_000_000L);
  }

  /** False when successful calls count as untimed tests (their times only in the data log). */
  public boolean reportsTimes() {
    return reportTimes;
  }

  public StatisticsView summaryView() {
    return summaryView;
  }

  // ---- cancellation at the end of the graceful stop -------------------------------------------

  private volatile boolean cancelled;
  private volatile long cancelNanos;

  /**
   * Marks every test call still in progress at {@code nowNanos} (or started after it) as cancelled:
   * when such a call returns or throws, it is counted as cancelled, not timed (see {@link
   * #cancels}). Called once by the run, before it interrupts the users still running.
   */
  public void cancelCallsInProgress(long nowNanos) {
    cancelNanos = nowNanos;
    cancelled = true; // written last: a reader that sees it also sees cancelNanos
  }

  /** True once the run has cancelled the calls in progress. */
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * True when a call that ended at {@code endNanos} was cut short by the run's cancellation: it
   * ended at or after the moment calls were cancelled. One volatile read while the run is not
   * cancelled.
   */
  public boolean cancels(long endNanos) {
    return cancelled && endNanos - cancelNanos >= 0;
  }
}
