package dev.grindstone.http.load;

import dev.grindstone.engine.spi.DataLogColumn;
import dev.grindstone.engine.spi.DataLogColumn.Merge;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.PluginStatistic;
import dev.grindstone.engine.spi.SummaryColumn;
import dev.grindstone.stats.StatisticsSchema;
import java.util.List;

/**
 * The WebSocket statistics of the HTTP client, and their columns: {@code websocket.handshakeTime}
 * (µs, summed over {@code websocket.handshakes} completed opening handshakes), {@code
 * websocket.firstMessageTime} (µs from a socket's handshake start to its first message, summed over
 * {@code websocket.firstMessages}), {@code websocket.messagesSent} and {@code
 * websocket.messagesReceived}; four summary columns (Mean WebSocket handshake time, Mean time to
 * first message, Messages sent, Messages received) and four data-log columns, after the {@link
 * HttpPlugin}'s. {@link HttpStatistics} fills the statistics.
 *
 * <p>A run has them when the plug-in is part of it: an {@link HttpFlowScenario} whose flow has
 * WebSocket steps says so itself; a run file says {@code websocket: true}; a Java scenario returns
 * it from {@code plugins()}, after {@link HttpPlugin#INSTANCE}. Immutable.
 */
public final class WebSocketPlugin {

  /** The opening handshakes' whole time, µs. */
  public static final PluginStatistic HANDSHAKE_TIME =
      PluginStatistic.basicLong("websocket.handshakeTime", StatisticsSchema.MICROS_AS_MILLIS);

  /** Completed opening handshakes. */
  public static final PluginStatistic HANDSHAKES =
      PluginStatistic.basicLong("websocket.handshakes");

  /** Time from a socket's handshake start to its first message, µs. */
  public static final PluginStatistic FIRST_MESSAGE_TIME =
      PluginStatistic.basicLong("websocket.firstMessageTime", StatisticsSchema.MICROS_AS_MILLIS);

  /** Sockets whose first message arrived. */
  public static final PluginStatistic FIRST_MESSAGES =
      PluginStatistic.basicLong("websocket.firstMessages");

  /** Messages sent. */
  public static final PluginStatistic MESSAGES_SENT =
      PluginStatistic.basicLong("websocket.messagesSent");

  /** Messages received. */
  public static final PluginStatistic MESSAGES_RECEIVED =
      PluginStatistic.basicLong("websocket.messagesReceived");

  private static final List<PluginStatistic> STATISTICS =
      List.of(
          HANDSHAKE_TIME,
          HANDSHAKES,
          FIRST_MESSAGE_TIME,
          FIRST_MESSAGES,
          MESSAGES_SENT,
          MESSAGES_RECEIVED);

  private static final List<SummaryColumn> SUMMARY =
      List.of(
          new SummaryColumn(
              "meanWebSocketHandshakeTime",
              "Mean WebSocket handshake time",
              "(/ websocket.handshakeTime websocket.handshakes)"),
          new SummaryColumn(
              "meanTimeToFirstMessage",
              "Mean time to first message",
              "(/ websocket.firstMessageTime websocket.firstMessages)"),
          new SummaryColumn("messagesSent", "Messages sent", "websocket.messagesSent"),
          new SummaryColumn("messagesReceived", "Messages received", "websocket.messagesReceived"));

  private static final List<DataLogColumn> DATA_LOG =
      List.of(
          new DataLogColumn("WebSocket handshake time", HANDSHAKE_TIME, Merge.SUM),
          new DataLogColumn("Time to first message", FIRST_MESSAGE_TIME, Merge.SUM),
          new DataLogColumn("Messages sent", MESSAGES_SENT, Merge.SUM),
          new DataLogColumn("Messages received", MESSAGES_RECEIVED, Merge.SUM));

  /** The plug-in: its statistics and columns, declared above. */
  public static final Plugin INSTANCE =
      new Plugin.Declared("WebSocket plug-in", STATISTICS, SUMMARY, DATA_LOG);

  private WebSocketPlugin() {}
}
