package dev.grindstone.engine;

import java.util.concurrent.CompletionStage;

/**
 * A scenario whose iterations can run as stages of calls that do not block (such as the HTTP
 * client's {@code sendAsync}), so that no thread waits for each response: a closed-model user then
 * runs its iterations back to back on the thread that completes them (the HTTP client's event
 * loop), and its own virtual thread waits once for the whole run of them instead of once per
 * request. Iterations follow each other that way while the phase has no think time, pace or
 * iteration count, and the user is not asked to stop; otherwise each iteration runs as stages
 * alone. An open-model arrival starts as stages from the thread that paces the arrivals, with no
 * thread of its own, once its user has run a first iteration (with {@link #iteration}, on a thread
 * of its own, after {@code beforeUser}).
 *
 * <p>Time each call with {@link Test#recordAsync}, and start each next call from what it returns (a
 * dependent stage added without an executor), where the user's tests and statistics are at hand.
 * The stages must be quick and never block: no {@link VirtualUser#sleep}, no blocking call, no
 * {@code join}. {@link #iteration} stays the way to run an iteration on the user's thread, and must
 * do what the stages do.
 */
public interface StagedScenario extends Scenario {

  /**
   * Starts one iteration without blocking and returns the stage that completes when it is over:
   * exceptionally, for what {@link #iteration} would have thrown (counted the same way). Runs with
   * the user's tests at hand. Return null, before starting anything, to have this iteration run by
   * {@link #iteration} on the user's thread instead (a step that must block).
   */
  CompletionStage<?> startIteration(VirtualUser user);
}
