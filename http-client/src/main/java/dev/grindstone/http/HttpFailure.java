package dev.grindstone.http;

import java.util.Objects;

/**
 * A request that produced no HTTP response: the target refused, reset, timed out, failed TLS, or
 * spoke broken HTTP. The client throws it to the calling thread and never lets a misbehaving target
 * crash that thread in any other way.
 */
public final class HttpFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final FailureKind kind;
  private final transient Timings timings;

  public HttpFailure(FailureKind kind, String message, Timings timings, Throwable cause) {
    super(message, cause, false, true);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.timings = timings == null ? Timings.NONE : timings;
  }

  /** The kind of failure, for counting. */
  public FailureKind kind() {
    return kind;
  }

  /** What was measured before the failure (zeros for phases that were not reached). */
  public Timings timings() {
    return timings;
  }

  @Override
  public String toString() {
    return "HttpFailure[" + kind + "]: " + getMessage();
  }
}
