package dev.grindstone.engine;

import dev.grindstone.engine.internal.ScriptStatistics;

/** Static entry points for scenario code, like The Grinder's {@code grinder} object. */
public final class Grindstone {

  private Grindstone() {}

  /**
   * How long the calling virtual user's run has been going (gradual's {@code current_runtime()}).
   *
   * @throws InvalidContextException off a virtual user
   */
  public static java.time.Duration currentRuntime() {
    dev.grindstone.engine.internal.WorkerContext c =
        dev.grindstone.engine.internal.WorkerContext.current();
    if (c == null) {
      throw new InvalidContextException(
          "currentRuntime() is known only to a virtual user; from outside, use"
              + " Run.currentRuntime()");
    }
    return java.time.Duration.ofNanos(System.nanoTime() - c.recording().startNanos());
  }

  /** The script statistics API for the calling virtual user. */
  public static Statistics statistics() {
    return ScriptStatistics.INSTANCE;
  }
}
