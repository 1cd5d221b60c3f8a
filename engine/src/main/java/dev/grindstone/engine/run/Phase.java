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
 * @param pace closed model: each user starts its iterations on a fixed schedule, one every
 *     {@code pace} (Gatling's and LoadRunner's pacing): after a short iteration it waits for the
 *     next start; after one longer than the pace it starts at once, late (the lateness is reported
 *     as an open model's), and the starts it missed are skipped and counted, never made up in a
 *     burst. Null for none: each iteration starts when the previous one (and its think time) ends.
 */
public record Phase(
    String name,
    Duration duration,
    LoadShape shape,
    ThinkTime thinkTime,
    Duration initialSleep,
    long iterations,
    Duration expectedInterval,
    Duration pace) {

  /** A phase without pacing. */
  public Phase(String name, Duration duration, LoadShape shape, ThinkTime thinkTime, Duration initialSleep,
      long iterations, Duration expectedInterval) {
    this(name, duration, shape, thinkTime, initialSleep, iterations, expectedInterval, null);
  }

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
    if (pace != null) {
      if (!pace.isPositive()) {
        throw new IllegalArgumentException("Phase '" + name + "': pace must be positive, got " + pace);
      }
      if (shape.isOpen() || shape instanceof LoadShape.Steps steps && steps.runOnce()) {
        throw new IllegalArgumentException("Phase '" + name + "': pace sets when a closed-model user starts each"
            + " iteration; an arrival rate or run_once waves set their starts already, so drop pace");
      }
      if (!thinkTime.equals(ThinkTime.NONE)) {
        throw new IllegalArgumentException("Phase '" + name + "': give pace or think_time, not both (with pace the"
            + " pause after an iteration is whatever is left of it)");
      }
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
    return new Phase(name, duration, shape, t, initialSleep, iterations, expectedInterval, pace);
  }

  public Phase withIterations(long n) {
    return new Phase(name, duration, shape, thinkTime, initialSleep, n, expectedInterval, pace);
  }

  public Phase withInitialSleep(Duration d) {
    return new Phase(name, duration, shape, thinkTime, d, iterations, expectedInterval, pace);
  }

  public Phase withExpectedInterval(Duration d) {
    return new Phase(name, duration, shape, thinkTime, initialSleep, iterations, d, pace);
  }

  public Phase withDuration(Duration d) {
    return new Phase(name, d, shape, thinkTime, initialSleep, iterations, expectedInterval, pace);
  }

  /** The same phase, its users starting an iteration every {@code d} (see {@link #pace()}). */
  public Phase withPace(Duration d) {
    return new Phase(name, duration, shape, thinkTime, initialSleep, iterations, expectedInterval, d);
  }
}
