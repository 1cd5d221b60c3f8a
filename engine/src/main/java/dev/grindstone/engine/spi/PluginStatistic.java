package dev.grindstone.engine.spi;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A statistic a plug-in adds to the schema of every run it is part of: a basic long (summed over
 * the calls, as The Grinder's {@code httpplugin.responseLength}) or a basic double. Declare each
 * one once, as a constant of the plug-in, and update it through {@link TestStatistics}; a run
 * resolves it to its schema's slot when it starts.
 *
 * <p>A long may be stored in a finer unit than it is shown in: {@code scale} converts a stored
 * value to the shown one, as {@link dev.grindstone.stats.StatisticsSchema#MICROS_AS_MILLIS} for
 * times stored in microseconds and shown (in expressions, tables and the data log) in milliseconds.
 * Immutable; two declarations are two statistics, even with the same name (a run refuses a name
 * given twice).
 */
public final class PluginStatistic {

  /** The kinds a plug-in may declare: samples are the engine's own ({@code timedTests}). */
  public enum Kind {
    LONG,
    DOUBLE
  }

  private static final AtomicInteger IDS = new AtomicInteger();

  private final String name;
  private final Kind kind;
  private final double scale;
  private final int id = IDS.getAndIncrement();

  private PluginStatistic(String name, Kind kind, double scale) {
    this.name = Objects.requireNonNull(name, "name");
    this.kind = kind;
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException(
          "The scale of statistic '" + name + "' must be a positive finite number, got " + scale);
    }
    this.scale = scale;
  }

  /** A basic long statistic, shown as stored. */
  public static PluginStatistic basicLong(String name) {
    return new PluginStatistic(name, Kind.LONG, 1.0);
  }

  /** A basic long statistic shown as {@code stored × scale}. */
  public static PluginStatistic basicLong(String name, double scale) {
    return new PluginStatistic(name, Kind.LONG, scale);
  }

  /** A basic double statistic. */
  public static PluginStatistic basicDouble(String name) {
    return new PluginStatistic(name, Kind.DOUBLE, 1.0);
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  /** Shown value = stored value × scale; 1 unless declared otherwise. */
  public double scale() {
    return scale;
  }

  /** Unique in this JVM: where a run's schema finds the slot of this statistic. */
  int id() {
    return id;
  }

  @Override
  public String toString() {
    return name;
  }
}
