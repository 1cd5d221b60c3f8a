package dev.grindstone.engine.internal;

import dev.grindstone.engine.InvalidContextException;
import dev.grindstone.engine.Statistics;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.expr.Expressions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The {@link Statistics} API over the calling thread's {@link WorkerContext}. Stateless. */
public final class ScriptStatistics implements Statistics {

  public static final ScriptStatistics INSTANCE = new ScriptStatistics();

  /** Registrations made before a run starts; the next run takes them. */
  private static final List<Registration> pending = new ArrayList<>();

  /** A registered column: summary or data log. */
  public record Registration(boolean dataLog, String displayName, String expression) {

    /**
     * The column over {@code schema}; throws {@link BadInputException} naming the registration when
     * the expression does not parse over it.
     */
    public ExpressionView view(StatisticsSchema schema) {
      try {
        return new ExpressionView(displayName, Expressions.parse(expression, schema), dataLog);
      } catch (BadInputException e) {
        throw new BadInputException(
            (dataLog ? "registerDataLogExpression" : "registerSummaryExpression")
                + "(\""
                + displayName
                + "\", \""
                + expression
                + "\"): "
                + e.getMessage(),
            e);
      }
    }
  }

  private ScriptStatistics() {}

  @Override
  public StatisticsForTest getForCurrentTest() {
    return WorkerContext.requireForStatistics().forCurrentTest();
  }

  @Override
  public StatisticsForTest getForLastTest() {
    return WorkerContext.requireForStatistics().forLastTest();
  }

  @Override
  public boolean isTestInProgress() {
    WorkerContext c = WorkerContext.current();
    return c != null && c.isTestInProgress();
  }

  @Override
  public void setDelayReports(boolean delay) {
    WorkerContext.requireForStatistics().setDelayReports(delay);
  }

  @Override
  public void report() {
    WorkerContext.requireForStatistics().report();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Called by a virtual user, the column joins the running run's summary at once; called before
   * a run, it is parsed when the next run starts, over that run's schema (whose plug-ins are known
   * only then), and a mistake stops that run before it starts.
   */
  @Override
  public void registerSummaryExpression(String displayName, String expression) {
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(expression, "expression");
    WorkerContext c = WorkerContext.current();
    if (c != null) {
      StatisticsView running = c.recording().summaryView();
      running.add(
          new ExpressionView(
              displayName, Expressions.parse(expression, c.recording().schema()), false));
      return;
    }
    synchronized (pending) {
      pending.add(new Registration(false, displayName, expression));
    }
  }

  @Override
  public void registerDataLogExpression(String displayName, String expression) {
    if (WorkerContext.current() != null) {
      throw new InvalidContextException(
          "registerDataLogExpression(\""
              + displayName
              + "\", ...) was called by a virtual user, but the data log's columns are fixed when"
              + " the run starts. Register it before the run: in the scenario's constructor or"
              + " configure method.");
    }
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(expression, "expression");
    synchronized (pending) {
      pending.add(new Registration(true, displayName, expression));
    }
  }

  /** Takes (and clears) the registrations made since the last run started. */
  public static List<Registration> takePending() {
    synchronized (pending) {
      List<Registration> copy = List.copyOf(pending);
      pending.clear();
      return copy;
    }
  }
}
