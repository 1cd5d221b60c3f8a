package dev.grindstone.engine;

/**
 * The script statistics API, with The Grinder's semantics: query and update the statistics of the
 * test in progress or of the last test, delay reports to amend them, and register more summary or
 * data-log expressions. Obtain it with {@link Grindstone#statistics()}.
 *
 * <p>Every method but the registrations must be called on a virtual user's thread (inside a
 * scenario); elsewhere it throws {@link InvalidContextException}. Statistic names are The Grinder's
 * ({@code errors}, {@code userLong0}, {@code httpplugin.responseStatus}, ...); times are in
 * milliseconds.
 */
public interface Statistics {

  /**
   * The statistics of the innermost test in progress on this thread.
   *
   * @throws InvalidContextException off a virtual user's thread, or when no test is in progress
   */
  StatisticsForTest getForCurrentTest();

  /**
   * The statistics of the last test completed on this thread. They can be changed only until they
   * are reported (see {@link #setDelayReports}).
   *
   * @throws InvalidContextException off a virtual user's thread, or before any test completed
   */
  StatisticsForTest getForLastTest();

  default StatisticsForTest forCurrentTest() {
    return getForCurrentTest();
  }

  default StatisticsForTest forLastTest() {
    return getForLastTest();
  }

  /** True when {@link #getForCurrentTest()} would not throw. */
  boolean isTestInProgress();

  /**
   * With {@code true}, a completed test's statistics are held back so the script can amend them
   * through {@link #getForLastTest()}. They are reported when the next test starts, when an
   * enclosing test ends, when the iteration ends, on {@link #report()}, or on {@code
   * setDelayReports(false)}. Affects only the calling virtual user.
   */
  void setDelayReports(boolean delay);

  /** Reports the last test's held-back statistics now; does nothing when none are pending. */
  void report();

  /**
   * Adds a column to the summary table, the console and the results, for example {@code
   * registerSummaryExpression("Error rate (/s)", "(* (/ errors period) 1000)")}.
   *
   * @throws dev.grindstone.stats.expr.ExpressionException when the expression does not parse
   */
  void registerSummaryExpression(String displayName, String expression);

  /**
   * Adds a column to the data log, evaluated for every call. Call it before the run starts (in the
   * scenario's constructor or {@code configure}); from a virtual user it throws {@link
   * InvalidContextException}, because the data log's header is already written.
   */
  void registerDataLogExpression(String displayName, String expression);

  /** One test call's statistics. */
  interface StatisticsForTest {

    /** The test these statistics belong to. */
    Test getTest();

    long getLong(String statistic);

    double getDouble(String statistic);

    void setLong(String statistic, long value);

    void setDouble(String statistic, double value);

    void addLong(String statistic, long value);

    void addDouble(String statistic, double value);

    /** True when the call is not an error ({@code errors == 0}). */
    boolean getSuccess();

    /** Marks the call as a success or an error. An error counts only in {@code errors}. */
    void setSuccess(boolean success);

    /**
     * The call's time in milliseconds: elapsed so far for a test in progress, the whole time for a
     * completed one (even when it failed, although a failure's time is not part of timedTests).
     */
    long getTime();
  }
}
