package dev.grindstone.engine.internal;

import dev.grindstone.engine.StagedScenario;
import dev.grindstone.engine.run.ThinkTime;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * Runs a closed-model user's iterations of a {@link StagedScenario} as stages while the user's
 * thread waits: each iteration is started where the previous one completed (usually the HTTP
 * client's event loop), so a response leads to the next request with no thread woken in between.
 * The user's context is attached to whichever thread runs a stage, and only one stage of a user
 * runs at a time, each after the one before (a completed stage's dependents): the context keeps one
 * user at a time, as on the user's own thread.
 *
 * <p>The run goes on while the phase is the same one and has no think time, pace or iteration
 * count, and the user is not asked to stop; then the user's thread takes over again, as after an
 * iteration of its own. An iteration the scenario returns no stage for ends the run too: the thread
 * runs it with {@code iteration}.
 *
 * <p>IMPLEMENTATION NOTES. A stage may complete before {@code whenComplete} has returned (a failure
 * known at once, a response faster than the call's return), on this thread or another one. Whoever
 * of the starter and the completion comes second goes on with the next iteration ({@link #STATE}),
 * so that iterations that complete at once loop here instead of nesting ever deeper.
 */
final class StagedIterations {

  private static final int STARTING = 0;
  private static final int STARTED = 1;
  private static final int COMPLETED = 2;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(StagedIterations.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final UserThread user;
  private final StagedScenario scenario;
  private final WorkerContext context;
  private final RunEngine engine;
  private final BiConsumer<Object, Throwable> whenCompleted = this::completed;

  // Written by the run's stages one after the other, read by the user's thread after `over`.
  private RunEngine.PhaseState phase;
  private boolean chained;
  private long ran;
  private long endedAt;
  private Throwable failure; // the completed iteration's, for the one that goes on

  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;

  private volatile boolean over;
  private Thread waiter;

  StagedIterations(UserThread user, StagedScenario scenario) {
    this.user = user;
    this.scenario = scenario;
    this.context = user.context;
    this.engine = user.engine;
  }

  /**
   * Runs iterations of {@code phase} as stages, from the user's thread (its context attached), and
   * waits until they are over; an interrupt does not end the wait (the iteration in flight ends as
   * its calls do, as on the user's own thread) and stays set.
   *
   * @return how many iterations ran: 0 when the scenario gave no stage for the first one
   */
  long run(RunEngine.PhaseState phase) {
    this.phase = phase;
    this.chained =
        phase.iterations() == 0
            && phase.thinkTime() instanceof ThinkTime.Constant c
            && c.pause().isZero();
    this.ran = 0;
    this.over = false;
    this.waiter = Thread.currentThread();
    context.setStaged(true);
    try {
      next(false);
      boolean interrupted = false;
      while (!over) {
        LockSupport.park(this);
        interrupted |= Thread.interrupted();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    } finally {
      context.setStaged(false);
    }
    return ran;
  }

  /** Starts iterations until one is in flight or the run is over; the context attached. */
  private void next(boolean chaining) {
    while (true) {
      if (chaining) {
        engine.recordLateness(System.nanoTime() - endedAt);
      }
      context.beginIteration(user.iteration, 0);
      CompletionStage<?> stage;
      try {
        stage = scenario.startIteration(user);
      } catch (Throwable t) {
        ended(t);
        if (goesOn()) {
          chaining = true;
          continue;
        }
        end();
        return;
      }
      if (stage == null) {
        context.endIteration(); // nothing started: the user's thread runs this iteration
        end();
        return;
      }
      STATE.setVolatile(this, STARTING);
      stage.whenComplete(whenCompleted);
      if ((int) STATE.compareAndExchange(this, STARTING, STARTED) == STARTING) {
        return; // in flight: its completion goes on
      }
      ended(failure); // it completed during whenComplete
      if (!goesOn()) {
        end();
        return;
      }
      chaining = true;
    }
  }

  /** An iteration's stage completed, on whichever thread completed it. */
  private void completed(Object ignored, Throwable t) {
    failure = t;
    if ((int) STATE.compareAndExchange(this, STARTING, COMPLETED) == STARTING) {
      return; // the starter has not returned from whenComplete: it goes on
    }
    WorkerContext outer = context.enterStage();
    try {
      ended(t);
      if (goesOn()) {
        next(true);
      } else {
        end();
      }
    } catch (RuntimeException | Error defect) { // never leave the user's thread waiting
      engine.iterationFailed(defect);
      end();
    } finally {
      context.restore(outer);
    }
  }

  private void ended(Throwable t) {
    failure = null;
    user.endStagedIteration(t);
    ran++;
    endedAt = System.nanoTime();
  }

  private boolean goesOn() {
    return chained && !user.isStopping() && user.slot.phase == phase;
  }

  private void end() {
    over = true;
    LockSupport.unpark(waiter);
  }
}
