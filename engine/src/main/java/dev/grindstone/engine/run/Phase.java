package dev.grindstone.engine.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
 * @param scenarios the scenarios the phase runs at once, each with its load (see {@link
 *     ScenarioLoad}); empty when the phase runs the run's one scenario with {@code shape}. The
 *     other settings are the defaults of its scenarios, and {@code shape} may be null when every
 *     scenario has a shape of its own.
 */
public record Phase(
    String name,
    Duration duration,
    LoadShape shape,
    ThinkTime thinkTime,
    Duration initialSleep,
    long iterations,
    Duration expectedInterval,
    List<ScenarioLoad> scenarios) {

  public Phase {
    Objects.requireNonNull(name, "name");
    scenarios = scenarios == null ? List.of() : List.copyOf(scenarios);
    if (shape == null
        && (scenarios.isEmpty() || scenarios.stream().anyMatch(s -> s.shape() == null))) {
      throw new IllegalArgumentException(
          "Phase '"
              + name
              + "' says nothing of the load: give it a shape (users,"
              + " a ramp, steps or an arrival rate), or give each of its scenarios one");
    }
    thinkTime = thinkTime == null ? ThinkTime.NONE : thinkTime;
    initialSleep = initialSleep == null ? Duration.ZERO : initialSleep;
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException(
          "Phase '" + name + "': duration must be positive, got " + duration);
    }
    Set<String> seen = new HashSet<>();
    for (ScenarioLoad s : scenarios) {
      if (!seen.add(s.scenario())) {
        throw new IllegalArgumentException(
            "Phase '"
                + name
                + "' runs scenario '"
                + s.scenario()
                + "' twice;"
                + " give it once, with its whole load");
      }
    }
    if (duration == null) {
      if (scenarios.isEmpty() && iterations == 0
          || scenarios.stream()
              .anyMatch(
                  s ->
                      s.iterations() == 0
                          || s.iterations() == ScenarioLoad.PHASE_ITERATIONS && iterations == 0)) {
        throw new IllegalArgumentException(
            "Phase '"
                + name
                + "' needs a duration or a number of iterations"
                + " per user"
                + (scenarios.isEmpty() ? "" : " for each of its scenarios")
                + ", or it would never end");
      }
      boolean open =
          scenarios.isEmpty()
              ? shape.isOpen()
              : scenarios.stream().anyMatch(s -> (s.shape() == null ? shape : s.shape()).isOpen());
      if (open) {
        throw new IllegalArgumentException(
            "Phase '" + name + "': an arrival-rate phase needs a duration");
      }
    }
    Validation.atLeast("iterations", iterations, 0);
    if (initialSleep.isNegative()) {
      throw new IllegalArgumentException(
          "Phase '" + name + "': initial sleep must be zero or more");
    }
    if (expectedInterval != null && !expectedInterval.isPositive()) {
      throw new IllegalArgumentException(
          "Phase '" + name + "': expected interval must be positive, got " + expectedInterval);
    }
    if (thinkTime instanceof ThinkTime.Pace
        && shape != null
        && (shape.isOpen() || shape instanceof LoadShape.Steps steps && steps.runOnce())) {
      throw new IllegalArgumentException(
          "Phase '"
              + name
              + "': pace sets when a closed-model user starts each iteration; an arrival rate or"
              + " run_once waves set their starts already, so drop pace");
    }
  }

  /** The same phase, its users starting an iteration every {@code d} ({@link ThinkTime.Pace}). */
  public Phase withPace(Duration d) {
    return withThinkTime(new ThinkTime.Pace(d));
  }

  /**
   * The phase's pace: every how long its users start an iteration; null when they pause with a
   * think time.
   */
  public Duration pace() {
    return thinkTime instanceof ThinkTime.Pace p ? p.interval() : null;
  }

  /** A closed-model phase holding {@code users} users for {@code duration}. */
  public static Phase hold(String name, Duration duration, int users) {
    return new Phase(name, duration, new LoadShape.Constant(users), null, null, 0, null);
  }

  /** A phase of the run's one scenario (no {@link #scenarios()}). */
  public Phase(
      String name,
      Duration duration,
      LoadShape shape,
      ThinkTime thinkTime,
      Duration initialSleep,
      long iterations,
      Duration expectedInterval) {
    this(name, duration, shape, thinkTime, initialSleep, iterations, expectedInterval, List.of());
  }

  /**
   * A phase that runs these scenarios at once, each with a shape of its own (a scenario without one
   * needs a phase shape: add it with {@link #withShape}).
   */
  public static Phase of(String name, Duration duration, ScenarioLoad... scenarios) {
    return new Phase(name, duration, null, null, null, 0, null, List.of(scenarios));
  }

  /** A linear ramp from {@code from} to {@code to} users over {@code duration}. */
  public static Phase ramp(String name, Duration duration, int from, int to) {
    return new Phase(name, duration, new LoadShape.Ramp(from, to), null, null, 0, null);
  }

  /** An open-model phase starting {@code perSecond} iterations a second. */
  public static Phase rate(String name, Duration duration, double perSecond, int maxUsers) {
    return new Phase(
        name,
        duration,
        new LoadShape.ArrivalRate(perSecond, perSecond, maxUsers),
        null,
        null,
        0,
        null);
  }

  public Phase withThinkTime(ThinkTime t) {
    return new Phase(
        name, duration, shape, t, initialSleep, iterations, expectedInterval, scenarios);
  }

  public Phase withIterations(long n) {
    return new Phase(
        name, duration, shape, thinkTime, initialSleep, n, expectedInterval, scenarios);
  }

  public Phase withInitialSleep(Duration d) {
    return new Phase(name, duration, shape, thinkTime, d, iterations, expectedInterval, scenarios);
  }

  public Phase withExpectedInterval(Duration d) {
    return new Phase(name, duration, shape, thinkTime, initialSleep, iterations, d, scenarios);
  }

  public Phase withDuration(Duration d) {
    return new Phase(
        name, d, shape, thinkTime, initialSleep, iterations, expectedInterval, scenarios);
  }

  /**
   * The same phase with another shape: the load its scenarios without a shape of their own share.
   */
  public Phase withShape(LoadShape s) {
    return new Phase(
        name, duration, s, thinkTime, initialSleep, iterations, expectedInterval, scenarios);
  }

  /** The same phase running one more scenario at once with the others. */
  public Phase withScenario(ScenarioLoad s) {
    List<ScenarioLoad> list = new ArrayList<>(scenarios);
    list.add(s);
    return new Phase(
        name, duration, shape, thinkTime, initialSleep, iterations, expectedInterval, list);
  }

  /**
   * What the phase runs, each scenario's settings resolved against the phase's: one load of the
   * run's one scenario (named null) when the phase lists no scenarios.
   */
  public List<Load> loads() {
    if (scenarios.isEmpty()) {
      return List.of(
          new Load(null, shape, null, thinkTime, initialSleep, iterations, expectedInterval));
    }
    List<ScenarioLoad> sharing = scenarios.stream().filter(s -> s.shape() == null).toList();
    double[] weights = sharing.stream().mapToDouble(ScenarioLoad::weight).toArray();
    List<Load> loads = new ArrayList<>();
    for (ScenarioLoad s : scenarios) {
      loads.add(
          new Load(
              s.scenario(),
              s.shape() == null ? shape : s.shape(),
              s.shape() == null ? new Share(weights, sharing.indexOf(s)) : null,
              s.thinkTime() == null ? thinkTime : s.thinkTime(),
              s.initialSleep() == null ? initialSleep : s.initialSleep(),
              s.iterations() == ScenarioLoad.PHASE_ITERATIONS ? iterations : s.iterations(),
              s.expectedInterval() == null ? expectedInterval : s.expectedInterval()));
    }
    return loads;
  }

  /**
   * One scenario's load in a phase, every setting resolved.
   *
   * @param scenario the scenario's name; null for the run's one scenario
   * @param shape its own shape, or the phase's when it takes a share of it
   * @param share which share of {@code shape} is the scenario's; null when the shape is its own
   */
  public record Load(
      String scenario,
      LoadShape shape,
      Share share,
      ThinkTime thinkTime,
      Duration initialSleep,
      long iterations,
      Duration expectedInterval) {

    /** The part of {@code total} users (or starts, or users allowed) that is this scenario's. */
    public int of(int total) {
      return share == null ? total : share.of(total);
    }
  }

  /**
   * A scenario's weighted share of a phase's load: {@code weights} of the scenarios sharing it, and
   * this one's index among them.
   */
  public record Share(double[] weights, int index) {

    public Share {
      weights = weights.clone();
    }

    /** This scenario's fraction of the load. */
    public double fraction() {
      double sum = 0;
      for (double w : weights) {
        sum += w;
      }
      return weights[index] / sum;
    }

    /**
     * This scenario's part of {@code total} whole users: the parts of all scenarios sum to {@code
     * total}, each within one of its exact share (largest remainders; ties to the earlier
     * scenario).
     */
    public int of(int total) {
      return apportion(total, weights)[index];
    }

    /** {@code total} split in proportion to {@code weights} by largest remainders. */
    public static int[] apportion(int total, double[] weights) {
      double sum = 0;
      for (double w : weights) {
        sum += w;
      }
      int[] parts = new int[weights.length];
      double[] remainders = new double[weights.length];
      int given = 0;
      for (int i = 0; i < weights.length; i++) {
        double exact = total * weights[i] / sum;
        parts[i] = (int) Math.floor(exact);
        remainders[i] = exact - parts[i];
        given += parts[i];
      }
      for (; given < total; given++) {
        int best = 0;
        for (int i = 1; i < weights.length; i++) {
          if (remainders[i] > remainders[best]) {
            best = i;
          }
        }
        parts[best]++;
        remainders[best] = -1;
      }
      return parts;
    }
  }
}
