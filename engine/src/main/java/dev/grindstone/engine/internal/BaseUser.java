package dev.grindstone.engine.internal;

import dev.grindstone.engine.InvalidContextException;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.VirtualUser;
import dev.grindstone.engine.run.ScriptSleep;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/** What closed- and open-model virtual users share: number, variables, random numbers, sleeping. */
abstract class BaseUser implements VirtualUser {

  final RunEngine engine;
  final WorkerContext context;
  private final int number;
  private final Map<String, Object> vars = new HashMap<>();
  private final RandomGenerator random;
  long iteration;
  String phaseName = "";
  private final TimerWheel.Sleeper sleeper = new TimerWheel.Sleeper();
  private final BooleanSupplier stopCheck = this::isStopping;
  private final BooleanSupplier cancelCheck;

  final RunEngine.Slot slot;

  BaseUser(RunEngine engine, RunEngine.Slot slot, Recording recording, int number, long seed) {
    this.engine = engine;
    this.slot = slot;
    this.number = number;
    this.context = new WorkerContext(recording, number, slot.index);
    this.random = new SplittableRandom(seed);
    this.cancelCheck = recording::isCancelled;
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
  public String scenario() {
    return slot.name == null ? "" : slot.name;
  }

  @Override
  public Map<String, Object> vars() {
    return vars;
  }

  @Override
  public RandomGenerator random() {
    return random;
  }

  /**
   * Runs one iteration of {@code scenario}, timed from {@code intendedStartNanos} when positive
   * (open model): an uncaught exception ends the iteration, is counted, and the user goes on.
   */
  void runIteration(Scenario scenario, long intendedStartNanos) {
    context.beginIteration(iteration, intendedStartNanos);
    try {
      scenario.iteration(this);
    } catch (Throwable t) {
      if (!context.recording().cancels(System.nanoTime())) {
        engine.iterationFailed(
            t); // an exception after the cancellation comes from it, not the scenario
      }
    } finally {
      context.endIteration();
    }
    iteration++;
  }

  /**
   * Ends an iteration that ran as stages as {@link #runIteration} ends one: what it failed with
   * ({@code failure}, unwrapped from a {@link CompletionException}) is counted unless the run's
   * cancellation of the calls in progress ended it.
   */
  void endStagedIteration(Throwable failure) {
    if (failure != null && !context.recording().cancels(System.nanoTime())) {
      engine.iterationFailed(
          failure instanceof CompletionException c && c.getCause() != null
              ? c.getCause()
              : failure);
    }
    context.endIteration();
    iteration++;
  }

  /**
   * Between test calls a stop request (ramp-down, end of phase, Ctrl-C) ends the sleep early.
   * Inside a test call the sleep is part of the call's time, so only the run's cancellation of the
   * calls in progress ends it early, and then the call is counted as cancelled, not timed.
   */
  @Override
  public void sleep(Duration duration) {
    if (!maySleepHere()) {
      throw new InvalidContextException(
          "user.sleep("
              + duration
              + ") was called in an iteration that runs as stages, on "
              + Thread.currentThread()
              + ": its stages must not block. Run such an iteration on the user's thread (return"
              + " null from StagedScenario.startIteration) to pause in it.");
    }
    ScriptSleep how = engine.scriptSleep();
    pause(how.isExact() ? duration.toNanos() : how.nanos(duration.toNanos(), random));
  }

  /**
   * Whether the calling thread may block for this user: not a stage of a staged iteration, which
   * runs where other users' stages run too (the HTTP client's event loop).
   */
  abstract boolean maySleepHere();

  /** Sleeps {@code nanos} exactly (think time, pacing), ended early as {@link #sleep} says. */
  void pause(long nanos) {
    engine
        .timer()
        .sleepUntil(
            sleeper,
            System.nanoTime() + nanos,
            context.isTestInProgress() ? cancelCheck : stopCheck);
  }
}
