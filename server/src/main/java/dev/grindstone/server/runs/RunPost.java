package dev.grindstone.server.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/runs}: creates a run, or joins it (tests, phases and the agent are merged)
 * when its id exists.
 *
 * @param startMs epoch milliseconds
 */
record RunPost(
    String id, String name, String agent, long startMs, List<Phase> phases, List<TestInfo> tests) {
  /** A run id: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** A planned phase, at its position in the run. */
  record Phase(String name, int position, long durationMs) {}

  /** A numbered, described test. */
  record TestInfo(int number, String description) {}

  RunPost {
    phases = List.copyOf(phases);
    tests = List.copyOf(tests);
  }

  /**
   * Reads and checks a body; a run without an id gets one made from {@code clock}, and without a
   * start, the clock's time.
   *
   * @throws ApiError 400 naming the field at fault
   */
  static RunPost parse(JsonBody b, Clock clock) {
    String id = b.optText("id", 64, null);
    if (id == null) {
      id =
          Long.toString(clock.millis(), 36)
              + "-"
              + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    } else if (!ID.matcher(id).matches()) {
      throw ApiError.badRequest(
          "id",
          "'id' must be 1-64 letters, digits, '.', '_' or '-' and start with a letter or digit, got"
              + " '"
              + id
              + "'");
    }
    String name = b.text("name", 512);
    String agent = b.optText("agent", 256, "default");
    long startMs = b.optInteger("startMs", clock.millis(), 0, Long.MAX_VALUE);
    List<Phase> phases = new ArrayList<>();
    JsonNode ph = b.optArray("phases");
    if (ph != null) {
      for (int i = 0; i < ph.size(); i++) {
        JsonBody p = JsonBody.of(ph.get(i), "phases[" + i + "]");
        long d = p.optInteger("durationMs", 0, 0, Long.MAX_VALUE);
        phases.add(new Phase(p.text("name", 256), i, d));
      }
    }
    List<TestInfo> tests = new ArrayList<>();
    JsonNode ts = b.optArray("tests");
    if (ts != null) {
      for (int i = 0; i < ts.size(); i++) {
        JsonBody t = JsonBody.of(ts.get(i), "tests[" + i + "]");
        tests.add(
            new TestInfo(
                (int) t.integer("number", 0, Integer.MAX_VALUE),
                t.optText("description", 1024, "")));
      }
    }
    return new RunPost(id, name, agent, startMs, phases, tests);
  }
}
