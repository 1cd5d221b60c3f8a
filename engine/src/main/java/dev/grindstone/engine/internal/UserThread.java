package dev.grindstone.engine.internal;

import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.StagedScenario;
import dev.grindstone.engine.run.ThinkTime;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-model virtual user: a virtual thread that runs iterations until it is asked to stop or
 * has made its phase's iterations, pausing for the phase's think time in between (or, with a pace,
 * until the next iteration's start on its schedule).
 */
final class UserThread extends BaseUser implements Runnable {

  private final Scenario scenario;
  private final StagedIterations staged; // null unless the scenario can run as stages
  private volatile boolean stopping;
  private Thread thread;
  // The thread that runs this user, set by itself: start() may not have returned yet.
  private Thread own;

  UserThread(RunEngine engine, RunEngine.Slot slot, Recording recording, int number, long seed) {
    super(engine, slot, recording, number, seed);
    this.scenario = slot.scenario;
    this.staged = scenario instanceof StagedScenario s ? new StagedIterations(this, s) : null;
  }

  void start() {
    thread = engine.startUser(Thread.ofVirtual().name("user-" + number()), this);
  }

  void requestStop() {
    stopping = true;
    LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    own = Thread.currentThread();
    context.attach();
    engine.userStarted(this);
    try {
      RunEngine.PhaseState phase = slot.phase;
      if (!phase.initialSleep().isZero()) {
        pause(random().nextLong(phase.initialSleep().toNanos() + 1));
      }
      scenario.beforeUser(this);
      long phaseIndex = -1;
      long doneInPhase = 0;
      long plannedStart = System.nanoTime();
      while (!isStopping()) {
        phase = slot.phase;
        if (phase.index() != phaseIndex) {
          phaseIndex = phase.index();
          doneInPhase = 0;
          if (phase.thinkTime() instanceof ThinkTime.Pace) {
            long now = System.nanoTime();
            if (now - plannedStart > 0) {
              plannedStart = now; // a paced schedule starts with the phase
            }
          }
          phaseName = phase.name();
          context.setPhase(phase.index());
          context.setExpectedIntervalMicros(phase.expectedIntervalMicros());
        }
        if (phase.iterations() > 0
            && (doneInPhase >= phase.iterations() || !phase.takeIteration())) {
          engine.userDoneWithPhase(slot, phaseIndex);
          engine.awaitPhaseChange(phaseIndex, this);
          continue;
        }
        long started = System.nanoTime();
        engine.recordLateness(started - plannedStart);
        long ran = staged == null ? 0 : staged.run(phase);
        if (ran == 0) {
          runIteration(scenario, 0);
          ran = 1;
        }
        doneInPhase += ran;
        long now = System.nanoTime();
        ThinkTime think = phase.thinkTime();
        if (think instanceof ThinkTime.Pace pace) {
          long skipped = pace.skippedStarts(plannedStart, started, now);
          if (skipped > 0) {
            engine.skippedPacedStarts(skipped);
          }
        }
        plannedStart = think.nextStartNanos(plannedStart, started, now, random());
        if (plannedStart - now > 0) {
          pause(plannedStart - now);
        }
      }
      scenario.afterUser(this);
    } catch (Throwable t) {
      engine.iterationFailed(t);
    } finally {
      engine.userFinished(this);
      context.detach();
    }
  }

  /**
   * Only on this user's own thread: the stages of a staged iteration run on other threads (the HTTP
   * client's event loop).
   */
  @Override
  boolean maySleepHere() {
    return Thread.currentThread() == own;
  }

  /**
   * True once this user was asked to stop (a ramp down) or the run is ending: then no new iteration
   * starts, even in a user that a timer woke before its own stop request reached it.
   */
  @Override
  public boolean isStopping() {
    return stopping || engine.isStopping();
  }
}
