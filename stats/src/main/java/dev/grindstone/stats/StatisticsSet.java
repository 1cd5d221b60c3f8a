package dev.grindstone.stats;

import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * One value for every statistic of a {@link StatisticsSchema}, held in two flat primitive arrays.
 *
 * <p>Sample statistics keep count, sum, <b>population</b> variance (as The Grinder does, whatever
 * its documentation says), and the exact minimum and maximum. {@link #add(StatisticsSet)} merges
 * exactly: basic values are summed, samples are pooled with the exact formula, transient values
 * (like {@code period}) are left alone, and the composite flags are ORed. Merging is associative:
 * merging sets in any grouping gives the figures of the union of their samples.
 *
 * <p>Sets combine when their schemas are equal (the same statistics in the same slots). Not
 * thread-safe: one owner at a time. No method allocates except {@link #snapshot()}.
 */
public final class StatisticsSet implements StatisticsSource {

  private final StatisticsSchema schema;
  private final long[] longs;
  private final double[] doubles;
  private boolean composite;

  /** False while every value is known to be in its initial state: makes reset and copy free. */
  private boolean touched;

  public StatisticsSet(StatisticsSchema schema) {
    this.schema = schema;
    this.longs = new long[schema.longSlots()];
    this.doubles = new double[schema.doubleSlots()];
    clearSampleBounds();
  }

  private StatisticsSet(StatisticsSet other) {
    this.schema = other.schema;
    this.longs = other.longs.clone();
    this.doubles = other.doubles.clone();
    this.composite = other.composite;
    this.touched = other.touched;
  }

  public StatisticsSchema schema() {
    return schema;
  }

  @Override
  public long getLong(LongIndex index) {
    return longs[index.slot()];
  }

  public void setLong(LongIndex index, long value) {
    touched = true;
    longs[index.slot()] = value;
  }

  public void addLong(LongIndex index, long value) {
    touched = true;
    longs[index.slot()] += value;
  }

  @Override
  public double getDouble(DoubleIndex index) {
    return doubles[index.slot()];
  }

  public void setDouble(DoubleIndex index, double value) {
    touched = true;
    doubles[index.slot()] = value;
  }

  public void addDouble(DoubleIndex index, double value) {
    touched = true;
    doubles[index.slot()] += value;
  }

  @Override
  public long getSum(SampleIndex index) {
    return longs[index.sumSlot()];
  }

  @Override
  public long getCount(SampleIndex index) {
    return longs[index.countSlot()];
  }

  @Override
  public double getVariance(SampleIndex index) {
    return doubles[index.varianceSlot()];
  }

  @Override
  public long getMin(SampleIndex index) {
    return longs[index.minSlot()];
  }

  @Override
  public long getMax(SampleIndex index) {
    return longs[index.maxSlot()];
  }

  /**
   * Adds one sample. The variance is updated in one step: {@code v' = n·v/(n+1) + n·(x −
   * mean)²/(n+1)²}, which is exact for the population variance.
   */
  public void addSample(SampleIndex index, long value) {
    touched = true;
    long n = longs[index.countSlot()];
    int v = index.varianceSlot();
    if (n == 0) {
      doubles[v] = 0;
    } else {
      double deviation = value - (double) longs[index.sumSlot()] / n;
      double n1 = n + 1.0;
      doubles[v] = n * doubles[v] / n1 + n * deviation * deviation / (n1 * n1);
    }
    longs[index.sumSlot()] += value;
    longs[index.countSlot()] = n + 1;
    if (value < longs[index.minSlot()]) {
      longs[index.minSlot()] = value;
    }
    if (value > longs[index.maxSlot()]) {
      longs[index.maxSlot()] = value;
    }
  }

  /**
   * Sets a sample's aggregate directly, as read from a report or a snapshot. The minimum and
   * maximum are those of the samples; pass {@link Long#MAX_VALUE} and {@link Long#MIN_VALUE} when
   * unknown or empty.
   */
  public void setSample(
      SampleIndex index, long count, long sum, double variance, long min, long max) {
    touched = true;
    if (count < 0) {
      throw new IllegalArgumentException("A sample count cannot be negative, got " + count);
    }
    longs[index.countSlot()] = count;
    longs[index.sumSlot()] = sum;
    doubles[index.varianceSlot()] = count == 0 ? 0 : variance;
    longs[index.minSlot()] = count == 0 ? Long.MAX_VALUE : min;
    longs[index.maxSlot()] = count == 0 ? Long.MIN_VALUE : max;
  }

  /** Clears a sample: no samples. */
  public void resetSample(SampleIndex index) {
    setSample(index, 0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE);
  }

  public boolean isComposite() {
    return composite;
  }

  /** False when nothing was written since creation or the last {@link #reset()}. */
  public boolean isTouched() {
    return touched;
  }

  public void setComposite(boolean composite) {
    this.composite = composite;
  }

  /**
   * Merges {@code other} into this set (see the class comment). Both sets must share the schema.
   */
  public void add(StatisticsSet other) {
    checkSchema(other);
    if (!other.touched) {
      composite |= other.composite;
      return;
    }
    touched = true;
    for (LongIndex l : schema.longs()) {
      if (!l.isTransient()) {
        longs[l.slot()] += other.longs[l.slot()];
      }
    }
    for (DoubleIndex d : schema.doubles()) {
      doubles[d.slot()] += other.doubles[d.slot()];
    }
    for (SampleIndex s : schema.samples()) {
      mergeSample(s, other);
    }
    composite |= other.composite;
  }

  private void mergeSample(SampleIndex s, StatisticsSet other) {
    long n2 = other.longs[s.countSlot()];
    if (n2 == 0) {
      return;
    }
    long n1 = longs[s.countSlot()];
    int v = s.varianceSlot();
    if (n1 == 0) {
      doubles[v] = other.doubles[v];
    } else {
      long s1 = longs[s.sumSlot()];
      long s2 = other.longs[s.sumSlot()];
      double n = (double) n1 + n2;
      double mean = ((double) s1 + s2) / n;
      double d1 = (double) s1 / n1 - mean;
      double d2 = (double) s2 / n2 - mean;
      doubles[v] = (n1 * (doubles[v] + d1 * d1) + n2 * (other.doubles[v] + d2 * d2)) / n;
    }
    longs[s.countSlot()] = n1 + n2;
    longs[s.sumSlot()] += other.longs[s.sumSlot()];
    longs[s.minSlot()] = Math.min(longs[s.minSlot()], other.longs[s.minSlot()]);
    longs[s.maxSlot()] = Math.max(longs[s.maxSlot()], other.longs[s.maxSlot()]);
  }

  /** Makes this set a copy of {@code other} (same schema), without allocating. */
  public void copyFrom(StatisticsSet other) {
    checkSchema(other);
    if (!other.touched) {
      reset();
      composite = other.composite;
      return;
    }
    touched = true;
    System.arraycopy(other.longs, 0, longs, 0, longs.length);
    System.arraycopy(other.doubles, 0, doubles, 0, doubles.length);
    composite = other.composite;
  }

  /**
   * Copies every value into {@code longs} from {@code longOffset} ({@code schema.longSlots()} of
   * them) and {@code doubles} from {@code doubleOffset} ({@code schema.doubleSlots()}), for flat
   * storage such as a ring of rows. {@link #copyFrom(long[], int, double[], int)} reads them back.
   */
  public void copyTo(long[] longs, int longOffset, double[] doubles, int doubleOffset) {
    System.arraycopy(this.longs, 0, longs, longOffset, this.longs.length);
    System.arraycopy(this.doubles, 0, doubles, doubleOffset, this.doubles.length);
  }

  /**
   * Sets every value from flat storage written by {@link #copyTo}; the composite flag is cleared.
   */
  public void copyFrom(long[] longs, int longOffset, double[] doubles, int doubleOffset) {
    touched = true;
    composite = false;
    System.arraycopy(longs, longOffset, this.longs, 0, this.longs.length);
    System.arraycopy(doubles, doubleOffset, this.doubles, 0, this.doubles.length);
  }

  /** All values to zero (samples empty), composite flag cleared. */
  public void reset() {
    composite = false;
    if (!touched) {
      return;
    }
    touched = false;
    Arrays.fill(longs, 0);
    Arrays.fill(doubles, 0);
    clearSampleBounds();
    composite = false;
  }

  /** An independent copy. */
  public StatisticsSet snapshot() {
    return new StatisticsSet(this);
  }

  /** True when nothing has been recorded (every value zero, every sample empty). */
  public boolean isZero() {
    for (LongIndex l : schema.longs()) {
      if (longs[l.slot()] != 0) {
        return false;
      }
    }
    for (DoubleIndex d : schema.doubles()) {
      if (doubles[d.slot()] != 0) {
        return false;
      }
    }
    for (SampleIndex s : schema.samples()) {
      if (longs[s.countSlot()] != 0) {
        return false;
      }
    }
    return true;
  }

  private void clearSampleBounds() {
    for (SampleIndex s : schema.samples()) {
      longs[s.minSlot()] = Long.MAX_VALUE;
      longs[s.maxSlot()] = Long.MIN_VALUE;
    }
  }

  private void checkSchema(StatisticsSet other) {
    if (other.schema != schema && !other.schema.equals(schema)) {
      throw new IllegalArgumentException(
          "Cannot combine statistics sets of different schemas: "
              + schema
              + " and "
              + other.schema);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StatisticsSet s
        && s.schema.equals(schema)
        && s.composite == composite
        && Arrays.equals(s.longs, longs)
        && Arrays.equals(s.doubles, doubles);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(longs) + Arrays.hashCode(doubles);
  }

  @Override
  public String toString() {
    StringJoiner j =
        new StringJoiner(", ", composite ? "StatisticsSet(composite){" : "StatisticsSet{", "}");
    for (StatisticIndex i : schema.all()) {
      switch (i) {
        case LongIndex l -> j.add(l.name() + "=" + getLong(l));
        case DoubleIndex d -> j.add(d.name() + "=" + getDouble(d));
        case SampleIndex s ->
            j.add(
                s.name()
                    + "=(count "
                    + getCount(s)
                    + ", sum "
                    + getSum(s)
                    + ", variance "
                    + getVariance(s)
                    + ")");
      }
    }
    return j.toString();
  }
}
