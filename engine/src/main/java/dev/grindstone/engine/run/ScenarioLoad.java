package dev.grindstone.engine.run;

import java.time.Duration;
import java.util.Objects;

/**
 * One scenario's load within a {@link Phase} that runs several scenarios at once (k6's {@code
 * scenarios}, a Gatling population, a gradual scenario). Every setting left null (or {@link
 * #PHASE_ITERATIONS}) is the phase's own.
 *
 * <p>A scenario with a {@code shape} of its own runs that load shape by itself. A scenario without
 * one takes a share of the phase's shape, in proportion to its {@code weight} among the phase's
 * scenarios without a shape of their own: with {@code users: 100} and weights 3 and 1, 75 users run
 * the first and 25 the second (largest remainders, ties to the earlier scenario); with an arrival
 * rate, each gets its share of the rate and of {@code max_users}.
 *
 * @param scenario the scenario's name: letters, digits, '.', '_' or '-'; results are kept under it
 * @param shape the scenario's own load shape, or null for its weighted share of the phase's
 * @param thinkTime the pause after each iteration, or null for the phase's
 * @param initialSleep each new user first sleeps a uniform random time up to this; null for the
 *     phase's
 * @param iterations iterations per user in this phase (0 for no limit), or {@link
 *     #PHASE_ITERATIONS}
 * @param expectedInterval closed-model coordinated-omission correction, or null for the phase's
 * @param weight the scenario's share of the phase's shape, a finite number above 0 (1 by default)
 */
public record ScenarioLoad(
    String scenario,
    LoadShape shape,
    ThinkTime thinkTime,
    Duration initialSleep,
    long iterations,
    Duration expectedInterval,
    double weight) {

  /**
   * {@link #iterations()} when the scenario makes as many iterations per user as the phase says.
   */
  public static final long PHASE_ITERATIONS = -1;

  public ScenarioLoad {
    Objects.requireNonNull(scenario, "scenario");
    if (!scenario.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "A scenario name must be letters, digits, '.', '_' or '-', got '" + scenario + "'");
    }
    if (iterations < PHASE_ITERATIONS) {
      throw new IllegalArgumentException(
          "Scenario '" + scenario + "': iterations must be at least 0, got " + iterations);
    }
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException(
          "Scenario '"
              + scenario
              + "': weight must be a finite number above 0,"
              + " got "
              + weight);
    }
    if (initialSleep != null && initialSleep.isNegative()) {
      throw new IllegalArgumentException(
          "Scenario '" + scenario + "': initial sleep must be zero or more");
    }
    if (expectedInterval != null && !expectedInterval.isPositive()) {
      throw new IllegalArgumentException(
          "Scenario '"
              + scenario
              + "': expected interval must be positive, got "
              + expectedInterval);
    }
  }

  /** The scenario with every setting the phase's, weight 1. */
  public static ScenarioLoad of(String scenario) {
    return new ScenarioLoad(scenario, null, null, null, PHASE_ITERATIONS, null, 1);
  }

  /** The same with a constant number of users of its own. */
  public ScenarioLoad users(int users) {
    return withShape(new LoadShape.Constant(users));
  }

  /** The same with an open-model arrival rate of its own. */
  public ScenarioLoad rate(double perSecond, int maxUsers) {
    return withShape(new LoadShape.ArrivalRate(perSecond, perSecond, maxUsers));
  }

  public ScenarioLoad withShape(LoadShape s) {
    return new ScenarioLoad(
        scenario, s, thinkTime, initialSleep, iterations, expectedInterval, weight);
  }

  public ScenarioLoad withThinkTime(ThinkTime t) {
    return new ScenarioLoad(scenario, shape, t, initialSleep, iterations, expectedInterval, weight);
  }

  public ScenarioLoad withInitialSleep(Duration d) {
    return new ScenarioLoad(scenario, shape, thinkTime, d, iterations, expectedInterval, weight);
  }

  public ScenarioLoad withIterations(long n) {
    return new ScenarioLoad(scenario, shape, thinkTime, initialSleep, n, expectedInterval, weight);
  }

  public ScenarioLoad withExpectedInterval(Duration d) {
    return new ScenarioLoad(scenario, shape, thinkTime, initialSleep, iterations, d, weight);
  }

  public ScenarioLoad withWeight(double w) {
    return new ScenarioLoad(
        scenario, shape, thinkTime, initialSleep, iterations, expectedInterval, w);
  }
}
