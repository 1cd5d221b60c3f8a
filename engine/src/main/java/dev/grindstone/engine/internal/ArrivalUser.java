package dev.grindstone.engine.internal;

import dev.grindstone.engine.Scenario;

/**
 * An open-model virtual user: kept in a pool, it runs one iteration per arrival on a fresh virtual
 * thread, timed from the arrival's intended start.
 */
final class ArrivalUser extends BaseUser {

  private final Scenario scenario;
  private boolean initialized;

  ArrivalUser(RunEngine engine, RunEngine.Slot slot, Recording recording, int number, long seed) {
    super(engine, slot, recording, number, seed);
    this.scenario = slot.scenario;
  }

  /**
   * Runs one iteration of {@code phase} on the calling (virtual) thread, timed from {@code
   * intendedNanos}.
   */
  void runOnce(RunEngine.PhaseState phase, long intendedNanos) {
    phaseName = phase.name();
    context.setPhase(phase.index());
    context.attach();
    try {
      if (!initialized) {
        initialized = true;
        engine.userStarted(this);
        scenario.beforeUser(this);
      }
      engine.recordLateness(System.nanoTime() - intendedNanos);
      runIteration(scenario, intendedNanos);
    } catch (Throwable t) {
      engine.iterationFailed(t);
    } finally {
      context.detach();
    }
  }

  /** Ends the user: after its last iteration, on the thread that closes the pool. */
  void close() {
    if (initialized) {
      context.attach();
      try {
        scenario.afterUser(this);
      } catch (Throwable t) {
        engine.iterationFailed(t);
      } finally {
        engine.userFinished(this);
        context.detach();
      }
    }
  }

  @Override
  public boolean isStopping() {
    return engine.isStopping();
  }
}
