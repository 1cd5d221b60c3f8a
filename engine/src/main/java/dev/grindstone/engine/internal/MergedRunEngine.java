package dev.grindstone.engine.internal;

import dev.grindstone.engine.MergedRun;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.ConsoleSink;
import dev.grindstone.engine.sink.HdrLogSink;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.ResultsFilesSink;
import dev.grindstone.engine.sink.ResultsFolder;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.engine.sink.Sink;
import dev.grindstone.engine.sink.SummaryFileSink;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;

/**
 * Behind {@link dev.grindstone.engine.MergedRun}: a run made of other processes' intervals: the
 * controller of a distributed run feeds it each interval merged over the agents, and it drives the
 * same sinks as a local run (the live console, summary.txt, latency.hlog, results.json,
 * report.html) and builds the same summary, with thresholds checked on the merged figures. Run
 * figures are exact merges of the intervals (added histograms, pooled statistics); nothing is
 * averaged. One thread feeds it.
 */
public final class MergedRunEngine {

  private final RunConfig config;
  private final StatisticsSchema schema;
  private final RunInfo info;
  private final List<SinkWorker> workers = new ArrayList<>();
  private final CopyOnWriteArrayList<String> problems = new CopyOnWriteArrayList<>();
  private final Map<Integer, String> descriptions = new TreeMap<>();
  private final Map<Integer, Cumulative> run = new TreeMap<>();
  private final List<PhaseCumulative> phases = new ArrayList<>();
  private final List<String> scenarioNames;
  private final Map<String, ScenarioCumulative> scenarios = new LinkedHashMap<>();
  private final Histogram lateness = Histograms.newHistogram();
  private long lateStarts;
  private double runPeak;
  private long lastEnd;

  /**
   * @param plugins the run's plug-ins (the scenario's and the run file's), whose statistics the
   *     agents' snapshots carry
   * @param startEpochMillis when the agents started (server time)
   * @param scenarioNames the run's scenarios in the run file's order; empty for one unnamed
   *     scenario
   */
  public MergedRunEngine(
      RunConfig config,
      List<Plugin> plugins,
      PrintStream console,
      long startEpochMillis,
      List<String> scenarioNames) {
    this.config = config;
    this.scenarioNames = List.copyOf(scenarioNames);
    for (String name : this.scenarioNames) {
      scenarios.put(name, new ScenarioCumulative());
    }
    PluginSchema pluginSchema = PluginSchema.of(plugins);
    this.schema = pluginSchema.statistics();
    Path out =
        config.outputRoot() == null
            ? null
            : ResultsFolder.create(
                config.outputRoot(),
                config.name(),
                LocalDateTime.ofInstant(
                    Instant.ofEpochMilli(startEpochMillis), ZoneId.systemDefault()));
    List<RunInfo.PlannedPhase> planned = new ArrayList<>();
    for (Phase p : config.phases()) {
      planned.add(new RunInfo.PlannedPhase(p.name(), p.duration()));
    }
    // The scenario was made in this process too: its registered expressions are the same columns.
    dev.grindstone.stats.StatisticsView summaryView = pluginSchema.summaryView();
    for (ScriptStatistics.Registration r : ScriptStatistics.takePending()) {
      if (!r.dataLog()) {
        summaryView.add(r.view(schema));
      }
    }
    this.info =
        new RunInfo(
            config.name(), startEpochMillis, planned, config.period(), out, schema, summaryView);
    this.lastEnd = startEpochMillis;
    List<Sink> sinks = new ArrayList<>();
    if (config.console()) {
      sinks.add(new ConsoleSink(console));
    }
    if (out != null) {
      sinks.add(new SummaryFileSink(out));
      sinks.add(new HdrLogSink(out));
      sinks.add(new ResultsFilesSink(out));
    }
    for (Sink s : sinks) {
      workers.add(new SinkWorker(s, problems, config.sinkRetry()));
    }
    workers.forEach(w -> w.start(info));
  }

  /** The statistics the agents' figures are read into. */
  public StatisticsSchema schema() {
    return schema;
  }

  public RunInfo info() {
    return info;
  }

  /** Names a test (the agents tell the server each test's description). */
  public void describe(int test, String description) {
    descriptions.put(test, description == null ? "" : description);
  }

