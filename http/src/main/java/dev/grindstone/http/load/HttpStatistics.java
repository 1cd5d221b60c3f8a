package dev.grindstone.http.load;

import static dev.grindstone.http.load.HttpPlugin.CONNECTIONS_ESTABLISHED;
import static dev.grindstone.http.load.HttpPlugin.CONNECT_TIME;
import static dev.grindstone.http.load.HttpPlugin.DNS_TIME;
import static dev.grindstone.http.load.HttpPlugin.FIRST_BYTE_TIME;
import static dev.grindstone.http.load.HttpPlugin.RESPONSE_ERRORS;
import static dev.grindstone.http.load.HttpPlugin.RESPONSE_LENGTH;
import static dev.grindstone.http.load.HttpPlugin.RESPONSE_STATUS;
import static dev.grindstone.http.load.HttpPlugin.TLS_TIME;
import static dev.grindstone.http.load.WebSocketPlugin.FIRST_MESSAGES;
import static dev.grindstone.http.load.WebSocketPlugin.FIRST_MESSAGE_TIME;
import static dev.grindstone.http.load.WebSocketPlugin.HANDSHAKES;
import static dev.grindstone.http.load.WebSocketPlugin.HANDSHAKE_TIME;
import static dev.grindstone.http.load.WebSocketPlugin.MESSAGES_RECEIVED;
import static dev.grindstone.http.load.WebSocketPlugin.MESSAGES_SENT;

import dev.grindstone.engine.spi.TestStatistics;
import dev.grindstone.http.FailureKind;
import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpRequestListener;
import dev.grindstone.http.Timings;
import dev.grindstone.http.WebSocket;
import dev.grindstone.http.WebSocketListener;
import dev.grindstone.http.WebSocketMessage;

/**
 * Fills The Grinder's {@code httpplugin.*} statistics of the test in progress from every request
 * the client makes on a virtual user, with The Grinder's semantics: {@code responseStatus} is the
 * last request's, {@code responseLength} and {@code firstByteTime} (from each request's own start)
 * are summed, {@code responseErrors} counts statuses of 400 and above (which do not by themselves
 * fail the test), and {@code dnsTime}, {@code connectTime} (DNS included), {@code tlsTime} and
 * {@code connectionsEstablished} count only requests that opened a connection. Requests made
 * outside a test are not counted; the statistics are those of the {@link HttpPlugin}, which the run
 * must have (see there). Allocation-free; thread-safe (it only touches the calling user's own
 * statistics).
 *
 * <p>WebSockets, in the same style: a WebSocket's opening handshake is an HTTP request (status 101)
 * and fills the statistics above; then {@code websocket.handshakeTime} adds the handshake's whole
 * time (DNS, connect and TLS included) and {@code websocket.handshakes} counts it, {@code
 * websocket.firstMessageTime} adds the time from a socket's handshake start to its first message
 * (in the test that received it) and {@code websocket.firstMessages} counts it, and {@code
 * websocket.messagesSent} and {@code websocket.messagesReceived} count messages: the statistics of
 * the {@link WebSocketPlugin}.
 *
 * <p>A request sent with {@code sendAsync} from inside a test counts in that test, as {@link
 * #forAsync} binds it there.
 *
 * <p>Every request is also told to the run's call listeners ({@link TestStatistics#request}): its
 * method, URL, status (0 when no response came) and response length.
 */
public final class HttpStatistics implements HttpRequestListener, WebSocketListener {

  /** The one listener; stateless. */
  public static final HttpStatistics INSTANCE = new HttpStatistics();

  private HttpStatistics() {}

  /**
   * A client builder whose requests and WebSockets feed the statistics of the calling user's test.
   */
  public static HttpClient.Builder clientBuilder() {
    return HttpClient.builder().listener(INSTANCE).webSocketListener(INSTANCE);
  }

  @Override
  public void opened(WebSocket webSocket) {
    TestStatistics s = TestStatistics.current();
    if (s != null) {
      s.addLong(HANDSHAKE_TIME, webSocket.handshakeTimings().lastByteMicros());
      s.addLong(HANDSHAKES, 1);
    }
  }

  @Override
  public void sent(WebSocket webSocket, boolean text, int length) {
    TestStatistics s = TestStatistics.current();
    if (s != null) {
      s.addLong(MESSAGES_SENT, 1);
    }
  }

  @Override
  public void received(WebSocket webSocket, WebSocketMessage message, boolean first) {
    TestStatistics s = TestStatistics.current();
    if (s != null) {
      s.addLong(MESSAGES_RECEIVED, 1);
      if (first) {
        s.addLong(FIRST_MESSAGE_TIME, message.arrivalMicros());
        s.addLong(FIRST_MESSAGES, 1);
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
    TestStatistics s = TestStatistics.current();
    if (s != null) {
      record(s, request, status, responseLength, timings, newConnection, failure);
    }
  }

  /**
   * For a {@code sendAsync}: the test in progress on the calling user, bound, since the request
   * completes on the client's event loop. The test stays in progress, and its statistics untouched
   * by its user, until the request's future completes ({@code Test.recordAsync}).
   */
  @Override
  public HttpRequestListener forAsync() {
    TestStatistics s = TestStatistics.current();
    return s == null
        ? HttpRequestListener.NONE
        : (request, status, length, timings, newConnection, failure) ->
            record(s, request, status, length, timings, newConnection, failure);
  }

  private static void record(
      TestStatistics s,
      HttpRequest request,
      int status,
      long responseLength,
      Timings timings,
      boolean newConnection,
      FailureKind failure) {
    s.request(
        request.method(),
        request.uri().toString(),
        failure == null ? status : 0,
        failure == null ? responseLength : 0);
    if (failure == null) {
      s.setLong(RESPONSE_STATUS, status);
      s.addLong(RESPONSE_LENGTH, responseLength);
      if (status >= 400) {
        s.addLong(RESPONSE_ERRORS, 1);
      }
      s.addLong(FIRST_BYTE_TIME, timings.firstByteMicros());
    }
    if (newConnection && (failure == null || timings.requestSentMicros() > 0)) {
      s.addLong(DNS_TIME, timings.dnsMicros());
      s.addLong(CONNECT_TIME, timings.connectMicros());
      s.addLong(TLS_TIME, timings.tlsMicros());
      if (timings.connectMicros() > 0) {
        s.addLong(CONNECTIONS_ESTABLISHED, 1);
      }
    }
  }
}
