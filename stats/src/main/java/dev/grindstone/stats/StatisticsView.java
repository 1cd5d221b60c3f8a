package dev.grindstone.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An ordered set of {@link ExpressionView}s: the columns of a summary table or a data log. Creation
 * order is kept; adding a view equal to one already present (same name, same normalized expression)
 * does nothing; adding another expression under a name already used is an error. Thread-safe: views
 * may be registered while others read the list.
 */
public final class StatisticsView {

  private final CopyOnWriteArrayList<ExpressionView> views = new CopyOnWriteArrayList<>();

  public StatisticsView(List<ExpressionView> initial) {
    initial.forEach(this::add);
  }

  public StatisticsView() {}

  /** Adds a view; returns false when an equal view was already present. */
  public synchronized boolean add(ExpressionView view) {
    for (ExpressionView v : views) {
      if (v.displayName().equals(view.displayName())) {
        if (v.expressionText().equals(view.expressionText())) {
          return false;
        }
        throw new BadInputException(
            "The column '"
                + view.displayName()
                + "' is already registered as "
                + v.expressionText()
                + "; choose another name for "
                + view.expressionText());
      }
    }
    views.add(view);
    return true;
  }

  /** Adds every view of {@code other} in its order. */
  public void addAll(StatisticsView other) {
    other.views.forEach(this::add);
  }

  /** The views in creation order (a snapshot). */
  public List<ExpressionView> views() {
    return List.copyOf(views);
  }

  public int size() {
    return views.size();
  }

  public StatisticsView copy() {
    return new StatisticsView(new ArrayList<>(views));
  }
}