  /**
   * One interval merged over the agents.
   *
   * @param tests each test's figures over the interval, merged over the agents (one per test)
   * @param lateness how late the interval's iterations started (µs), merged; null for none known
   * @param scenarioParts in a run of several scenarios, each one's figures over the interval
   */
  public void interval(
      long sequence,
      String phase,
      long startMs,
      long endMs,
      int activeUsers,
      long lateStarts,
      Histogram lateness,
      List<TestFigures> tests,
      List<MergedRun.ScenarioInterval> scenarioParts) {
    long length = Math.max(1, endMs - startMs);
    int phaseIndex = phaseIndex(phase);
    PhaseCumulative p =
        phases.isEmpty() || phases.getLast().index != phaseIndex ? null : phases.getLast();
    if (p == null) {
      p = new PhaseCumulative(phase, phaseIndex, startMs);
      phases.add(p);
    }
    p.end = Math.max(p.end, endMs);
    lastEnd = Math.max(lastEnd, endMs);
    boolean full = length >= config.period().toMillis() / 2;
    List<TestFigures> named = new ArrayList<>();
    for (TestFigures t : tests) {
      TestFigures n = t.as(t.test(), descriptions.getOrDefault(t.test(), t.description()));
      named.add(n);
      run.computeIfAbsent(t.test(), k -> new Cumulative()).add(n, full);
      p.tests.computeIfAbsent(t.test(), k -> new Cumulative()).add(n, full);
    }
    named.sort((a, b) -> Integer.compare(a.test(), b.test()));
    Histogram late = lateness == null ? Histograms.newHistogram() : lateness;
    this.lateness.add(late);
    p.lateness.add(late);
    this.lateStarts += lateStarts;
    TestFigures totals = totals(named, length, -1);
    double tps = full ? totals.tps() : 0;
    runPeak = Math.max(runPeak, tps);
    p.peak = Math.max(p.peak, tps);
    Map<String, MergedRun.ScenarioInterval> byName = new LinkedHashMap<>();
    for (MergedRun.ScenarioInterval part : scenarioParts) {
      byName.put(part.name(), part);
      scenarios.putIfAbsent(part.name(), new ScenarioCumulative());
    }
    // Every scenario in every interval, as a local run lists them (an idle one with no calls).
    List<ScenarioResult> intervalScenarios = new ArrayList<>();
    for (Map.Entry<String, ScenarioCumulative> e : scenarios.entrySet()) {
      MergedRun.ScenarioInterval part = byName.get(e.getKey());
      List<TestFigures> mine = new ArrayList<>();
      for (TestFigures t : part == null ? List.<TestFigures>of() : part.tests()) {
        TestFigures n = t.as(t.test(), descriptions.getOrDefault(t.test(), t.description()));
        mine.add(n);
        e.getValue().tests.computeIfAbsent(t.test(), k -> new Cumulative()).add(n, full);
        p.scenarios
            .computeIfAbsent(e.getKey(), k -> new TreeMap<>())
            .computeIfAbsent(t.test(), k -> new Cumulative())
            .add(n, full);
      }
      mine.sort((a, b) -> Integer.compare(a.test(), b.test()));
      int users = part == null ? 0 : part.activeUsers();
      TestFigures scenarioTotals = totals(mine, length, -1);
      e.getValue().users = Math.max(e.getValue().users, users);
      e.getValue().peak = Math.max(e.getValue().peak, full ? scenarioTotals.tps() : 0);
      intervalScenarios.add(new ScenarioResult(e.getKey(), users, mine, scenarioTotals));
    }
    IntervalSnapshot s =
        new IntervalSnapshot(
            sequence,
            phase,
            phaseIndex,
            startMs,
            endMs,
            endMs - info.startEpochMillis(),
            activeUsers,
            named,
            totals,
            late,
            lateStarts,
            intervalScenarios);
    workers.forEach(w -> w.interval(s));
  }

