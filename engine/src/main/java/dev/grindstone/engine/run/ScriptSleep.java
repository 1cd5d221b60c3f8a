package dev.grindstone.engine.run;

import java.util.random.RandomGenerator;

/**
 * How the sleeps a scenario asks for ({@link dev.grindstone.engine.VirtualUser#sleep}) are scaled
 * and varied, as The Grinder's {@code grinder.sleepTimeFactor} and {@code
 * grinder.sleepTimeVariation} scale and vary {@code grinder.sleep(ms)}: the sleep is drawn from a
 * normal distribution around the time asked for, with σ = time × variation / 3 (so 99.7% of sleeps
 * fall within ± variation), and then multiplied by the factor. Think times and pacing are not
 * affected: they are the run's own pauses, not the scenario's. Immutable.
 *
 * @param factor multiplies every sleep: 0 turns sleeps off, 0.5 halves them; at least 0
 * @param variation 0 for exact sleeps, up to 1
 */
public record ScriptSleep(double factor, double variation) {

  /** Sleeps exactly as long as asked: the default of every run but a grinder.properties one. */
  public static final ScriptSleep EXACT = new ScriptSleep(1, 0);

  /** The Grinder's defaults: factor 1, variation 0.2. */
  public static final ScriptSleep GRINDER = new ScriptSleep(1, 0.2);

  public ScriptSleep {
    if (!(factor >= 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException(
          "The sleep time factor must be a finite number of at least 0, got " + factor);
    }
    if (!(variation >= 0 && variation <= 1)) {
      throw new IllegalArgumentException(
          "The sleep time variation must be between 0 and 1, got " + variation);
    }
  }

  /** True when sleeps last exactly as long as asked. */
  public boolean isExact() {
    return factor == 1 && variation == 0;
  }

  /** How long to sleep, in ns, when the scenario asks for {@code nanos}; never negative. */
  public long nanos(long nanos, RandomGenerator random) {
    if (nanos <= 0) {
      return 0;
    }
    double d = nanos;
    if (variation > 0) {
      d += random.nextGaussian() * nanos * variation / 3;
    }
    d *= factor;
    return d <= 0 ? 0 : d >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) d;
  }
}
