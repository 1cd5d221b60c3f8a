package dev.grindstone.engine.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The machine-readable results (results.json, and the data behind report.html): the run, its
 * phases, per-test totals, in a run of several scenarios each one's tests, totals and users, and
 * the per-interval series. Times in milliseconds; NaN as null.
 */
public final class ResultsDocument {

  /**
   * Made on first use, on a sink's thread: loading Jackson takes a moment we keep off the run's
   * start.
   */
  private static final class Json {
    static final ObjectMapper MAPPER =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private final List<Map<String, Object>> intervals = new ArrayList<>();
  private long periodMillis = 1;

  /** Intervals shorter than half of this are marked partial (cut by a phase boundary). */
  public void period(long millis) {
    periodMillis = millis;
  }

  /** Keeps the figures of one interval for the series. */
  public void add(IntervalSnapshot s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sequence", s.sequence());
    m.put("phase", s.phase());
    m.put("startMs", s.startEpochMillis());
    m.put("endMs", s.endEpochMillis());
    m.put("elapsedMs", s.elapsedMillis());
    m.put("partial", s.lengthMillis() < periodMillis / 2);
    m.put("activeUsers", s.activeUsers());
    m.put("totals", brief(s.totals()));
    Map<String, Object> scheduling = lateness(s.lateness());
    scheduling.put("starts", s.lateness().getTotalCount());
    scheduling.put("lateStarts", s.lateStarts());
    m.put("scheduling", scheduling);
    List<Map<String, Object>> tests = new ArrayList<>();
    for (TestFigures t : s.tests()) {
      Map<String, Object> b = brief(t);
      b.put("test", t.test());
      tests.add(b);
    }
    m.put("tests", tests);
    if (!s.scenarios().isEmpty()) {
      List<Map<String, Object>> scenarios = new ArrayList<>();
      for (ScenarioResult r : s.scenarios()) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", r.name());
        b.put("activeUsers", r.users());
        b.put("totals", brief(r.totals()));
        scenarios.add(b);
      }
      m.put("scenarios", scenarios);
    }
    intervals.add(m);
  }

  private static Map<String, Object> brief(TestFigures t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tests", t.tests());
    m.put("errors", t.errors());
    m.put("tps", num(t.tps()));
    m.put("mean", num(t.meanMillis()));
    m.put("p50", num(t.percentileMillis(50)));
    m.put("p90", num(t.percentileMillis(90)));
    m.put("p95", num(t.percentileMillis(95)));
    m.put("p99", num(t.percentileMillis(99)));
    m.put("max", num(t.maxMillis()));
    return m;
  }

