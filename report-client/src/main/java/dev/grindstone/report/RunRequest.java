package dev.grindstone.report;

import java.util.Map;
import java.util.Objects;

/**
 * One request of a run's delivery to a metrics server: a path under the server's base URL and its
 * JSON body, all POSTed. The factories are the one place where the bodies are made, so a spool, a
 * results folder's {@code server-requests.jsonl} and what a reporter sent live hold identical
 * requests, and re-sending any of them is idempotent (the run by its id, snapshots by agent and
 * sequence number, the finish by agent).
 *
 * <p>One request is one line of JSON: {@code {"path":"/api/v1/runs/r1/snapshots","body":{...}}}.
 */
public record RunRequest(String path, String body) {

  private static final String RUNS = "/api/v1/runs";

  /** Requests as spool lines. */
  static final Outbox.Codec<RunRequest> CODEC =
      new Outbox.Codec<>() {
        @Override
        public String encode(RunRequest r) {
          return r.toLine();
        }

        @Override
        public RunRequest decode(String line) {
          return parse(line);
        }
      };

  public RunRequest {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(body, "body");
    if (!path.matches("/api/v1/runs(/[A-Za-z0-9][A-Za-z0-9._-]{0,63}/(snapshots|finish))?")) {
      throw new IllegalArgumentException("path: not a runs API path: '" + path + "'");
    }
  }

  /** Creates the run, or joins and completes it (tests, phases, agents) when it exists. */
  public static RunRequest create(RunSpec spec) {
    return new RunRequest(RUNS, Json.write(spec));
  }

  /** One interval snapshot of {@code runId}. */
  public static RunRequest snapshot(String runId, SnapshotPost snapshot) {
    return new RunRequest(RUNS + "/" + runId + "/snapshots", Json.write(snapshot));
  }

  /** The end of {@code agent}'s part of {@code runId}, at {@code endMs} (epoch ms). */
  public static RunRequest finish(String runId, String agent, long endMs) {
    return new RunRequest(
        RUNS + "/" + runId + "/finish", Json.write(Map.of("agent", agent, "endMs", endMs)));
  }

  public boolean isCreate() {
    return path.equals(RUNS);
  }

  public boolean isFinish() {
    return path.endsWith("/finish");
  }

  /** The run this request belongs to, or null for a creation (whose id is in its body). */
  public String runIdInPath() {
    return isCreate() ? null : path.substring(RUNS.length() + 1, path.lastIndexOf('/'));
  }

  /** The request as one line of JSON (no newline). */
  public String toLine() {
    return "{\"path\":\"" + path + "\",\"body\":" + body + "}";
  }

  /**
   * Reads a line written by {@link #toLine}; null for anything else (a header line, or a torn last
   * line left by a crash, whose request was never acknowledged).
   */
  public static RunRequest parse(String line) {
    int sep = line.indexOf("\",\"body\":");
    if (!line.startsWith("{\"path\":\"") || sep < 0 || !line.endsWith("}")) {
      return null;
    }
    try {
      return new RunRequest(line.substring(9, sep), line.substring(sep + 9, line.length() - 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
