package dev.grindstone.engine.run;

import java.time.Duration;
import java.util.Objects;

/**
 * A time slice of a run with its own load shape.
 *
 * @param name shown in the console and the results
 * @param duration how long the phase lasts; null to end when every user has made {@code iterations}
 * @param shape users over time, or an arrival rate
 * @param thinkTime the pause after each iteration (closed model)
 * @param initialSleep each new user first sleeps a uniform random time up to this
 * @param iterations iterations per user in this phase; 0 for no limit
 * @param expectedInterval closed model: the interval at which a user would issue calls with no
 *     delay; recorded times above it also record the calls a stalled target kept from being issued
 *     (coordinated-omission correction). Null for none.
 */
public record Phase(
    String name,
    Duration duration,
    LoadShape shape,
    ThinkTime thinkTime,
    Duration initialSleep,
    long iterations,
    Duration expectedInterval) {

  public Phase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shape, "shape");
    thinkTime = thinkTime == null ? ThinkTime.NONE : thinkTime;
    initialSleep = initialSleep == null ? Duration.ZERO : initialSleep;
    if (duration == null && iterations == 0) {
      throw new IllegalArgumentException("Phase '" + name + "' needs a duration or a number of iterations"
          + " per user, or it would never end");
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("Phase '" + name + "': duration must be positive, got " + duration);
    }
    if (duration == null && shape.isOpen()) {
      throw new IllegalArgumentException("Phase '" + name + "': an arrival-rate phase needs a duration");
    }
    Validation.atLeast("iterations", iterations, 0);
    if (initialSleep.isNegative()) {
      throw new IllegalArgumentException("Phase '" + name + "': initial sleep must be zero or more");
    }
    if (expectedInterval != null && !expectedInterval.isPositive()) {
      throw new IllegalArgumentException("Phase '" + name + "': expected interval must be positive, got "
          + expectedInterval);
    }
  }

  /** A closed-model phase holding {@code users} users for {@code duration}. */
  public static Phase hold(String name, Duration duration, int users) {
    return new Phase(name, duration, new LoadShape.Constant(users), null, null, 0, null);
  }

  /** A linear ramp from {@code from} to {@code to} users over {@code duration}. */
  public static Phase ramp(String name, Duration duration, int from, int to) {
    return new Phase(name, duration, new LoadShape.Ramp(from, to), null, null, 0, null);
  }

  /** An open-model phase starting {@code perSecond} iterations a second. */
  public static Phase rate(String name, Duration duration, double perSecond, int maxUsers) {
    return new Phase(name, duration, new LoadShape.ArrivalRate(perSecond, perSecond, maxUsers), null, null, 0, null);
  }

  public Phase withThinkTime(ThinkTime t) {
    return new Phase(name, duration, shape, t, initialSleep, iterations, expectedInterval);
  }

  public Phase withIterations(long n) {
    return new Phase(name, duration, shape, thinkTime, initialSleep, n, expectedInterval);
  }

  public Phase withInitialSleep(Duration d) {
    return new Phase(name, duration, shape, thinkTime, d, iterations, expectedInterval);
  }

  public Phase withExpectedInterval(Duration d) {
    return new Phase(name, duration, shape, thinkTime, initialSleep, iterations, d);
  }

  public Phase withDuration(Duration d) {
    return new Phase(name, d, shape, thinkTime, initialSleep, iterations, expectedInterval);
  }
}
