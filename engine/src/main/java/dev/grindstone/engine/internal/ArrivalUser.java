package dev.grindstone.engine.internal;

import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.StagedScenario;
import java.util.concurrent.CompletionStage;

/**
 * An open-model virtual user: kept in a pool, it runs one iteration per arrival on a fresh virtual
 * thread, timed from the arrival's intended start; or, for a {@link StagedScenario}, starts it as
 * stages from the thread that paces the arrivals, with no thread of its own ({@link #startStaged}).
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

  /**
   * Starts one iteration of {@code phase} as stages on the calling thread (the one that paces the
   * arrivals), timed from {@code intendedNanos}; {@code done} runs once it is over, on the thread
   * that completed it. False, with nothing started, when the scenario gives no stage for it or the
   * user has not started yet (its {@code beforeUser} may block): then the caller runs it with
   * {@link #runOnce} on a thread.
   */
  boolean startStaged(
      StagedScenario staged, RunEngine.PhaseState phase, long intendedNanos, Runnable done) {
    if (!initialized) {
      return false;
    }
    phaseName = phase.name();
    context.setPhase(phase.index());
    WorkerContext outer = context.enterStage();
    try {
      long late = System.nanoTime() - intendedNanos;
      context.beginIteration(iteration, intendedNanos);
      context.setStaged(true);
      CompletionStage<?> stage;
      try {
        stage = staged.startIteration(this);
      } catch (Throwable t) {
        engine.recordLateness(late);
        ended(t);
        done.run();
        return true;
      }
      if (stage == null) {
        context.setStaged(false);
        context.endIteration();
        return false;
      }
      engine.recordLateness(late);
      engine.stagedArrivalStarted();
      stage.whenComplete(
          (r, t) -> {
            WorkerContext there = context.enterStage();
            try {
              ended(t);
            } finally {
              context.restore(there);
              engine.stagedArrivalEnded();
              done.run();
            }
          });
      return true;
    } finally {
      context.restore(outer);
    }
  }

  private void ended(Throwable t) {
    context.setStaged(false);
    endStagedIteration(t);
  }

  /** Not in a staged iteration: it has no thread of its own. */
  @Override
  boolean maySleepHere() {
    return !context.isStaged();
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
