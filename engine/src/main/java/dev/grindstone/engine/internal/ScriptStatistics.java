package dev.grindstone.engine.internal;

import dev.grindstone.engine.InvalidContextException;
import dev.grindstone.engine.Statistics;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.expr.Expressions;
import java.util.ArrayList;
import java.util.List;

/** The {@link Statistics} API over the calling thread's {@link WorkerContext}. Stateless. */
public final class ScriptStatistics implements Statistics {

  public static final ScriptStatistics INSTANCE = new ScriptStatistics();

  /** Registrations made before a run starts; the next run takes them. */
  private static final List<Registration> pending = new ArrayList<>();

  /** A registered column: summary or data log. */
  public record Registration(boolean dataLog, String displayName, String expression) {}

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

  @Override
  public void registerSummaryExpression(String displayName, String expression) {
    // Parse now so a mistake is reported where it was made.
    ExpressionView view = new ExpressionView(displayName,
        Expressions.parse(expression, StatisticsSchema.withHttp()), false);
    WorkerContext c = WorkerContext.current();
    if (c != null) {
      StatisticsView running = c.recording().summaryView();
      running.add(new ExpressionView(displayName,
          Expressions.parse(expression, c.recording().schema()), false));
      return;
    }
    synchronized (pending) {
      pending.add(new Registration(false, view.displayName(), expression));
    }
  }

  @Override
  public void registerDataLogExpression(String displayName, String expression) {
    if (WorkerContext.current() != null) {
      throw new InvalidContextException("registerDataLogExpression(\"" + displayName + "\", ...) was"
          + " called by a virtual user, but the data log's columns are fixed when the run starts."
          + " Register it before the run: in the scenario's constructor or configure method.");
    }
    new ExpressionView(displayName, Expressions.parse(expression, StatisticsSchema.withHttp()), true);
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
