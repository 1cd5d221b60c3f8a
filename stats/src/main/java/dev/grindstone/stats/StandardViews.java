package dev.grindstone.stats;

import dev.grindstone.stats.expr.Expressions;
import java.util.List;

/**
 * The standard columns: The Grinder's summary and data-log views, and the HTTP plug-in's.
 * TPS is {@code (* 1000 (/ (+ (count timedTests) untimedTests) period))}: the caller sets
 * {@code period} to the <em>actual</em> length of the interval or run in milliseconds.
 */
public final class StandardViews {

  public static final String TESTS = "Tests";
  public static final String ERRORS = "Errors";
  public static final String MEAN_TEST_TIME = "Mean Test Time (ms)";
  public static final String TEST_TIME_SD = "Test Time Standard Deviation (ms)";
  public static final String TPS = "TPS";
  public static final String PEAK_TPS = "Peak TPS";

  public static final String MEAN_RESPONSE_LENGTH = "Mean response length";
  public static final String RESPONSE_BYTES_PER_SECOND = "Response bytes per second";
  public static final String RESPONSE_ERRORS = "Response errors";
  public static final String MEAN_TIME_TO_RESOLVE_HOST = "Mean time to resolve host";
  public static final String MEAN_TIME_TO_ESTABLISH_CONNECTION = "Mean time to establish connection";
  public static final String MEAN_TIME_TO_FIRST_BYTE = "Mean time to first byte";

  public static final String MEAN_WEBSOCKET_HANDSHAKE_TIME = "Mean WebSocket handshake time";
  public static final String MEAN_TIME_TO_FIRST_MESSAGE = "Mean time to first message";
  public static final String MESSAGES_SENT = "Messages sent";
  public static final String MESSAGES_RECEIVED = "Messages received";

  public static final String TEST_TIME = "Test time";

  private StandardViews() {}

  /** Tests, Errors, Mean Test Time (ms), Test Time Standard Deviation (ms), TPS. */
  public static StatisticsView summary(StatisticsSchema schema) {
    return new StatisticsView(List.of(
        view(TESTS, "(+ (count timedTests) untimedTests)", true, schema),
        view(ERRORS, "errors", true, schema),
        view(MEAN_TEST_TIME, "(/ (sum timedTests) (count timedTests))", false, schema),
        view(TEST_TIME_SD, "(sqrt (variance timedTests))", false, schema),
        view(TPS, "(* 1000 (/ (+ (count timedTests) untimedTests) period))", false, schema)));
  }

  /** The HTTP plug-in's six summary columns (the schema must hold the HTTP statistics). */
  public static StatisticsView httpSummary(StatisticsSchema schema) {
    String tests = "(+ (count timedTests) untimedTests)";
    return new StatisticsView(List.of(
        view(MEAN_RESPONSE_LENGTH, "(/ httpplugin.responseLength " + tests + ")", false, schema),
        view(RESPONSE_BYTES_PER_SECOND, "(* 1000 (/ httpplugin.responseLength period))", false, schema),
        view(RESPONSE_ERRORS, "httpplugin.responseErrors", false, schema),
        view(MEAN_TIME_TO_RESOLVE_HOST,
            "(/ httpplugin.dnsTime httpplugin.connectionsEstablished)", false, schema),
        view(MEAN_TIME_TO_ESTABLISH_CONNECTION,
            "(/ httpplugin.connectTime httpplugin.connectionsEstablished)", false, schema),
        view(MEAN_TIME_TO_FIRST_BYTE, "(/ httpplugin.firstByteTime " + tests + ")", false, schema)));
  }

  /**
   * The HTTP plug-in's four WebSocket summary columns: mean handshake time and mean time to first
   * message (over the handshakes and sockets that had them), messages sent and received.
   */
  public static StatisticsView webSocketSummary(StatisticsSchema schema) {
    return new StatisticsView(List.of(
        view(MEAN_WEBSOCKET_HANDSHAKE_TIME,
            "(/ websocket.handshakeTime websocket.handshakes)", false, schema),
        view(MEAN_TIME_TO_FIRST_MESSAGE,
            "(/ websocket.firstMessageTime websocket.firstMessages)", false, schema),
        view(MESSAGES_SENT, "websocket.messagesSent", false, schema),
        view(MESSAGES_RECEIVED, "websocket.messagesReceived", false, schema)));
  }

  /** The summary columns and, when {@code http}, the HTTP plug-in's after them. */
  public static StatisticsView summary(StatisticsSchema schema, boolean http) {
    return summary(schema, http, false);
  }

  /**
   * The summary columns, the HTTP plug-in's when {@code http}, and its WebSocket ones when
   * {@code webSocket}.
   */
  public static StatisticsView summary(StatisticsSchema schema, boolean http, boolean webSocket) {
    StatisticsView v = summary(schema);
    if (http) {
      v.addAll(httpSummary(schema));
    }
    if (webSocket) {
      v.addAll(webSocketSummary(schema));
    }
    return v;
  }

  /**
   * The data log's columns after {@code Thread, Run, Test, Start time (ms since Epoch)}: Test time
   * and Errors, and with {@code http} the HTTP plug-in's seven columns, all evaluated over one call's
   * statistics (which hold the call's time even when it failed).
   */
  public static StatisticsView dataLog(StatisticsSchema schema, boolean http) {
    return dataLog(schema, http, false);
  }

  /**
   * The data log's columns as {@link #dataLog(StatisticsSchema, boolean)}, and with {@code
   * webSocket} four more: WebSocket handshake time, Time to first message, Messages sent, Messages
   * received.
   */
  public static StatisticsView dataLog(StatisticsSchema schema, boolean http, boolean webSocket) {
    StatisticsView v = new StatisticsView(List.of(
        view(TEST_TIME, "(sum timedTests)", true, schema),
        view(ERRORS, "errors", true, schema)));
    if (http) {
      v.add(view("HTTP response code", "httpplugin.responseStatus", true, schema));
      v.add(view("HTTP response length", "httpplugin.responseLength", true, schema));
      v.add(view("HTTP response errors", "httpplugin.responseErrors", true, schema));
      v.add(view("Time to resolve host", "httpplugin.dnsTime", true, schema));
      v.add(view("Time to establish connection", "httpplugin.connectTime", true, schema));
      v.add(view("Time to first byte", "httpplugin.firstByteTime", true, schema));
      v.add(view("New connections", "httpplugin.connectionsEstablished", true, schema));
    }
    if (webSocket) {
      v.add(view("WebSocket handshake time", "websocket.handshakeTime", true, schema));
      v.add(view("Time to first message", "websocket.firstMessageTime", true, schema));
      v.add(view(MESSAGES_SENT, "websocket.messagesSent", true, schema));
      v.add(view(MESSAGES_RECEIVED, "websocket.messagesReceived", true, schema));
    }
    return v;
  }

  /** Peak TPS, the console's addition to the cumulative view. */
  public static ExpressionView peakTps(StatisticsSchema schema) {
    return view(PEAK_TPS, "peakTPS", false, schema);
  }

  private static ExpressionView view(String name, String expression, boolean composite, StatisticsSchema schema) {
    return new ExpressionView(name, Expressions.parse(expression, schema), composite);
  }
}
