package dev.grindstone.engine.internal;

import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.VirtualUser;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * A closed-model virtual user: a virtual thread that runs iterations until it is asked to stop or
 * has made its phase's iterations, pausing for the phase's think time in between.
 */
final class UserThread implements VirtualUser, Runnable {

  private final RunEngine engine;
  private final Scenario scenario;
  private final WorkerContext context;
  private final int number;
  private final Map<String, Object> vars = new HashMap<>();
  private final RandomGenerator random;
  private volatile boolean stopping;
  private Thread thread;
  private long iteration;
  private String phaseName = "";

  UserThread(RunEngine engine, Scenario scenario, Recording recording, int number, long seed) {
    this.engine = engine;
    this.scenario = scenario;
    this.number = number;
    this.context = new WorkerContext(recording, number);
    this.random = new SplittableRandom(seed);
  }

  void start() {
    thread = Thread.ofVirtual().name("user-" + number).start(this);
  }

  Thread thread() {
    return thread;
  }

  void requestStop() {
    stopping = true;
    LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    context.attach();
    engine.userStarted();
    try {
      RunEngine.PhaseState phase = engine.phaseState();
      if (!phase.initialSleep().isZero()) {
        sleep(Duration.ofNanos(random.nextLong(phase.initialSleep().toNanos() + 1)));
      }
      scenario.beforeUser(this);
      long phaseIndex = -1;
      long doneInPhase = 0;
      long plannedStart = System.nanoTime();
      while (!stopping) {
        phase = engine.phaseState();
        if (phase.index() != phaseIndex) {
          phaseIndex = phase.index();
          doneInPhase = 0;
          phaseName = phase.name();
          context.setExpectedIntervalMicros(phase.expectedIntervalMicros());
        }
        if (phase.iterations() > 0 && doneInPhase >= phase.iterations()) {
          engine.userDoneWithPhase(phaseIndex);
          engine.awaitPhaseChange(phaseIndex, this);
          continue;
        }
        long start = System.nanoTime();
        engine.recordLateness(start - plannedStart);
        context.beginIteration(iteration, 0);
        try {
          scenario.iteration(this);
        } catch (Throwable t) {
          engine.iterationFailed(t);
        } finally {
          context.endIteration();
        }
        iteration++;
        doneInPhase++;
        Duration think = phase.thinkTime().next(random);
        plannedStart = System.nanoTime() + think.toNanos();
        if (!think.isZero()) {
          sleep(think);
        }
      }
      scenario.afterUser(this);
    } catch (Throwable t) {
      engine.iterationFailed(t);
    } finally {
      context.detach();
      engine.userEnded(this);
    }
  }

  boolean isStoppingFlag() {
    return stopping;
  }

  // ---- VirtualUser -------------------------------------------------------------------------

  @Override
  public int number() {
    return number;
  }

  @Override
  public long iteration() {
    return iteration;
  }

  @Override
  public String phase() {
    return phaseName;
  }

  @Override
  public Map<String, Object> vars() {
    return vars;
  }

  @Override
  public RandomGenerator random() {
    return random;
  }

  @Override
  public void sleep(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    long left;
    while (!stopping && (left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  @Override
  public boolean isStopping() {
    return stopping;
  }
}