  /** The whole document. */
  public Map<String, Object> build(RunSummary s) {
    Map<String, Object> doc = new LinkedHashMap<>();
    RunInfo info = s.info();
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("name", info.name());
    run.put("startMs", info.startEpochMillis());
    run.put("endMs", s.endEpochMillis());
    run.put("durationMs", s.endEpochMillis() - info.startEpochMillis());
    run.put("periodMs", info.period().toMillis());
    run.put("interrupted", s.interrupted());
    run.put("thresholdsPassed", s.thresholdsPassed());
    if (s.abort() != null) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("threshold", s.abort().threshold());
      a.put("scope", s.abort().scope());
      a.put("actual", num(s.abort().actual()));
      a.put("atMs", s.abort().atMillis());
      run.put("abortedBy", a);
    }
    doc.put("run", run);
    List<Map<String, Object>> phases = new ArrayList<>();
    for (PhaseResult p : s.phases()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p.name());
      m.put("startMs", p.startEpochMillis());
      m.put("endMs", p.endEpochMillis());
      m.put("tests", tests(info, p.tests()));
      m.put("totals", test(info, p.totals()));
      m.put("scheduling", lateness(p.lateness()));
      phases.add(m);
    }
    doc.put("phases", phases);
    doc.put("tests", tests(info, s.tests()));
    doc.put("totals", test(info, s.totals()));
    if (!s.scenarios().isEmpty()) {
      List<Map<String, Object>> scenarios = new ArrayList<>();
      for (ScenarioResult r : s.scenarios()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("maxUsers", r.users());
        m.put("tests", tests(info, r.tests()));
        m.put("totals", test(info, r.totals()));
        scenarios.add(m);
      }
      doc.put("scenarios", scenarios);
    }
    doc.put("latencyDistribution", distribution(s.totals().successes()));
    List<Map<String, Object>> thresholds = new ArrayList<>();
    for (ThresholdResult t : s.thresholds()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("threshold", t.threshold());
      m.put("scope", t.scope());
      m.put("actual", num(t.actual()));
      m.put("passed", t.passed());
      if (!t.detail().isEmpty()) {
        m.put("detail", t.detail());
      }
      thresholds.add(m);
    }
    doc.put("thresholds", thresholds);
    Map<String, Object> scheduling = lateness(s.lateness());
    scheduling.put("lateStarts", s.lateStarts());
    scheduling.put("droppedStarts", s.droppedStarts());
    doc.put("scheduling", scheduling);
    RunSummary.Omission omission = s.omission();
    if (!omission.tests().isEmpty() || omission.skippedPacedStarts() > 0) {
      Map<String, Object> co = new LinkedHashMap<>();
      co.put("tests", corrected(info, omission.tests()));
      co.put("totals", omission.totals() == null ? null : test(info, omission.totals()));
      co.put("skippedPacedStarts", omission.skippedPacedStarts());
      if (!omission.scenarios().isEmpty()) {
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (RunSummary.ScenarioOmission o : omission.scenarios()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", o.name());
          m.put("tests", corrected(info, o.tests()));
          m.put("totals", test(info, o.totals()));
          scenarios.add(m);
        }
        co.put("scenarios", scenarios);
      }
      doc.put("coordinatedOmission", co);
    }
    doc.put("iterationFailures", s.iterationFailures());
    doc.put("droppedDataLogRows", s.droppedDataLogRows());
    List<Map<String, Object>> outputs = new ArrayList<>();
    for (OutputHealth o : s.outputs()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", o.kind() == OutputHealth.Kind.SINK ? "sink" : "callListener");
      m.put("name", o.name());
      m.put("delivered", o.delivered());
      m.put("failures", o.failures());
      m.put("lost", o.lost());
      m.put("stopped", o.stopped());
      m.put("lastFailure", o.lastFailure());
      outputs.add(m);
    }
    doc.put("outputs", outputs);
    doc.put("notes", SummaryText.notes(s));
    doc.put("intervals", intervals);
    return doc;
  }

  public String toJson(RunSummary s) throws Exception {
    return Json.MAPPER.writeValueAsString(build(s));
  }

  private static List<Map<String, Object>> corrected(
      RunInfo info, List<RunSummary.CorrectedTest> list) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (RunSummary.CorrectedTest c : list) {
      Map<String, Object> m = test(info, c.corrected());
      m.put("intendedCycle", c.cycle());
      m.put("stalls", c.stalls());
      m.put("omittedCalls", c.omittedCalls());
      out.add(m);
    }
    return out;
  }

  private static List<Map<String, Object>> tests(RunInfo info, List<TestFigures> list) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (TestFigures t : list) {
      out.add(test(info, t));
    }
    return out;
  }

  /** One test's (or the totals') figures, keyed as `grindstone analyze --format json` keys them. */
  static Map<String, Object> test(RunInfo info, TestFigures t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("test", t.isTotals() ? "Totals" : t.test());
    m.put("description", t.isTotals() ? "" : t.description());
    m.put("composite", t.composite());
    m.put("tests", t.tests());
    m.put("errors", t.errors());
    m.put("cancelled", t.cancelled());
    m.put("errorPercent", num(t.errorPercent()));
    m.put("meanTestTime", num(t.meanMillis()));
    m.put("testTimeStandardDeviation", num(t.standardDeviationMillis()));
    m.put("tps", num(t.tps()));
    m.put("peakTps", num(t.peakTps()));
    m.put("min", num(t.minMillis()));
    m.put("p50", num(t.percentileMillis(50)));
    m.put("p90", num(t.percentileMillis(90)));
    m.put("p95", num(t.percentileMillis(95)));
    m.put("p99", num(t.percentileMillis(99)));
    m.put("p999", num(t.percentileMillis(99.9)));
    m.put("max", num(t.maxMillis()));
    m.put("failedCalls", t.failedCalls());
    m.put("failedCallsMeanTime", num(t.failedCallsMeanMillis()));
    Map<String, Object> columns = new LinkedHashMap<>();
    for (ExpressionView v : info.summaryView().views()) {
      if (isStandard(v.displayName())) {
        continue;
      }
      Number value = t.value(v);
      columns.put(v.displayName(), value instanceof Double d ? num(d) : value);
    }
    if (!columns.isEmpty()) {
      m.put("columns", columns);
    }
    return m;
  }

  private static boolean isStandard(String name) {
    return name.equals(StandardViews.TESTS)
        || name.equals(StandardViews.ERRORS)
        || name.equals(StandardViews.MEAN_TEST_TIME)
        || name.equals(StandardViews.TEST_TIME_SD)
        || name.equals(StandardViews.TPS);
  }

  /** (percentile, ms) points of the latency distribution, for plotting. */
  static List<double[]> distribution(Histogram h) {
    List<double[]> points = new ArrayList<>();
    if (h.getTotalCount() == 0) {
      return points;
    }
    for (HistogramIterationValue v : h.percentiles(5)) {
      points.add(new double[] {v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1000.0});
      if (v.getPercentileLevelIteratedTo() >= 99.999) {
        break;
      }
    }
    return points;
  }

  /** Start lateness percentiles in ms (null when no iteration started). */
  private static Map<String, Object> lateness(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    boolean none = h.getTotalCount() == 0;
    m.put("latenessP50Ms", num(none ? Double.NaN : h.getValueAtPercentile(50) / 1000.0));
    m.put("latenessP99Ms", num(none ? Double.NaN : h.getValueAtPercentile(99) / 1000.0));
    m.put("latenessMaxMs", num(none ? Double.NaN : h.getMaxValue() / 1000.0));
    return m;
  }

  static Object num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
  }
}
