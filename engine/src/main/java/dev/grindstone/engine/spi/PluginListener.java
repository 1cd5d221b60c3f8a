package dev.grindstone.engine.spi;

import dev.grindstone.engine.VirtualUser;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;

/**
 * Told of one run's life: its start, each virtual user's first and last iteration, its end. A
 * plug-in opens and closes per-user resources here (connections, sessions). A listener that throws
 * is reported in the run's notes and never stops the run, a user, or another listener.
 */
public interface PluginListener {

  /** A listener that does nothing. */
  PluginListener NONE = new PluginListener() {};

  /** Once, before any virtual user starts, on the thread that runs the run. */
  default void runStarted(RunInfo run) {}

  /**
   * Before the user's first iteration (and before {@link
   * dev.grindstone.engine.Scenario#beforeUser}), on the thread that runs it.
   */
  default void userStarted(VirtualUser user) {}

  /**
   * After the user's last iteration (and after {@link dev.grindstone.engine.Scenario#afterUser}),
   * whether it ended normally or not, on the thread that ran it.
   */
  default void userFinished(VirtualUser user) {}

  /** Once, after every virtual user has finished and before the sinks get the summary. */
  default void runFinished(RunSummary summary) {}
}
