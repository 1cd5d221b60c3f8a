package dev.grindstone.http.load;

import dev.grindstone.engine.spi.DataLogColumn;
import dev.grindstone.engine.spi.DataLogColumn.Merge;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.PluginStatistic;
import dev.grindstone.engine.spi.SummaryColumn;
import dev.grindstone.stats.StatisticsSchema;
import java.util.List;

/**
 * The HTTP plug-in: The Grinder's {@code httpplugin.*} statistics (and {@code tlsTime}), the six
 * summary columns after the standard ones, and the seven data-log columns after {@code Errors},
 * named, ordered and computed as The Grinder's HTTP plug-in has them. {@link HttpStatistics} fills
 * the statistics of the test in progress from every request a client makes.
 *
 * <p>A run has these statistics and columns when the plug-in is part of it: an {@link
 * HttpFlowScenario} says so itself; a Java scenario that makes its client with {@link
 * HttpStatistics#clientBuilder()} returns {@code List.of(HttpPlugin.INSTANCE)} from {@code
 * plugins()} (or the run adds it with {@code Run.plugin}). Times are stored in microseconds and
 * shown in milliseconds. Immutable.
 */
public final class HttpPlugin {

  /** The status of the test's last response (summed over calls, as every basic long). */
  public static final PluginStatistic RESPONSE_STATUS =
      PluginStatistic.basicLong("httpplugin.responseStatus");

  /** Response body bytes. */
  public static final PluginStatistic RESPONSE_LENGTH =
      PluginStatistic.basicLong("httpplugin.responseLength");

  /** Responses with a status of 400 and above. */
  public static final PluginStatistic RESPONSE_ERRORS =
      PluginStatistic.basicLong("httpplugin.responseErrors");

  /** Time to resolve the host, µs, on new connections. */
  public static final PluginStatistic DNS_TIME =
      PluginStatistic.basicLong("httpplugin.dnsTime", StatisticsSchema.MICROS_AS_MILLIS);

  /** Time to establish the connection (DNS included), µs, on new connections. */
  public static final PluginStatistic CONNECT_TIME =
      PluginStatistic.basicLong("httpplugin.connectTime", StatisticsSchema.MICROS_AS_MILLIS);

  /** Time from each request's start to the first byte of its response, µs. */
  public static final PluginStatistic FIRST_BYTE_TIME =
      PluginStatistic.basicLong("httpplugin.firstByteTime", StatisticsSchema.MICROS_AS_MILLIS);

  /** New connections opened. */
  public static final PluginStatistic CONNECTIONS_ESTABLISHED =
      PluginStatistic.basicLong("httpplugin.connectionsEstablished");

  /** TLS handshake time, µs, on new connections (not one of The Grinder's). */
  public static final PluginStatistic TLS_TIME =
      PluginStatistic.basicLong("httpplugin.tlsTime", StatisticsSchema.MICROS_AS_MILLIS);

  private static final String TESTS = "(+ (count timedTests) untimedTests)";

  private static final List<PluginStatistic> STATISTICS =
      List.of(
          RESPONSE_STATUS,
          RESPONSE_LENGTH,
          RESPONSE_ERRORS,
          DNS_TIME,
          CONNECT_TIME,
          FIRST_BYTE_TIME,
          CONNECTIONS_ESTABLISHED,
          TLS_TIME);

  private static final List<SummaryColumn> SUMMARY =
      List.of(
          new SummaryColumn(
              "meanResponseLength",
              "Mean response length",
              "(/ httpplugin.responseLength " + TESTS + ")"),
          new SummaryColumn(
              "responseBytesPerSecond",
              "Response bytes per second",
              "(* 1000 (/ httpplugin.responseLength period))"),
          new SummaryColumn("responseErrors", "Response errors", "httpplugin.responseErrors"),
          new SummaryColumn(
              "meanTimeToResolveHost",
              "Mean time to resolve host",
              "(/ httpplugin.dnsTime httpplugin.connectionsEstablished)"),
          new SummaryColumn(
              "meanTimeToEstablishConnection",
              "Mean time to establish connection",
              "(/ httpplugin.connectTime httpplugin.connectionsEstablished)"),
          new SummaryColumn(
              "meanTimeToFirstByte",
              "Mean time to first byte",
              "(/ httpplugin.firstByteTime " + TESTS + ")"));

  private static final List<DataLogColumn> DATA_LOG =
      List.of(
          new DataLogColumn("HTTP response code", RESPONSE_STATUS, Merge.LAST),
          new DataLogColumn("HTTP response length", RESPONSE_LENGTH, Merge.SUM),
          new DataLogColumn("HTTP response errors", RESPONSE_ERRORS, Merge.SUM),
          new DataLogColumn("Time to resolve host", DNS_TIME, Merge.SUM),
          new DataLogColumn("Time to establish connection", CONNECT_TIME, Merge.SUM),
          new DataLogColumn("Time to first byte", FIRST_BYTE_TIME, Merge.SUM),
          new DataLogColumn("New connections", CONNECTIONS_ESTABLISHED, Merge.SUM));

  /** The plug-in: its statistics and columns, declared above. */
  public static final Plugin INSTANCE =
      new Plugin.Declared("HTTP plug-in", STATISTICS, SUMMARY, DATA_LOG);

  private HttpPlugin() {}
}
