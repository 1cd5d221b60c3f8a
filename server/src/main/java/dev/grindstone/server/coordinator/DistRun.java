package dev.grindstone.server.coordinator;

import java.util.List;

/**
 * A distributed run as stored: what the controller asked for and where it stands.
 *
 * @param status {@code waiting} (for its agents), {@code running} (the start time is set), {@code
 *     stopping} (asked to stop), {@code done}, {@code failed}
 * @param startMs the start time T in server time (epoch ms), or null until every agent is ready
 * @param members every agent process that took an index, replaced ones included
 */
public record DistRun(
    String id,
    String name,
    int agents,
    String status,
    String runFile,
    String bundleSha256,
    long bundleBytes,
    long createdMs,
    long readyDeadlineMs,
    long leadMs,
    Long startMs,
    String onAgentLoss,
    long lossTimeoutMs,
    String reason,
    List<Member> members) {

  public DistRun {
    members = List.copyOf(members);
  }

  /** The same run with {@code members} instead of its own. */
  public DistRun withMembers(List<Member> members) {
    return new DistRun(
        id,
        name,
        agents,
        status,
        runFile,
        bundleSha256,
        bundleBytes,
        createdMs,
        readyDeadlineMs,
        leadMs,
        startMs,
        onAgentLoss,
        lossTimeoutMs,
        reason,
        members);
  }

  /**
   * One agent process of the run.
   *
   * @param status {@code assigned}, {@code ready}, {@code running}, {@code done}, {@code fenced}
   *     (replaced by a newer attempt of its index) or {@code lost} (stopped reporting)
   * @param reportAs its name in the runs API: {@code <index>.<attempt>}
   * @param total its final cumulative figures as it posted them (JSON), or null
   */
  public record Member(
      String agentId,
      int index,
      String name,
      String attempt,
      String version,
      int cores,
      long maxHeap,
      String status,
      String reportAs,
      long registeredMs,
      long lastSeenMs,
      Double clockOffsetMs,
      Double clockRttMs,
      String total,
      String reason) {}
}
