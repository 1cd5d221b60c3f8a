package dev.grindstone.engine.spi;

import dev.grindstone.engine.internal.WorkerContext;

/**
 * The statistics of the test in progress on the calling virtual user, for a plug-in to update while
 * the call runs: The Grinder's {@code getForCurrentTest()}, by declared statistic rather than by
 * name. The call's statistics are reported with it when it ends: basic statistics are summed into
 * the test's figures, and each call's values go to the data log.
 *
 * <p>Values are in the statistic's stored unit (microseconds for a time declared with {@link
 * dev.grindstone.stats.StatisticsSchema#MICROS_AS_MILLIS}). An update of a statistic that is not
 * part of the run (its plug-in was not added to the run) changes nothing; the run's notes name such
 * statistics at the end, with how to add the plug-in. Reading one gives 0.
 *
 * <p>Used only by the virtual user's own thread, during the call. No method allocates.
 */
public interface TestStatistics {

  /**
   * The innermost test in progress on the calling thread, or null: off a virtual user, or between
   * two tests. One thread-local read.
   */
  static TestStatistics current() {
    return WorkerContext.currentTestStatisticsOrNull();
  }

  long getLong(PluginStatistic statistic);

  void setLong(PluginStatistic statistic, long value);

  void addLong(PluginStatistic statistic, long value);

  double getDouble(PluginStatistic statistic);

  void setDouble(PluginStatistic statistic, double value);

  void addDouble(PluginStatistic statistic, double value);

  /**
   * Tells {@linkplain CallListener call listeners} about a request the call made. Of a call that
   * makes several, the record shows the last one's method, URL and status, and the bytes of them
   * all. Keeps the two references as given: the URL's query and fragment are cut off later, when
   * the record is made off the virtual user's thread.
   *
   * @param method the request's method, {@code GET}
   * @param url the request's URL, as sent
   * @param status the response's status, or 0 when no response came
   * @param bytes response body bytes
   */
  void request(String method, String url, int status, long bytes);
}
