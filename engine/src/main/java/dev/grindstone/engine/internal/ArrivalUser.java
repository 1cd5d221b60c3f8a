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
 * An open-model virtual user: kept in a pool, it runs one iteration per arrival on a fresh virtual
 * thread, timed from the arrival's intended start.
 */
final class ArrivalUser implements VirtualUser {

  private final RunEngine engine;
  private final Scenario scenario;
  private final WorkerContext context;
  private final int number;
  private final Map<String, Object> vars = new HashMap<>();
  private final RandomGenerator random;
  private boolean initialized;
  private long iteration;
  private String phaseName = "";

  ArrivalUser(RunEngine engine, Scenario scenario, Recording recording, int number, long seed) {
    this.engine = engine;
    this.scenario = scenario;
    this.number = number;
    this.context = new WorkerContext(recording, number);
    this.random = new SplittableRandom(seed);
  }

  /** Runs one iteration on the calling (virtual) thread, timed from {@code intendedNanos}. */
  void runOnce(String phase, long intendedNanos) {
    phaseName = phase;
    context.attach();
    try {
      if (!initialized) {
        initialized = true;
        scenario.beforeUser(this);
      }
      engine.recordLateness(System.nanoTime() - intendedNanos);
      context.beginIteration(iteration, intendedNanos);
      try {
        scenario.iteration(this);
      } catch (Throwable t) {
        engine.iterationFailed(t);
      } finally {
        context.endIteration();
      }
      iteration++;
    } catch (Throwable t) {
      engine.iterationFailed(t);
    } finally {
      context.detach();
    }
  }

  void close() {
    if (initialized) {
      context.attach();
      try {
        scenario.afterUser(this);
      } catch (Throwable t) {
        engine.iterationFailed(t);
      } finally {
        context.detach();
      }
    }
  }

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
    while (!engine.isStopping() && (left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  @Override
  public boolean isStopping() {
    return engine.isStopping();
  }
}
