package dev.grindstone.engine.internal;

import dev.grindstone.engine.Scenario;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-model virtual user: a virtual thread that runs iterations until it is asked to stop or
 * has made its phase's iterations, pausing for the phase's think time in between.
 */
final class UserThread extends BaseUser implements Runnable {

  private final Scenario scenario;
  private volatile boolean stopping;
  private Thread thread;

  UserThread(RunEngine engine, Scenario scenario, Recording recording, int number, long seed) {
    super(engine, recording, number, seed);
    this.scenario = scenario;
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
    context.attach();
    engine.userStarted(this);
    try {
      RunEngine.PhaseState phase = engine.phaseState();
      if (!phase.initialSleep().isZero()) {
        pause(random().nextLong(phase.initialSleep().toNanos() + 1));
      }
      scenario.beforeUser(this);
      long phaseIndex = -1;
      long doneInPhase = 0;
      long plannedStart = System.nanoTime();
      while (!isStopping()) {
        phase = engine.phaseState();
        if (phase.index() != phaseIndex) {
          phaseIndex = phase.index();
          doneInPhase = 0;
          if (phase.paceNanos() > 0) {
            long now = System.nanoTime();
            if (now - plannedStart > 0) {
              plannedStart = now; // a paced schedule starts with the phase
            }
          }
          phaseName = phase.name();
          context.setPhase(phase.index());
          context.setExpectedIntervalMicros(phase.expectedIntervalMicros());
        }
        if (phase.iterations() > 0 && doneInPhase >= phase.iterations()) {
          engine.userDoneWithPhase(phaseIndex);
          engine.awaitPhaseChange(phaseIndex, this);
          continue;
        }
        engine.recordLateness(System.nanoTime() - plannedStart);
        runIteration(scenario, 0);
        doneInPhase++;
        if (phase.paceNanos() > 0) {
          plannedStart = nextPacedStart(plannedStart, phase.paceNanos());
          continue;
        }
        Duration think = phase.thinkTime().next(random());
        plannedStart = System.nanoTime() + think.toNanos();
        if (!think.isZero()) {
          pause(think.toNanos());
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
   * The start after {@code previous} on a schedule of one start every {@code pace} ns, waiting for
   * it when it is ahead. When the iteration ran past one or more starts, the latest start already
   * due is taken (the iteration begins at once, late, and its lateness is recorded) and the earlier
   * ones are skipped and counted: the schedule keeps its rate and never bursts to catch up.
   */
  private long nextPacedStart(long previous, long pace) {
    long next = previous + pace;
    long now = System.nanoTime();
    if (now - next < 0) {
      pause(next - now);
      return next;
    }
    long missed = (now - next) / pace;
    if (missed > 0) {
      engine.skippedPacedStarts(missed);
    }
    return next + missed * pace;
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
