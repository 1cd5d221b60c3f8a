package dev.grindstone.engine;

import dev.grindstone.engine.internal.ScriptStatistics;

/** Static entry points for scenario code, like The Grinder's {@code grinder} object. */
public final class Grindstone {

  private Grindstone() {}

  /** The script statistics API for the calling virtual user. */
  public static Statistics statistics() {
    return ScriptStatistics.INSTANCE;
  }
}