  private int phaseIndex(String name) {
    for (int i = 0; i < config.phases().size(); i++) {
      if (config.phases().get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Ends the run: the summary of every interval fed, thresholds checked on the merged figures,
   * written by every sink.
   *
   * @param notes what the summary should say went wrong (lost agents and the span they missed)
   * @param lateness how late the run's iterations started (µs), merged over the agents; null to
   *     keep what the intervals carried
   * @param lateStarts with {@code lateness}: the iterations that started more than 10 ms late
   * @param skippedPacedStarts paced starts the processes' users skipped, summed
   */
  public RunSummary finish(
      long endMs,
      List<String> notes,
      boolean interrupted,
      long droppedStarts,
      Map<String, Long> iterationFailures,
      long droppedDataLogRows,
      Histogram lateness,
      long lateStarts,
      long skippedPacedStarts) {
    if (lateness != null) {
      this.lateness.reset();
      this.lateness.add(lateness);
      this.lateStarts = lateStarts;
    }
    long end = Math.max(endMs, lastEnd);
    long length = Math.max(1, end - info.startEpochMillis());
    List<TestFigures> tests = new ArrayList<>();
    for (Map.Entry<Integer, Cumulative> e : run.entrySet()) {
      tests.add(e.getValue().figures(e.getKey(), length));
    }
    TestFigures totals = totals(tests, length, runPeak);
    List<RunSummary.PhaseResult> phaseResults = new ArrayList<>();
    List<Map<String, List<TestFigures>>> phaseScenarios = new ArrayList<>();
    for (PhaseCumulative p : phases) {
      long pl = Math.max(1, p.end - p.start);
      List<TestFigures> pt = new ArrayList<>();
      for (Map.Entry<Integer, Cumulative> e : p.tests.entrySet()) {
        pt.add(e.getValue().figures(e.getKey(), pl));
      }
      Map<String, List<TestFigures>> byScenario = new LinkedHashMap<>();
      p.scenarios.forEach(
          (name, byTest) -> {
            List<TestFigures> st = new ArrayList<>();
            byTest.forEach((n, c) -> st.add(c.figures(n, pl)));
            byScenario.put(name, st);
          });
      phaseScenarios.add(byScenario);
      phaseResults.add(
          new RunSummary.PhaseResult(
              p.name, p.start, p.end, pt, totals(pt, pl, p.peak), p.lateness));
    }
    List<ScenarioResult> scenarioResults = new ArrayList<>();
    for (Map.Entry<String, ScenarioCumulative> e : scenarios.entrySet()) {
      List<TestFigures> st = new ArrayList<>();
      for (Map.Entry<Integer, Cumulative> t : e.getValue().tests.entrySet()) {
        st.add(t.getValue().figures(t.getKey(), length));
      }
      scenarioResults.add(
          new ScenarioResult(
              e.getKey(), e.getValue().users, st, totals(st, length, e.getValue().peak)));
    }
    problems.addAll(notes);
    // Corrected as one process corrects its own: with the run's (whole) loads and the merged
    // calls of each phase, so the same calls give the same corrected figures.
    RunSummary.Omission omission =
        OmissionCheck.check(
            config.phases(),
            phaseResults,
            phaseScenarios,
            tests,
            totals,
            scenarioResults,
            schema,
            skippedPacedStarts);
    RunSummary summary =
        summary(
            end,
            tests,
            totals,
            phaseResults,
            ThresholdCheck.check(
                config.thresholds(), tests, totals, phaseResults, scenarioResults, null),
            droppedStarts,
            new LinkedHashMap<>(iterationFailures),
            droppedDataLogRows,
            interrupted,
            omission,
            scenarioResults);
    for (SinkWorker w : workers) {
      w.finish(summary, 60_000);
    }
    // Again, with what the sinks said as they finished.
    return summary(
        end,
        tests,
        totals,
        phaseResults,
        summary.thresholds(),
        droppedStarts,
        summary.iterationFailures(),
        droppedDataLogRows,
        interrupted,
        omission,
        scenarioResults);
  }

  private RunSummary summary(
      long end,
      List<TestFigures> tests,
      TestFigures totals,
      List<RunSummary.PhaseResult> phaseResults,
      List<RunSummary.ThresholdResult> thresholds,
      long droppedStarts,
      Map<String, Long> iterationFailures,
      long droppedDataLogRows,
      boolean interrupted,
      RunSummary.Omission omission,
      List<ScenarioResult> scenarioResults) {
    return new RunSummary(
        info,
        end,
        tests,
        totals,
        phaseResults,
        thresholds,
        lateness,
        lateStarts,
        droppedStarts,
        iterationFailures,
        droppedDataLogRows,
        List.copyOf(problems),
        interrupted,
        null,
        omission,
        List.of(),
        scenarioResults);
  }

  private TestFigures totals(List<TestFigures> tests, long lengthMillis, double peak) {
    return Collector.totals(schema, tests, lengthMillis, peak);
  }

  /** One test's figures so far: the intervals fed, merged. */
  private final class Cumulative {
    // Running sums: each interval is added once, so a long run costs the same per interval.
    final StatisticsSet statistics = new StatisticsSet(schema);
    final Histogram successes = Histograms.newHistogram();
    final Histogram failures = Histograms.newHistogram();
    long cancelled;
    double peak;
    boolean composite;
    String description = "";

    void add(TestFigures interval, boolean full) {
      if (full) {
        peak = Math.max(peak, interval.tps());
      }
      composite = interval.composite();
      description = interval.description();
      cancelled += interval.addTo(statistics, successes, failures);
    }

    TestFigures figures(int test, long lengthMillis) {
      return new TestFigures(
          test,
          descriptions.getOrDefault(test, description),
          composite,
          lengthMillis,
          peak,
          statistics,
          successes,
          failures,
          cancelled);
    }
  }

  /** One scenario's figures so far, with the most users it had at an interval's end. */
  private final class ScenarioCumulative {
    final Map<Integer, Cumulative> tests = new TreeMap<>();
    int users;
    double peak;
  }

  private final class PhaseCumulative {
    final String name;
    final int index;
    final long start;
    long end;
    double peak;
    final Map<Integer, Cumulative> tests = new TreeMap<>();
    final Map<String, Map<Integer, Cumulative>> scenarios = new LinkedHashMap<>();
    final Histogram lateness = Histograms.newHistogram();

    PhaseCumulative(String name, int index, long start) {
      this.name = name;
      this.index = index;
      this.start = start;
      this.end = start;
    }
  }
}
