package dev.grindstone.report;

import java.util.List;
import java.util.Objects;

/**
 * What {@code POST /api/v1/runs} creates: a run shared by every agent that posts the same id.
 *
 * @param id run id chosen by the caller (1-64 of {@code [A-Za-z0-9._-]}), so snapshots can be
 *     spooled before the server has answered
 * @param startMs epoch milliseconds
 */
public record RunSpec(
    String id, String name, String agent, List<Phase> phases, List<TestInfo> tests, long startMs) {
  public RunSpec {
    Objects.requireNonNull(id, "id");
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "id: must be 1-64 letters, digits, '.', '_' or '-', got '" + id + "'");
    }
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(agent, "agent");
    phases = List.copyOf(phases);
    tests = List.copyOf(tests);
  }

  /** A phase of the run; {@code durationMs} is its planned length. */
  public record Phase(String name, long durationMs) {}

  /** A numbered, described test. */
  public record TestInfo(int number, String description) {}
}
