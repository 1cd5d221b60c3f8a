package dev.grindstone.livecheck;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A request to run one test of a case: what {@link Case#trigger} publishes and the runner consumes.
 * Immutable and thread-safe.
 *
 * @param id the test id (also the default signal key); travels in {@code LiveCheck-Test-Id}
 * @param caseName the case that runs it; travels in {@code LiveCheck-Test-Name}
 * @param timestamp when it was triggered (wall time of the app's clock)
 * @param args arguments handed to the case's {@code run}; not propagated over HTTP
 * @param expires after this instant the test is skipped instead of run
 */
public record TestExecution(
    String id, String caseName, Instant timestamp, Map<String, Object> args, Instant expires) {

  public TestExecution {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(caseName, "caseName");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(expires, "expires");
    args = args == null ? Map.of() : Map.copyOf(args);
  }

  /** True when {@code now} is at or past {@link #expires()}. */
  public boolean isExpired(Instant now) {
    return !now.isBefore(expires);
  }

  /** An argument, or {@code null}. */
  public Object arg(String name) {
    return args.get(name);
  }
}
