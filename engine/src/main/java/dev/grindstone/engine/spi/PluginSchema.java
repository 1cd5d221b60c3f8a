package dev.grindstone.engine.spi;

import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticIndex;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.expr.Expressions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The statistics schema and the columns that a list of plug-ins makes: The Grinder's standard
 * statistics, then each plug-in's in order; the standard summary columns, then each plug-in's. A
 * run builds one from its plug-ins when it starts; {@code grindstone analyze} from the plug-ins
 * whose data-log columns it reads.
 *
 * <p>Building one checks the plug-ins: statistic names unique, summary columns that parse over the
 * schema with keys and names unique, data-log columns over the plug-in's own statistics with
 * headers unique. A plug-in given twice counts once. Immutable and thread-safe; {@link #longIndex}
 * and {@link #doubleIndex} are one array read.
 */
public final class PluginSchema {

  private static final PluginSchema NONE = of(List.of());

  private final List<Plugin> plugins;
  private final StatisticsSchema statistics;
  private final StatisticIndex[] byId;
  private final int firstId;

  private PluginSchema(List<Plugin> plugins) {
    this.plugins = List.copyOf(plugins);
    StatisticsSchema.Builder b = StatisticsSchema.builder().standard();
    int min = Integer.MAX_VALUE;
    int max = -1;
    for (Plugin p : this.plugins) {
      for (PluginStatistic s : p.statistics()) {
        try {
          switch (s.kind()) {
            case LONG -> b.registerLong(s.name(), s.scale());
            case DOUBLE -> b.registerDouble(s.name());
          }
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              p.name()
                  + ": "
                  + e.getMessage()
                  + (StatisticsSchema.standard().find(s.name()) != null
                      ? " as a standard statistic"
                      : "")
                  + "; a plug-in's statistics need names of their own",
              e);
        }
        min = Math.min(min, s.id());
        max = Math.max(max, s.id());
      }
    }
    this.statistics = b.build();
    this.firstId = max < 0 ? 0 : min;
    this.byId = new StatisticIndex[max < 0 ? 0 : max - min + 1];
    for (Plugin p : this.plugins) {
      for (PluginStatistic s : p.statistics()) {
        byId[s.id() - firstId] = statistics.find(s.name());
      }
    }
    checkColumns();
  }

  /** The schema and columns of {@code plugins}, in order (a plug-in given twice counts once). */
  public static PluginSchema of(List<? extends Plugin> plugins) {
    return new PluginSchema(new ArrayList<>(new LinkedHashSet<>(plugins)));
  }

  /** The standard statistics and columns alone. */
  public static PluginSchema none() {
    return NONE;
  }

  private void checkColumns() {
    Set<String> keys = new HashSet<>();
    Set<String> names = new HashSet<>();
    StandardViews.summary(statistics).views().forEach(v -> names.add(v.displayName()));
    Set<String> headers = new HashSet<>();
    for (Plugin p : plugins) {
      for (SummaryColumn c : p.summaryColumns()) {
        if (!keys.add(c.key())) {
          throw new IllegalArgumentException(
              p.name()
                  + ": the summary column key '"
                  + c.key()
                  + "' is already taken; give each column its own key");
        }
        if (!names.add(c.displayName())) {
          throw new IllegalArgumentException(
              p.name()
                  + ": the summary column '"
                  + c.displayName()
                  + "' is already there; give each column its own name");
        }
        view(p, c);
      }
      for (DataLogColumn c : p.dataLogColumns()) {
        if (!p.statistics().contains(c.statistic())) {
          throw new IllegalArgumentException(
              p.name()
                  + ": the data-log column '"
                  + c.header()
                  + "' holds '"
                  + c.statistic().name()
                  + "', which is not one of the plug-in's statistics");
        }
        if (!headers.add(c.header())) {
          throw new IllegalArgumentException(
              p.name()
                  + ": the data-log column '"
                  + c.header()
                  + "' is already there; give each column its own header");
        }
      }
    }
  }

  private ExpressionView view(Plugin p, SummaryColumn c) {
    try {
      return new ExpressionView(
          c.displayName(), Expressions.parse(c.expression(), statistics), false);
    } catch (BadInputException e) {
      throw new IllegalArgumentException(
          p.name() + ": the summary column '" + c.displayName() + "': " + e.getMessage(), e);
    }
  }

  /** The plug-ins, in order. */
  public List<Plugin> plugins() {
    return plugins;
  }

  /** The standard statistics and the plug-ins'. */
  public StatisticsSchema statistics() {
    return statistics;
  }

  /** A new view of the standard summary columns and every plug-in's after them. */
  public StatisticsView summaryView() {
    return summaryView(plugins);
  }

  /**
   * A new view of the standard summary columns and, after them, the columns of those of {@code
   * shown} that are part of this schema, in this schema's order.
   */
  public StatisticsView summaryView(List<Plugin> shown) {
    StatisticsView v = StandardViews.summary(statistics);
    for (Plugin p : plugins) {
      if (shown.contains(p)) {
        for (SummaryColumn c : p.summaryColumns()) {
          v.add(view(p, c));
        }
      }
    }
    return v;
  }

  /**
   * The slot of a plug-in's long statistic in {@link #statistics()}, or null when it is not part of
   * it.
   */
  public LongIndex longIndex(PluginStatistic s) {
    return find(s) instanceof LongIndex l ? l : null;
  }

  /** The slot of a plug-in's double statistic, or null when it is not part of the schema. */
  public DoubleIndex doubleIndex(PluginStatistic s) {
    return find(s) instanceof DoubleIndex d ? d : null;
  }

  private StatisticIndex find(PluginStatistic s) {
    int i = s.id() - firstId;
    return i >= 0 && i < byId.length ? byId[i] : null;
  }

  @Override
  public String toString() {
    return "PluginSchema" + plugins.stream().map(Plugin::name).toList();
  }
}
