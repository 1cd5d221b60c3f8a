package dev.grindstone.http.load;

import dev.grindstone.engine.internal.WorkerContext;
import dev.grindstone.http.FailureKind;
import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpRequestListener;
import dev.grindstone.http.Timings;
import dev.grindstone.http.WebSocket;
import dev.grindstone.http.WebSocketListener;
import dev.grindstone.http.WebSocketMessage;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;

/**
 * Fills The Grinder's {@code httpplugin.*} statistics of the test in progress from every request
 * the client makes on a virtual user, with The Grinder's semantics: {@code responseStatus} is the
 * last request's, {@code responseLength} and {@code firstByteTime} (from each request's own start)
 * are summed, {@code responseErrors} counts statuses of 400 and above (which do not by themselves
 * fail the test), and {@code dnsTime}, {@code connectTime} (DNS included), {@code tlsTime} and
 * {@code connectionsEstablished} count only requests that opened a connection. Requests made
 * outside a test are not counted. Allocation-free; thread-safe (it only touches the calling user's
 * own statistics).
 *
 * <p>WebSockets, in the same style: a WebSocket's opening handshake is an HTTP request (status 101)
 * and fills the statistics above; then {@code websocket.handshakeTime} adds the handshake's whole
 * time (DNS, connect and TLS included) and {@code websocket.handshakes} counts it, {@code
 * websocket.firstMessageTime} adds the time from a socket's handshake start to its first message
 * (in the test that received it) and {@code websocket.firstMessages} counts it, and {@code
 * websocket.messagesSent} and {@code websocket.messagesReceived} count messages.
 */
public final class HttpStatistics implements HttpRequestListener, WebSocketListener {

  /** The one listener; stateless. */
  public static final HttpStatistics INSTANCE = new HttpStatistics();

  private static final StatisticsSchema SCHEMA = StatisticsSchema.withHttp();
  private static final LongIndex STATUS = SCHEMA.longIndex(StatisticsSchema.HTTP_RESPONSE_STATUS);
  private static final LongIndex LENGTH = SCHEMA.longIndex(StatisticsSchema.HTTP_RESPONSE_LENGTH);
  private static final LongIndex ERRORS = SCHEMA.longIndex(StatisticsSchema.HTTP_RESPONSE_ERRORS);
  private static final LongIndex DNS = SCHEMA.longIndex(StatisticsSchema.HTTP_DNS_TIME);
  private static final LongIndex CONNECT = SCHEMA.longIndex(StatisticsSchema.HTTP_CONNECT_TIME);
  private static final LongIndex TLS = SCHEMA.longIndex(StatisticsSchema.HTTP_TLS_TIME);
  private static final LongIndex FIRST_BYTE =
      SCHEMA.longIndex(StatisticsSchema.HTTP_FIRST_BYTE_TIME);
  private static final LongIndex CONNECTIONS =
      SCHEMA.longIndex(StatisticsSchema.HTTP_CONNECTIONS_ESTABLISHED);

  private static final LongIndex WS_HANDSHAKE_TIME =
      SCHEMA.longIndex(StatisticsSchema.WS_HANDSHAKE_TIME);
  private static final LongIndex WS_HANDSHAKES = SCHEMA.longIndex(StatisticsSchema.WS_HANDSHAKES);
  private static final LongIndex WS_FIRST_MESSAGE_TIME =
      SCHEMA.longIndex(StatisticsSchema.WS_FIRST_MESSAGE_TIME);
  private static final LongIndex WS_FIRST_MESSAGES =
      SCHEMA.longIndex(StatisticsSchema.WS_FIRST_MESSAGES);
  private static final LongIndex WS_SENT = SCHEMA.longIndex(StatisticsSchema.WS_MESSAGES_SENT);
  private static final LongIndex WS_RECEIVED =
      SCHEMA.longIndex(StatisticsSchema.WS_MESSAGES_RECEIVED);

  private HttpStatistics() {}

  /**
   * A client builder whose requests and WebSockets feed the statistics of the calling user's test.
   */
  public static HttpClient.Builder clientBuilder() {
    return HttpClient.builder().listener(INSTANCE).webSocketListener(INSTANCE);
  }

  /** The calling user's statistics of the test in progress, or null. */
  private static StatisticsSet current() {
    WorkerContext context = WorkerContext.current();
    StatisticsSet s = context == null ? null : context.currentStatisticsOrNull();
    return s == null || s.schema() != SCHEMA ? null : s;
  }

  @Override
  public void opened(WebSocket webSocket) {
    StatisticsSet s = current();
    if (s != null) {
      s.addLong(WS_HANDSHAKE_TIME, webSocket.handshakeTimings().lastByteMicros());
      s.addLong(WS_HANDSHAKES, 1);
    }
  }

  @Override
  public void sent(WebSocket webSocket, boolean text, int length) {
    StatisticsSet s = current();
    if (s != null) {
      s.addLong(WS_SENT, 1);
    }
  }

  @Override
  public void received(WebSocket webSocket, WebSocketMessage message, boolean first) {
    StatisticsSet s = current();
    if (s != null) {
      s.addLong(WS_RECEIVED, 1);
      if (first) {
        s.addLong(WS_FIRST_MESSAGE_TIME, message.arrivalMicros());
        s.addLong(WS_FIRST_MESSAGES, 1);
      }
    }
  }

  @Override
  public void requestCompleted(
      HttpRequest request,
      int status,
      long responseLength,
      Timings timings,
      boolean newConnection,
      FailureKind failure) {
    StatisticsSet s = current();
    if (s == null) {
      return;
    }
    if (failure == null) {
      s.setLong(STATUS, status);
      s.addLong(LENGTH, responseLength);
      if (status >= 400) {
        s.addLong(ERRORS, 1);
      }
      s.addLong(FIRST_BYTE, timings.firstByteMicros());
    }
    if (newConnection && (failure == null || timings.requestSentMicros() > 0)) {
      s.addLong(DNS, timings.dnsMicros());
      s.addLong(CONNECT, timings.connectMicros());
      s.addLong(TLS, timings.tlsMicros());
      if (timings.connectMicros() > 0) {
        s.addLong(CONNECTIONS, 1);
      }
    }
  }
}
