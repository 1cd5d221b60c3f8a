package dev.grindstone.engine.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How many virtual users a phase runs over time (closed model), or how many iterations it starts
 * per second (open model). Pure functions of the time since the phase started: testable without a
 * clock.
 */
public sealed interface LoadShape {

  /** True for {@link ArrivalRate}: iterations start on a schedule, whatever the response times. */
  default boolean isOpen() {
    return this instanceof ArrivalRate;
  }

  /** Closed model: the number of users wanted {@code elapsed} into a phase of {@code length}. */
  int usersAt(Duration elapsed, Duration length);

  /** The most users this shape ever asks for. */
  int peakUsers();

  /** A constant number of users. */
  record Constant(int users) implements LoadShape {
    public Constant {
      Validation.atLeast("users", users, 0);
    }

    public int usersAt(Duration elapsed, Duration length) {
      return users;
    }

    public int peakUsers() {
      return users;
    }
  }

  /**
   * A linear ramp from {@code from} users at the phase's start to {@code to} users at its end: up
   * when {@code to > from}, down otherwise.
   */
  record Ramp(int from, int to) implements LoadShape {
    public Ramp {
      Validation.atLeast("from", from, 0);
      Validation.atLeast("to", to, 0);
    }

    public int usersAt(Duration elapsed, Duration length) {
      if (length.isZero() || elapsed.compareTo(length) >= 0) {
        return to;
      }
      double f = (double) elapsed.toNanos() / length.toNanos();
      return (int) Math.round(from + (to - from) * f);
    }

    public int peakUsers() {
      return Math.max(from, to);
    }
  }

  /**
   * Gradual's stepped ramp: start at {@code min}, then after each wait add {@code add[i]} users (or
   * multiply by {@code multiply[i]}), the last value of each list repeating, until {@code max}. As
   * in gradual, a step may add 0 or multiply by 1 (the count stays for that step); when the
   * repeating last value does so, the count stays where it is for the rest of the phase. With
   * {@code runOnce}, each user makes one iteration and, as in gradual, the next wave starts as soon
   * as the previous one has finished: the waits are not used, each step is a wave ({@link
   * #waveUsers}).
   */
  record Steps(
      int min,
      int max,
      List<Integer> add,
      List<Double> multiply,
      List<Duration> waits,
      boolean runOnce)
      implements LoadShape {
    public static final Duration DEFAULT_WAIT = Duration.ofMillis(100);

    public Steps {
      add = add == null ? List.of() : List.copyOf(add);
      multiply = multiply == null ? List.of() : List.copyOf(multiply);
      waits = waits == null || waits.isEmpty() ? List.of(DEFAULT_WAIT) : List.copyOf(waits);
      Validation.atLeast("min_concurrency", min, 0);
      Validation.atLeast("max_concurrency", max, Math.max(min, 1));
      if (!add.isEmpty() && !multiply.isEmpty()) {
        throw new IllegalArgumentException("Give ramp_up_add or ramp_up_multiply, not both");
      }
      for (int a : add) {
        Validation.atLeast("ramp_up_add", a, 0);
      }
      for (double m : multiply) {
        if (!(m >= 1) || Double.isInfinite(m)) {
          throw new IllegalArgumentException(
              "ramp_up_multiply values must be finite numbers of at least 1, got " + m);
        }
      }
      for (Duration w : waits) {
        if (w.isNegative()) {
          throw new IllegalArgumentException("ramp_up_wait values cannot be negative, got " + w);
        }
      }
      if (add.isEmpty() && multiply.isEmpty() && min < max) {
        add = List.of(max - min);
      }
    }

    /** The step times and user counts: users from each entry's time on. */
    public List<Step> schedule() {
      List<Step> steps = new ArrayList<>();
      Duration t = Duration.ZERO;
      int users = min;
      steps.add(new Step(t, users));
      int last = Math.max(add.size(), multiply.size()) - 1;
      for (int i = 0; users < max; i++) {
        t = t.plus(waits.get(Math.min(i, waits.size() - 1)));
        double m = multiply.isEmpty() ? 0 : multiply.get(Math.min(i, last));
        long next =
            multiply.isEmpty()
                ? (long) users + add.get(Math.min(i, last))
                : m == 1 ? users : (long) Math.ceil(Math.max(users, 1) * m);
        if (next == users) {
          if (i >= last) {
            break; // the repeating last value adds nothing: the count stays
          }
          continue; // this step adds nothing; the next one may
        }
        users = (int) Math.min(max, next);
        steps.add(new Step(t, users));
      }
      return steps;
    }

    /**
     * The users of wave {@code wave} (0-based) of a {@code runOnce} scenario: {@code min}, then
     * each step applied to the previous wave, one step per wave, up to {@code max}. Unlike {@link
     * #schedule}, a step that keeps the count is a wave of its own, as in gradual.
     */
    public int waveUsers(int wave) {
      Validation.atLeast("wave", wave, 0);
      int users = min;
      int last = Math.max(add.size(), multiply.size()) - 1;
      for (int i = 0; i < wave && users < max; i++) {
        double m = multiply.isEmpty() ? 0 : multiply.get(Math.min(i, last));
        long next =
            multiply.isEmpty()
                ? (long) users + add.get(Math.min(i, last))
                : m == 1 ? users : (long) Math.ceil(Math.max(users, 1) * m);
        users = (int) Math.min(max, next);
      }
      return users;
    }

    /** Whether a wave after {@code wave} has more users than it (see {@link #waveUsers}). */
    public boolean wavesGrowAfter(int wave) {
      // Past the lists the last value repeats: it grows the count at every step or at none, so a
      // count that has not grown by then never will.
      return waveUsers(wave + add.size() + multiply.size() + 1) > waveUsers(wave);
    }

    public int usersAt(Duration elapsed, Duration length) {
      int users = min;
      for (Step s : schedule()) {
        if (s.at().compareTo(elapsed) <= 0) {
          users = s.users();
        }
      }
      return users;
    }

    public int peakUsers() {
      return max;
    }

    /** From {@code at} on, {@code users} users. */
    public record Step(Duration at, int users) {}
  }

