package dev.grindstone.stats;

import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The statistics a run knows, by name and kind, and their slots in a {@link StatisticsSet}.
 *
 * <p>Names and kinds are The Grinder's. {@link #standard()} holds the standard statistics; a run
 * adds its plug-ins' (the HTTP plug-in's {@code httpplugin.*}, say) through {@link #builder()}. A
 * schema is immutable and thread-safe.
 *
 * <p>Units: {@code timedTests} and any time a plug-in registers with {@link #MICROS_AS_MILLIS} are
 * stored in microseconds and shown in milliseconds (their index's {@code scale} is 0.001), so
 * sub-millisecond calls keep their precision while every Grinder expression and table still reads
 * milliseconds.
 */
public final class StatisticsSchema {

  /** Microseconds stored, milliseconds shown. */
  public static final double MICROS_AS_MILLIS = 0.001;

  public static final String ERRORS = "errors";
  public static final String UNTIMED_TESTS = "untimedTests";
  public static final String PERIOD = "period";
  public static final String PEAK_TPS = "peakTPS";
  public static final String TIMED_TESTS = "timedTests";

  private static final StatisticsSchema STANDARD = builder().standard().build();

  private final Map<String, StatisticIndex> byName;
  private final List<LongIndex> longs;
  private final List<DoubleIndex> doubles;
  private final List<SampleIndex> samples;
  private final int longSlots;
  private final int doubleSlots;

  private StatisticsSchema(Builder b) {
    this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(b.byName));
    this.longs = List.copyOf(b.longs);
    this.doubles = List.copyOf(b.doubles);
    this.samples = List.copyOf(b.samples);
    this.longSlots = b.longSlots;
    this.doubleSlots = b.doubleSlots;
  }

  /** The Grinder's standard statistics. */
  public static StatisticsSchema standard() {
    return STANDARD;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this schema's statistics, to register more. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (StatisticIndex i : byName.values()) {
      switch (i) {
        case LongIndex l -> b.addLong(l.name(), l.isTransient(), l.scale());
        case DoubleIndex d -> b.registerDouble(d.name());
        case SampleIndex s -> b.registerSample(s.name(), s.scale());
      }
    }
    return b;
  }

  public LongIndex longIndex(String name) {
    return lookup(name, LongIndex.class, StatisticKind.LONG);
  }

  public DoubleIndex doubleIndex(String name) {
    return lookup(name, DoubleIndex.class, StatisticKind.DOUBLE);
  }

  public SampleIndex sampleIndex(String name) {
    return lookup(name, SampleIndex.class, StatisticKind.SAMPLE);
  }

  /** The statistic of that name, of any kind, or null. */
  public StatisticIndex find(String name) {
    return byName.get(name);
  }

  /** Every statistic, in registration order. */
  public Iterable<StatisticIndex> all() {
    return byName.values();
  }

  public List<LongIndex> longs() {
    return longs;
  }

  public List<DoubleIndex> doubles() {
    return doubles;
  }

  public List<SampleIndex> samples() {
    return samples;
  }

  /** Number of long slots a set of this schema holds (basic longs and sample parts). */
  public int longSlots() {
    return longSlots;
  }

  /** Number of double slots a set of this schema holds. */
  public int doubleSlots() {
    return doubleSlots;
  }

  private <T extends StatisticIndex> T lookup(String name, Class<T> type, StatisticKind kind) {
    StatisticIndex found = byName.get(name);
    if (type.isInstance(found)) {
      return type.cast(found);
    }
    if (found != null) {
      throw new NoSuchStatisticException(
          "'"
              + name
              + "' is a "
              + found.kind().label()
              + " statistic, not a "
              + kind.label()
              + " one"
              + kindHint(found));
    }
    throw new NoSuchStatisticException(
        "There is no "
            + kind.label()
            + " statistic called '"
            + name
            + "'"
            + suggestion(name, kind));
  }

  private static String kindHint(StatisticIndex found) {
    return found.kind() == StatisticKind.SAMPLE
        ? "; read it with (sum "
            + found.name()
            + "), (count "
            + found.name()
            + ") or (variance "
            + found.name()
            + ")"
        : "";
  }

  /** ". Did you mean 'x'?" for the closest name of the kind asked (or any kind), or "". */
  String suggestion(String name, StatisticKind kind) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (StatisticIndex i : byName.values()) {
      int d = Spelling.editDistance(name.toLowerCase(), i.name().toLowerCase());
      if (i.kind() != kind) {
        d++; // prefer a name of the kind asked for
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = i.name();
      }
    }
    if (best != null && bestDistance <= Math.max(2, name.length() / 3)) {
      return ". Did you mean '" + best + "'?";
    }
    List<String> names = new ArrayList<>();
    for (StatisticIndex i : byName.values()) {
      if (i.kind() == kind) {
        names.add(i.name());
      }
    }
    return ". The " + kind.label() + " statistics are: " + String.join(", ", names);
  }

  /**
   * Two schemas are equal when they hold the same statistics (name, kind, slots, scale) in the same
   * order: their sets can be combined, whichever run or analysis built them.
   */
  @Override
  public boolean equals(Object o) {
    return o == this
        || o instanceof StatisticsSchema other
            && other.byName.equals(byName)
            && List.copyOf(other.byName.values()).equals(List.copyOf(byName.values()));
  }

  @Override
  public int hashCode() {
    return byName.hashCode();
  }

  @Override
  public String toString() {
    return "StatisticsSchema" + byName.keySet();
  }

  /** Builds a schema. Not thread-safe. */
  public static final class Builder {
    private final Map<String, StatisticIndex> byName = new LinkedHashMap<>();
    private final List<LongIndex> longs = new ArrayList<>();
    private final List<DoubleIndex> doubles = new ArrayList<>();
    private final List<SampleIndex> samples = new ArrayList<>();
    private int longSlots;
    private int doubleSlots;

    private Builder() {}

    /** The Grinder's standard statistics. */
    public Builder standard() {
      registerLong(ERRORS);
      registerLong(UNTIMED_TESTS);
      for (int i = 0; i < 5; i++) {
        registerLong("userLong" + i);
      }
      addLong(PERIOD, true, 1.0);
      registerDouble(PEAK_TPS);
      for (int i = 0; i < 5; i++) {
        registerDouble("userDouble" + i);
      }
      registerSample(TIMED_TESTS, MICROS_AS_MILLIS);
      return this;
    }

    public Builder registerLong(String name) {
      return registerLong(name, 1.0);
    }

    /** A basic long statistic whose shown value is {@code stored × scale}. */
    public Builder registerLong(String name, double scale) {
      return addLong(name, false, scale);
    }

    public Builder registerDouble(String name) {
      checkNew(name);
      DoubleIndex i = new DoubleIndex(name, doubleSlots++);
      doubles.add(i);
      byName.put(name, i);
      return this;
    }

    public Builder registerSample(String name) {
      return registerSample(name, 1.0);
    }

    /** A long sample statistic whose shown values are {@code stored × scale}. */
    public Builder registerSample(String name, double scale) {
      checkNew(name);
      checkScale(name, scale);
      SampleIndex i =
          new SampleIndex(
              name, longSlots, longSlots + 1, longSlots + 2, longSlots + 3, doubleSlots, scale);
      longSlots += 4;
      doubleSlots += 1;
      samples.add(i);
      byName.put(name, i);
      return this;
    }

    private Builder addLong(String name, boolean isTransient, double scale) {
      checkNew(name);
      checkScale(name, scale);
      LongIndex i = new LongIndex(name, longSlots++, isTransient, scale);
      longs.add(i);
      byName.put(name, i);
      return this;
    }

    private void checkNew(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()
          || !name.chars().noneMatch(c -> Character.isWhitespace(c) || c == '(' || c == ')')) {
        throw new IllegalArgumentException(
            "A statistic name must be non-empty without spaces or parentheses, got '" + name + "'");
      }
      if (byName.containsKey(name)) {
        throw new IllegalArgumentException("The statistic '" + name + "' is already registered");
      }
    }

    private static void checkScale(String name, double scale) {
      if (!(scale > 0) || Double.isInfinite(scale)) {
        throw new IllegalArgumentException(
            "The scale of statistic '" + name + "' must be a positive finite number, got " + scale);
      }
    }

    public StatisticsSchema build() {
      return new StatisticsSchema(this);
    }
  }
}
