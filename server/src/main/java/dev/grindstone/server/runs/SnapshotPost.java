package dev.grindstone.server.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/runs/<id>/snapshots}: one agent's interval snapshot, idempotent by agent and
 * sequence number.
 *
 * @param startMs epoch milliseconds
 * @param endMs epoch milliseconds, not before {@code startMs}
 * @param tests the entries, checked ({@link SnapshotTests})
 * @param testsJson the {@code tests} array as posted, which is what the store keeps: its text as it
 *     came (see {@link JsonBody#postedText})
 * @param activeUsers virtual users running at the end of the interval, or null (for {@code
 *     /metrics}, and kept for the controller of a distributed run)
 * @param lateStarts iterations of the interval that started more than 10 ms late, or null (the
 *     same)
 * @param scenarios in a run of several scenarios, each one's figures, checked; empty otherwise (and
 *     in snapshots of clients that do not send them)
 * @param scenariosJson the {@code scenarios} array as posted, which the store keeps; null when
 *     absent
 */
record SnapshotPost(
    String runId,
    String agent,
    long seq,
    String phase,
    long startMs,
    long endMs,
    List<TestEntry> tests,
    String testsJson,
    Integer activeUsers,
    Long lateStarts,
    List<ScenarioEntry> scenarios,
    String scenariosJson) {

  /** At most this many scenarios in one snapshot. */
  static final int MAX_SCENARIOS = 1000;

  private static final Pattern SCENARIO_NAME = Pattern.compile("[A-Za-z0-9._-]{1,256}");

  SnapshotPost {
    tests = List.copyOf(tests);
    scenarios = List.copyOf(scenarios);
  }

  /**
   * One scenario's figures in a snapshot.
   *
   * @param activeUsers its virtual users running at the end of the interval, or null
   */
  record ScenarioEntry(String name, Integer activeUsers, List<TestEntry> tests) {
    ScenarioEntry {
      tests = List.copyOf(tests);
    }
  }

  /**
   * Reads and checks a body.
   *
   * @throws ApiError 400 naming the field at fault
   */
  static SnapshotPost parse(String runId, JsonBody b) {
    String agent = b.text("agent", 256);
    long seq = b.integer("seq", 0, Long.MAX_VALUE);
    String phase = b.optText("phase", 256, null);
    long start = b.integer("startMs", 0, Long.MAX_VALUE);
    long end = b.integer("endMs", 0, Long.MAX_VALUE);
    if (end < start) {
      throw ApiError.badRequest(
          "endMs", "'endMs' (" + end + ") must not be before 'startMs' (" + start + ")");
    }
    // Live figures for /metrics and a distributed run's controller; no figure of the run's reads
    // them.
    Integer activeUsers =
        b.has("activeUsers") ? (int) b.integer("activeUsers", 0, Integer.MAX_VALUE) : null;
    Long lateStarts = b.has("lateStarts") ? b.integer("lateStarts", 0, Limits.MAX_COUNT) : null;
    JsonNode tests = b.raw("tests");
    List<TestEntry> entries = SnapshotTests.parse(tests);
    JsonNode scenarios = b.raw("scenarios");
    List<ScenarioEntry> perScenario =
        scenarios == null || scenarios.isNull() ? List.of() : scenarios(scenarios, entries);
    return new SnapshotPost(
        runId,
        agent,
        seq,
        phase,
        start,
        end,
        entries,
        b.postedText("tests"),
        activeUsers,
        lateStarts,
        perScenario,
        perScenario.isEmpty() ? null : b.postedText("scenarios"));
  }

  /**
   * Each scenario's figures, checked as {@code tests} is; their calls must add up to those of
   * {@code tests}, test by test, or the run's figures and its scenarios' would disagree.
   */
  private static List<ScenarioEntry> scenarios(JsonNode node, List<TestEntry> tests) {
    if (!node.isArray()) {
      throw ApiError.badRequest(
          "scenarios", "'scenarios' must be a JSON array, got " + JsonBody.kind(node));
    }
    if (node.size() > MAX_SCENARIOS) {
      throw ApiError.badRequest(
          "scenarios",
          "'scenarios' holds "
              + node.size()
              + " scenarios; a snapshot takes at most "
              + MAX_SCENARIOS);
    }
    List<ScenarioEntry> out = new ArrayList<>(node.size());
    Set<String> names = new HashSet<>();
    Map<Integer, long[]> calls = new HashMap<>();
    for (int k = 0; k < node.size(); k++) {
      String where = "scenarios[" + k + "]";
      JsonBody sc = JsonBody.of(node.get(k), where);
      String name = sc.text("name", 256);
      if (!SCENARIO_NAME.matcher(name).matches()) {
        throw ApiError.badRequest(
            sc.path("name"),
            "a scenario name is letters, digits, '.', '_' or '-', got '" + name + "'");
      }
      if (!names.add(name)) {
        throw ApiError.badRequest(sc.path("name"), "the scenario '" + name + "' is given twice");
      }
      Integer users =
          sc.has("activeUsers") ? (int) sc.integer("activeUsers", 0, Integer.MAX_VALUE) : null;
      List<TestEntry> entries = SnapshotTests.parse(sc.raw("tests"), where + ".tests");
      for (TestEntry e : entries) {
        long[] c = calls.computeIfAbsent(e.number(), n -> new long[2]);
        c[0] += e.tests();
        c[1] += e.errors();
      }
      out.add(new ScenarioEntry(name, users, entries));
    }
    for (TestEntry t : tests) {
      long[] c = calls.getOrDefault(t.number(), new long[2]);
      if (c[0] != t.tests() || c[1] != t.errors()) {
        throw ApiError.badRequest(
            "scenarios",
            "the scenarios' calls of test "
                + t.number()
                + " ("
                + c[0]
                + " tests, "
                + c[1]
                + " errors) do not add up to those in 'tests' ("
                + t.tests()
                + " tests, "
                + t.errors()
                + " errors)");
      }
      calls.remove(t.number());
    }
    if (!calls.isEmpty()) {
      throw ApiError.badRequest(
          "scenarios",
          "the scenarios name test "
              + calls.keySet().iterator().next()
              + ", which 'tests' has not");
    }
    return out;
  }
}
