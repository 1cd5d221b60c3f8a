package dev.grindstone.junit;

import dev.grindstone.junit.internal.Py;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One test run, as pytest-monitor's {@code TEST_SESSIONS} row. Immutable.
 *
 * @param runDate naive local start time of the run
 * @param scmRef the commit checked out ({@code ""} when unknown)
 * @param description the free-text description given by the user ({@code ""} when none)
 * @param descriptionObject CI variables, the description and the tags, in pytest-monitor's order
 */
public record MonitorSession(
    LocalDateTime runDate,
    String scmRef,
    String description,
    Map<String, String> descriptionObject) {

  public MonitorSession {
    descriptionObject =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(descriptionObject));
  }

  /**
   * Builds the session as pytest-monitor does: CI variables first, then {@code description} when
   * not empty, then each tag (a later tag with the same key wins).
   */
  public static MonitorSession of(
      LocalDateTime runDate,
      String scmRef,
      String description,
      Map<String, String> ciInfo,
      Map<String, String> tags) {
    Map<String, String> d = new LinkedHashMap<>(ciInfo);
    if (!description.isEmpty()) d.put("description", description);
    d.putAll(tags);
    return new MonitorSession(runDate, scmRef, description, d);
  }

  /** {@code run_date} text: naive local ISO-8601, microseconds left out when zero. */
  public String runDateText() {
    return Py.isoformat(runDate);
  }

  /** pytest-monitor's session hash: md5(scm_ref + run_date + description text). */
  public String hash() {
    return Py.md5(scmRef, runDateText(), description);
  }

  /**
   * The {@code RUN_DESCRIPTION} column: the description object as Python's json.dumps writes it.
   */
  public String descriptionJsonText() {
    return Py.jsonDumps(descriptionObject);
  }

  /** The body of {@code POST /sessions/}. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("session_h", hash());
    m.put("run_date", runDateText());
    m.put("scm_ref", scmRef);
    m.put("description", descriptionObject);
    return m;
  }
}
