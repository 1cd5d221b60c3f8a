package dev.grindstone.engine.run;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The pause a virtual user takes after each iteration (closed model), or its pacing: iterations
 * that start on a fixed schedule ({@link Pace}).
 */
public sealed interface ThinkTime {

  ThinkTime NONE = new Constant(Duration.ZERO);

  /** The next pause, never negative. */
  Duration next(RandomGenerator random);

  /**
   * When a user's next iteration should start ({@link System#nanoTime()} units): after the pause,
   * from now; {@link Pace} overrides it.
   *
   * @param plannedNanos when the iteration that just ended was to start
   * @param startedNanos when it started
   * @param nowNanos now, when it has ended
   */
  default long nextStartNanos(
      long plannedNanos, long startedNanos, long nowNanos, RandomGenerator random) {
    return nowNanos + next(random).toNanos();
  }

  /**
   * Pacing (Gatling's {@code pace}, The Grinder's fixed-rate users): each iteration starts {@code
   * interval} after the previous one was to start, however long it took, so a user makes at most
   * one iteration per interval. An iteration that starts an interval or more behind its schedule is
   * counted as late (see the start lateness), and the schedule goes on from it rather than bursting
   * to catch up.
   */
  record Pace(Duration interval) implements ThinkTime {
    public Pace {
      if (interval == null || !interval.isPositive()) {
        throw new IllegalArgumentException("pace must be a duration above 0, got " + interval);
      }
    }

    /** No pause of its own: see {@link #nextStartNanos}. */
    public Duration next(RandomGenerator random) {
      return Duration.ZERO;
    }

    @Override
    public long nextStartNanos(
        long plannedNanos, long startedNanos, long nowNanos, RandomGenerator random) {
      long base = startedNanos - plannedNanos >= interval.toNanos() ? startedNanos : plannedNanos;
      return base + interval.toNanos();
    }

    /**
     * The scheduled starts that an iteration planned at {@code plannedNanos}, started at {@code
     * startedNanos} and ended at {@code nowNanos} ran past entirely, on the schedule {@link
     * #nextStartNanos} keeps: skipped (and counted in the summary), never made up in a burst.
     */
    public long skippedStarts(long plannedNanos, long startedNanos, long nowNanos) {
      long base = startedNanos - plannedNanos >= interval.toNanos() ? startedNanos : plannedNanos;
      long late = nowNanos - (base + interval.toNanos());
      return late <= 0 ? 0 : late / interval.toNanos();
    }
  }

  record Constant(Duration pause) implements ThinkTime {
    public Constant {
      requireNonNegative("think time", pause);
    }

    public Duration next(RandomGenerator random) {
      return pause;
    }
  }

  /** Uniform between {@code min} and {@code max}. */
  record Uniform(Duration min, Duration max) implements ThinkTime {
    public Uniform {
      requireNonNegative("think time min", min);
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "think time max (" + max + ") must not be below min (" + min + ")");
      }
    }

    public Duration next(RandomGenerator random) {
      long span = max.toNanos() - min.toNanos();
      return span == 0 ? min : min.plusNanos(random.nextLong(span + 1));
    }
  }

  /**
   * Normal around {@code mean} with σ = mean × variation / 3, as The Grinder's {@code
   * grinder.sleepTimeVariation} (default 0.2): 99.7% of pauses fall within ± variation.
   */
  record Normal(Duration mean, double variation) implements ThinkTime {
    public Normal {
      requireNonNegative("think time mean", mean);
      if (!(variation >= 0 && variation <= 1)) {
        throw new IllegalArgumentException(
            "think time variation must be between 0 and 1, got " + variation);
      }
    }

    public Duration next(RandomGenerator random) {
      double sigma = mean.toNanos() * variation / 3;
      long nanos = Math.round(mean.toNanos() + random.nextGaussian() * sigma);
      return Duration.ofNanos(Math.max(0, nanos));
    }
  }

  private static void requireNonNegative(String what, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be zero or more, got " + d);
    }
  }
}
