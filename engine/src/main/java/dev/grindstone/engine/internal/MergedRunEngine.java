package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.ConsoleSink;
import dev.grindstone.engine.sink.HdrLogSink;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.ResultsFilesSink;
import dev.grindstone.engine.sink.ResultsFolder;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import dev.grindstone.engine.sink.SummaryFileSink;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.StatisticsSchema;
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
  private final Histogram lateness = Histograms.newHistogram();
  private long lateStarts;
  private double runPeak;
  private long lastEnd;

  /**
   * @param plugins the run's plug-ins (the scenario's and the run file's), whose statistics the
   *     agents' snapshots carry
   * @param startEpochMillis when the agents started (server time)
   */
  public MergedRunEngine(
      RunConfig config, List<Plugin> plugins, PrintStream console, long startEpochMillis) {
    this.config = config;
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
   */
  public void interval(
      long sequence,
      String phase,
      long startMs,
      long endMs,
      int activeUsers,
      long lateStarts,
      Histogram lateness,
      List<TestFigures> tests) {
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
            lateStarts);
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
   */
  public RunSummary finish(
      long endMs,
      List<String> notes,
      boolean interrupted,
      long droppedStarts,
      Map<String, Long> iterationFailures,
      long droppedDataLogRows,
      Histogram lateness,
      long lateStarts) {
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
    for (PhaseCumulative p : phases) {
      long pl = Math.max(1, p.end - p.start);
      List<TestFigures> pt = new ArrayList<>();
      for (Map.Entry<Integer, Cumulative> e : p.tests.entrySet()) {
        pt.add(e.getValue().figures(e.getKey(), pl));
      }
      phaseResults.add(
          new RunSummary.PhaseResult(
              p.name, p.start, p.end, pt, totals(pt, pl, p.peak), p.lateness));
    }
    problems.addAll(notes);
    RunSummary summary =
        new RunSummary(
            info,
            end,
            tests,
            totals,
            phaseResults,
            ThresholdCheck.check(config.thresholds(), tests, totals, phaseResults, List.of(), null),
            lateness,
            lateStarts,
            droppedStarts,
            new LinkedHashMap<>(iterationFailures),
            droppedDataLogRows,
            List.copyOf(problems),
            interrupted);
    for (SinkWorker w : workers) {
      w.finish(summary, 60_000);
    }
    return new RunSummary(
        info,
        end,
        tests,
        totals,
        phaseResults,
        summary.thresholds(),
        lateness,
        lateStarts,
        droppedStarts,
        summary.iterationFailures(),
        droppedDataLogRows,
        List.copyOf(problems),
        interrupted);
  }

  private TestFigures totals(List<TestFigures> tests, long lengthMillis, double peak) {
    return Collector.totals(schema, tests, lengthMillis, peak);
  }

  /** One test's figures so far: the intervals fed, merged. */
  private final class Cumulative {
    final List<TestFigures> parts = new ArrayList<>();
    double peak;
    boolean composite;
    String description = "";

    void add(TestFigures interval, boolean full) {
      if (full) {
        peak = Math.max(peak, interval.tps());
      }
      composite = interval.composite();
      description = interval.description();
      // Folded at once, so a long run keeps one set of figures per test, not one per interval.
      TestFigures merged =
          TestFigures.merge(
              interval.test(),
              description,
              composite,
              interval.spanMillis(),
              0,
              schema,
              parts.isEmpty() ? List.of(interval) : List.of(parts.getFirst(), interval));
      parts.clear();
      parts.add(merged);
    }

    TestFigures figures(int test, long lengthMillis) {
      return TestFigures.merge(
          test,
          descriptions.getOrDefault(test, description),
          composite,
          lengthMillis,
          peak,
          schema,
          parts);
    }
  }

  private final class PhaseCumulative {
    final String name;
    final int index;
    final long start;
    long end;
    double peak;
    final Map<Integer, Cumulative> tests = new TreeMap<>();
    final Histogram lateness = Histograms.newHistogram();

    PhaseCumulative(String name, int index, long start) {
      this.name = name;
      this.index = index;
      this.start = start;
      this.end = start;
    }
  }
}