  /**
   * Open model: iterations start at a rate that goes linearly from {@code fromPerSecond} to {@code
   * toPerSecond} over the phase, each timed from its intended start. At most {@code maxUsers}
   * iterations run at once; a start that finds none free is dropped and counted.
   */
  record ArrivalRate(double fromPerSecond, double toPerSecond, int maxUsers) implements LoadShape {
    public ArrivalRate {
      if (!(fromPerSecond >= 0)
          || !(toPerSecond >= 0)
          || Double.isInfinite(fromPerSecond + toPerSecond)) {
        throw new IllegalArgumentException(
            "An arrival rate must be a finite number ≥ 0 per second, got "
                + fromPerSecond
                + " to "
                + toPerSecond);
      }
      if (fromPerSecond == 0 && toPerSecond == 0) {
        throw new IllegalArgumentException(
            "An arrival rate of 0 per second starts no iteration: give a rate"
                + " above 0, or {from: 0, to: N} for a ramp from 0");
      }
      Validation.atLeast("max_users", maxUsers, 1);
    }

    public int usersAt(Duration elapsed, Duration length) {
      return maxUsers;
    }

    public int peakUsers() {
      return maxUsers;
    }

    /**
     * When the {@code k}-th iteration (0-based) should start, in seconds since the phase start, or
     * +∞ when the phase's rate never gets there. The number of starts by time t is the integral of
     * the rate, r0·t + (r1−r0)·t²/(2T); the k-th start is where that reaches k.
     */
    public double startOf(long k, double lengthSeconds) {
      double r0 = fromPerSecond;
      double a = (toPerSecond - fromPerSecond) / (2 * lengthSeconds);
      double t;
      if (Math.abs(a) < 1e-12) {
        t = r0 == 0 ? Double.POSITIVE_INFINITY : k / r0;
      } else {
        double disc = r0 * r0 + 4 * a * k;
        t = disc < 0 ? Double.POSITIVE_INFINITY : (-r0 + Math.sqrt(disc)) / (2 * a);
      }
      return t <= lengthSeconds ? t : Double.POSITIVE_INFINITY;
    }
  }
}
