package dev.grindstone.engine;

import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.spi.Plugin;
import java.util.List;

/**
 * What a virtual user does, one iteration at a time (The Grinder's "run"). Wrap each timed step in
 * a {@link Test}. An exception that escapes an iteration ends that iteration only: it is counted
 * and reported at the end, and the virtual user goes on with the next one.
 *
 * <p>One scenario instance serves every virtual user, so keep per-user state in {@link
 * VirtualUser#vars()} or locals.
 */
@FunctionalInterface
public interface Scenario {

  /** One iteration. */
  void iteration(VirtualUser user) throws Exception;

  /** Called once per virtual user before its first iteration. */
  default void beforeUser(VirtualUser user) throws Exception {}

  /** Called once per virtual user after its last iteration. */
  default void afterUser(VirtualUser user) throws Exception {}

  /**
   * Lets a scenario file carry its own run settings (phases, thresholds, ...). Options given on the
   * command line override them.
   */
  default void configure(RunConfig.Builder run) {}

  /**
   * The protocol plug-ins this scenario uses, whose statistics and columns its runs carry: an HTTP
   * scenario returns {@code List.of(HttpPlugin.INSTANCE)} (module {@code grindstone-http}). None by
   * default.
   */
  default List<Plugin> plugins() {
    return List.of();
  }
}
