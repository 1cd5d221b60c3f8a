package dev.grindstone.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.grindstone.compare.Comparison.TestComparison;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Comparison} as text (the console, summary.txt), JSON and Markdown (pull-request
 * comments).
 */
public final class ComparisonReport {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private ComparisonReport() {}

  /** The output formats. */
  public enum Format {
    TEXT,
    JSON,
    MARKDOWN
  }

  public static String render(Comparison c, Format format) {
    return switch (format) {
      case TEXT -> text(c);
      case JSON -> json(c);
      case MARKDOWN -> markdown(c);
    };
  }

  /** How the noise test was done, in one sentence. */
  public static String method(Comparison c) {
    return "Mann-Whitney U test of each figure's per-interval values in A against those in B"
        + " (full intervals only), two-sided; significant when p < "
        + Numbers.trim(c.options().alpha())
        + ".";
  }

  // ---------------------------------------------------------------- text

  public static String text(Comparison c) {
    StringBuilder b = new StringBuilder();
    b.append("Comparison with the baseline (A)\n");
    b.append("  A  ").append(describe(c.a())).append('\n');
    b.append("  B  ").append(describe(c.b())).append('\n');
    b.append("  Noise: ").append(method(c)).append("\n\n");
    for (TestComparison tc : c.tests()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-24s %-14s %-14s %-12s %s%n",
              Comparison.scopeText(tc),
              "A",
              "B",
              "change",
              "noise"));
      for (Change ch : tc.changes()) {
        b.append(
                String.format(
                        Locale.ROOT,
                        "  %-22s %-14s %-14s %-12s %s",
                        label(ch.metric()),
                        value(ch.a(), ch.metric()),
                        value(ch.b(), ch.metric()),
                        ch.describe(),
                        ch.noise().describe())
                    .stripTrailing())
            .append('\n');
      }
      b.append('\n');
    }
    appendOnlyIn(b, "Only in A", c.onlyInA());
    appendOnlyIn(b, "Only in B", c.onlyInB());
    if (!c.notes().isEmpty()) {
      b.append("Notes\n");
      c.notes().forEach(n -> b.append("  ").append(n).append('\n'));
      b.append('\n');
    }
    b.append("Tolerances\n");
    if (c.tolerances().isEmpty()) {
      b.append("  none given\n");
    }
    for (RuleResult r : c.tolerances()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %s  %-36s %s%n",
              r.passed() ? "PASS" : "FAIL",
              r.rule(),
              r.message()));
    }
    b.append("  ").append(verdict(c)).append('\n');
    return b.toString();
  }

  private static void appendOnlyIn(StringBuilder b, String title, List<TestResults> tests) {
    if (tests.isEmpty()) {
      return;
    }
    b.append(title).append('\n');
    for (TestResults t : tests) {
      b.append("  ")
          .append(t.scope())
          .append(t.description().isEmpty() ? "" : " \"" + t.description() + "\"")
          .append('\n');
    }
    b.append('\n');
  }

  private static String describe(RunResults r) {
    return r.id()
        + " ("
        + r.source()
        + "), "
        + r.name()
        + ", started "
        + WHEN.format(Instant.ofEpochMilli(r.startMs()))
        + ", "
        + Numbers.fixed(r.durationSeconds())
        + " s";
  }

  /**
   * "regressed: 2 of 8 tolerances broken", "no regression: all 8 tolerances kept", "no tolerances
   * given".
   */
  public static String verdict(Comparison c) {
    int n = c.tolerances().size();
    long broken = c.tolerances().stream().filter(r -> !r.passed()).count();
    if (n == 0) {
      return "No tolerances given: nothing can regress.";
    }
    return broken > 0
        ? "Regressed: " + broken + " of " + n + " tolerance checks failed."
        : "No regression: all " + n + " tolerance checks passed.";
  }

  private static String label(Metric m) {
    return m.unit().equals("ms")
        ? m.label() + " (ms)"
        : m.unit().equals("%") ? m.label() + " (%)" : m.label();
  }

  private static String value(double v, Metric m) {
    return m == Metric.COUNT ? (Double.isNaN(v) ? "-" : Long.toString((long) v)) : Numbers.fixed(v);
  }

  // ---------------------------------------------------------------- JSON

  /**
   * The comparison as a JSON tree of maps and lists (NaN as null), to embed in another document.
   */
  public static Map<String, Object> tree(Comparison c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", run(c.a()));
    m.put("b", run(c.b()));
    Map<String, Object> noise = new LinkedHashMap<>();
    noise.put("test", "Mann-Whitney U, two-sided, on per-interval figures (full intervals only)");
    noise.put("alpha", c.options().alpha());
    m.put("noise", noise);
    List<Map<String, Object>> tests = new ArrayList<>();
    for (TestComparison tc : c.tests()) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("test", tc.test() < 0 ? "Totals" : tc.test());
      t.put("description", tc.description());
      Map<String, Object> metrics = new LinkedHashMap<>();
      for (Change ch : tc.changes()) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("a", num(ch.a()));
        x.put("b", num(ch.b()));
        x.put("difference", num(ch.difference()));
        x.put("changePercent", ch.metric().changesInPoints() ? null : num(ch.relativePercent()));
        x.put("noise", ch.noise().verdict().text());
        x.put("p", num(ch.noise().p()));
        x.put("intervalsA", ch.noise().intervalsA());
        x.put("intervalsB", ch.noise().intervalsB());
        metrics.put(ch.metric().key(), x);
      }
      t.put("metrics", metrics);
      tests.add(t);
    }
    m.put("tests", tests);
    m.put("onlyInA", c.onlyInA().stream().map(TestResults::test).toList());
    m.put("onlyInB", c.onlyInB().stream().map(TestResults::test).toList());
    m.put("notes", c.notes());
    List<Map<String, Object>> rules = new ArrayList<>();
    for (RuleResult r : c.tolerances()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("rule", r.rule());
      x.put("scope", r.scope());
      x.put("passed", r.passed());
      x.put("actual", r.actual());
      x.put("expected", r.expected());
      x.put("message", r.message());
      rules.add(x);
    }
    m.put("tolerances", rules);
    m.put("regressed", c.regressed());
    return m;
  }

  public static String json(Comparison c) {
    try {
      return MAPPER.writeValueAsString(tree(c)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a comparison cannot be written as JSON", e);
    }
  }

  private static Map<String, Object> run(RunResults r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", r.source());
    m.put("id", r.id());
    m.put("name", r.name());
    m.put("startMs", r.startMs());
    m.put("endMs", r.endMs());
    return m;
  }

  private static Object num(double v) {
    return Double.isFinite(v) ? v : null;
  }

  // ---------------------------------------------------------------- Markdown

  /**
   * A GitHub-flavoured Markdown summary for a pull-request comment: the verdict, the broken
   * tolerances, then one table per test. Every string from the runs is escaped.
   */
  public static String markdown(Comparison c) {
    StringBuilder b = new StringBuilder();
    b.append("### Load test: ").append(md(c.b().name())).append(" against its baseline\n\n");
    b.append("**").append(md(verdict(c))).append("**\n\n");
    b.append("A (baseline): `")
        .append(code(c.a().id()))
        .append("`, ")
        .append(Numbers.fixed(c.a().durationSeconds()))
        .append(" s · B: `")
        .append(code(c.b().id()))
        .append("`, ")
        .append(Numbers.fixed(c.b().durationSeconds()))
        .append(" s\n\n");
    List<RuleResult> failed = c.tolerances().stream().filter(r -> !r.passed()).toList();
    if (!failed.isEmpty()) {
      b.append("| broken tolerance | where | change |\n|---|---|---|\n");
      for (RuleResult r : failed) {
        b.append("| ")
            .append(md(r.rule()))
            .append(" | ")
            .append(md(r.scope()))
            .append(" | ")
            .append(md(r.actual()))
            .append(" |\n");
      }
      b.append('\n');
    }
    b.append("| test | metric | A | B | change | noise |\n|---|---|---:|---:|---:|---|\n");
    for (TestComparison tc : c.tests()) {
      String scope = md(Comparison.scopeText(tc));
      for (Change ch : tc.changes()) {
        String noise =
            ch.noise().verdict() == Noise.Verdict.SIGNIFICANT
                ? "**" + md(ch.noise().describe()) + "**"
                : md(ch.noise().describe());
        b.append("| ")
            .append(scope)
            .append(" | ")
            .append(md(label(ch.metric())))
            .append(" | ")
            .append(value(ch.a(), ch.metric()))
            .append(" | ")
            .append(value(ch.b(), ch.metric()))
            .append(" | ")
            .append(md(ch.describe()))
            .append(" | ")
            .append(noise)
            .append(" |\n");
        scope = "";
      }
    }
    b.append('\n');
    for (TestResults t : c.onlyInA()) {
      b.append("- Only in A: ").append(md(t.scope() + " " + t.description()).trim()).append('\n');
    }
    for (TestResults t : c.onlyInB()) {
      b.append("- Only in B: ").append(md(t.scope() + " " + t.description()).trim()).append('\n');
    }
    for (String n : c.notes()) {
      b.append("- ").append(md(n)).append('\n');
    }
    b.append("\n<sub>Noise: ").append(md(method(c))).append("</sub>\n");
    return b.toString();
  }

  /** Text safe inside a Markdown table cell: no markup, no HTML, no line breaks, no cell ends. */
  static String md(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '\n', '\r' -> b.append(' ');
        case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '!' -> b.append('\\').append(ch);
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  /** Text inside an inline code span: backticks cannot be escaped there, so they become quotes. */
  private static String code(String s) {
    return s.replace('`', '\'').replace('\n', ' ').replace('\r', ' ').replace("|", "\\|");
  }
}
