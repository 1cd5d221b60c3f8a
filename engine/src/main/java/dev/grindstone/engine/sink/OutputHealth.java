package dev.grindstone.engine.sink;

/**
 * How one of a run's outputs (a sink, or a call listener) fared: what it took, how often it failed,
 * and whether it was stopped.
 *
 * @param kind what the output is
 * @param name its name
 * @param delivered events (sinks: the start, interval snapshots, the summary) or call records
 *     (listeners) it took without failing
 * @param failures attempts that threw
 * @param lost events or records it never took: those given up on when it was stopped, those it
 *     missed while lagging, and (listeners) records whose {@code accept} threw
 * @param stopped true when it was stopped after too many failures in a row
 * @param lastFailure the last failure, or null when there was none
 */
public record OutputHealth(
    Kind kind,
    String name,
    long delivered,
    long failures,
    long lost,
    boolean stopped,
    String lastFailure) {

  /** The kinds of output. */
  public enum Kind {
    SINK,
    CALL_LISTENER
  }
}
