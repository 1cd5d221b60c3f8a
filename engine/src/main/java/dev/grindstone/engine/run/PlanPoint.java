package dev.grindstone.engine.run;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where a plan stands a given time after its start: the phase going on, how far into it, and how
 * many intervals a process that ran from the start has reported. A pure function of the plan, so a
 * process that joins a run late (a replacement agent) takes it up where the others are.
 *
 * <p>The plan's time line is known up to its first phase bounded by iterations (no duration): time
 * cannot say how far such a phase has gone, so a point at or beyond its start lies in it, and a
 * process joining there runs the phase from then on (an agent counts its index's iterations to run
 * only those not started: see {@code Run.iterationCounts}).
 *
 * @param phase the index of the phase to run first, or {@code phases.size()} when the plan is over
 * @param phaseStart the phase's start, from the run's start
 * @param elapsed the point's time from the run's start
 * @param intervals how many intervals a process running from the run's start has taken before
 *     {@code elapsed}: one per period boundary, plus one cut at each phase start after the first
 */
public record PlanPoint(int phase, Duration phaseStart, Duration elapsed, long intervals) {

  public PlanPoint {
    Objects.requireNonNull(phaseStart, "phaseStart");
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** True when the point lies inside its phase (it does not wait for the phase to start). */
  public boolean inside() {
    return elapsed.compareTo(phaseStart) >= 0;
  }

  /**
   * The point of {@code phases} (with {@code waitBetween} between them and intervals of {@code
   * period}) at {@code elapsed} from the run's start.
   *
   * @throws IllegalArgumentException for a negative {@code elapsed} or a period not positive
   */
  public static PlanPoint at(
      List<Phase> phases, Duration waitBetween, Duration period, Duration elapsed) {
    if (elapsed.isNegative()) {
      throw new IllegalArgumentException("elapsed must be 0 or more, got " + elapsed);
    }
    if (!period.isPositive()) {
      throw new IllegalArgumentException("period must be longer than 0, got " + period);
    }
    Duration start = Duration.ZERO;
    long cuts = 0;
    for (int i = 0; i < phases.size(); i++) {
      if (i > 0) {
        start = start.plus(waitBetween);
      }
      Phase p = phases.get(i);
      if (elapsed.compareTo(start) < 0) {
        // In the wait before phase i: it starts at its time, with its own cut.
        return new PlanPoint(i, start, elapsed, grid(elapsed, period) + cuts);
      }
      if (i > 0) {
        cuts++;
      }
      if (p.duration() == null) {
        return new PlanPoint(i, start, elapsed, grid(elapsed, period) + cuts);
      }
      Duration end = start.plus(p.duration());
      if (elapsed.compareTo(end) < 0) {
        return new PlanPoint(i, start, elapsed, grid(elapsed, period) + cuts);
      }
      start = end;
    }
    return new PlanPoint(phases.size(), start, elapsed, grid(elapsed, period) + cuts);
  }

  /** Period boundaries in (0, t]. */
  private static long grid(Duration t, Duration period) {
    return t.toNanos() / period.toNanos();
  }
}
