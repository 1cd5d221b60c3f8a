package dev.grindstone.http;

import dev.grindstone.http.internal.WebSocketConnection;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * An open WebSocket (RFC 6455) of one virtual user, from {@link HttpClient#openWebSocket} or {@link
 * HttpSession#openWebSocket}: send text and binary messages, receive whole messages with a timeout,
 * ping, close. The client answers the server's pings by itself.
 *
 * <pre>{@code
 * try (WebSocket ws = user.openWebSocket(WebSocketRequest.newBuilder(url + "/ws/echo").build())) {
 *   ws.sendText("hello");
 *   WebSocketMessage echo = ws.receive(Duration.ofSeconds(2));
 *   Duration roundTrip = ws.ping(Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>Messages that arrive are queued until received, in order; when more than 4,096 wait, the
 * client stops reading the socket until the caller catches up, so nothing is dropped. Failures are
 * thrown as {@link HttpFailure}: {@code READ_TIMEOUT} when no message (or pong, or close frame)
 * came in time, {@code CLOSED} once the connection has ended (by either side's close frame or a
 * dropped connection: {@link #closeStatus()} says which) and every message that arrived before has
 * been received, {@code PROTOCOL} for invalid frames or a message over the client's {@code
 * maxResponseBytes}. Use it from one thread at a time.
 */
public final class WebSocket implements AutoCloseable {

  /**
   * How a WebSocket ended.
   *
   * @param code the close code (1000 normal, 1001 going away, ...; 1005 when the close frame had
   *     none, 1006 when the connection dropped without a close frame)
   * @param reason the close frame's reason, or empty
   * @param byServer whether the server closed it (sent the first close frame, or dropped the
   *     connection)
   */
  public record CloseStatus(int code, String reason, boolean byServer) {}

  private final WebSocketConnection connection;
  private final WebSocketListener listener;
  private final URI uri;
  private final Timings handshakeTimings;
  private final int handshakeStatus;
  private final HttpHeaders handshakeHeaders;
  private final long startNanos;
  private final long timeoutNanos;
  private boolean received;

  WebSocket(
      WebSocketConnection connection,
      WebSocketListener listener,
      URI uri,
      Timings handshakeTimings,
      int handshakeStatus,
      HttpHeaders handshakeHeaders,
      long startNanos,
      long timeoutNanos) {
    this.connection = connection;
    this.listener = listener;
    this.uri = uri;
    this.handshakeTimings = handshakeTimings;
    this.handshakeStatus = handshakeStatus;
    this.handshakeHeaders = handshakeHeaders;
    this.startNanos = startNanos;
    this.timeoutNanos = timeoutNanos;
  }

  /** The {@code ws} or {@code wss} URI. */
  public URI uri() {
    return uri;
  }

  /** The subprotocol the server chose among those offered, or null. */
  public String subprotocol() {
    return connection.subprotocol();
  }

  /**
   * The opening handshake's timing breakdown in microseconds: DNS, connect, TLS, request sent,
   * first byte and, as {@code lastByteMicros}, the handshake's whole time.
   */
  public Timings handshakeTimings() {
    return handshakeTimings;
  }

  /** The handshake response's status: 101. */
  public int handshakeStatus() {
    return handshakeStatus;
  }

  /** A header of the handshake response (names case-insensitive), or null. */
  public String handshakeHeader(String name) {
    return handshakeHeaders.get(name);
  }

  /** Sends a text message in one frame; returns once it is written to the socket. */
  public void sendText(String text) {
    send(true, Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a binary message in one frame; returns once it is written to the socket. */
  public void sendBinary(byte[] data) {
    send(false, Objects.requireNonNull(data, "data").clone());
  }

  private void send(boolean text, byte[] payload) {
    connection.send(text, payload, System.nanoTime() + timeoutNanos);
    try {
      listener.sent(this, text, payload.length);
    } catch (RuntimeException ignored) {
      // A listener must never break a call (see WebSocketListener).
    }
  }

  /** The next message, waiting at most the socket's timeout (see {@link #receive(Duration)}). */
  public WebSocketMessage receive() {
    return receive(timeoutNanos);
  }

  /**
   * The next message, waiting at most {@code timeout}.
   *
   * @throws HttpFailure {@code READ_TIMEOUT} when none arrived in time; {@code CLOSED} when the
   *     socket has ended and every earlier message was received
   */
  public WebSocketMessage receive(Duration timeout) {
    return receive(positive(timeout));
  }

  private WebSocketMessage receive(long timeout) {
    WebSocketConnection.Inbound in = connection.receive(System.nanoTime() + timeout, timeout);
    WebSocketMessage m =
        new WebSocketMessage(
            in.text(), in.data(), Math.max(0, (in.arrivedAtNanos() - startNanos) / 1000));
    boolean first = !received;
    received = true;
    try {
      listener.received(this, m, first);
    } catch (RuntimeException ignored) {
      // A listener must never break a call (see WebSocketListener).
    }
    return m;
  }

  /**
   * When the socket's first message arrived, in microseconds since the handshake started; 0 while
   * none has.
   */
  public long firstMessageMicros() {
    long at = connection.firstMessageAtNanos();
    return at == 0 ? 0 : Math.max(1, (at - startNanos) / 1000);
  }

  /**
   * Sends a ping and waits for its pong.
   *
   * @return the round trip
   * @throws HttpFailure {@code READ_TIMEOUT} when no pong came in time, {@code CLOSED} when the
   *     socket ended first
   */
  public Duration ping(Duration timeout) {
    long t = positive(timeout);
    return Duration.ofNanos(connection.ping(System.nanoTime() + t, t));
  }

  /** How many of the server's pings the client answered. */
  public long pingsAnswered() {
    return connection.pingsAnswered();
  }

  /** Whether the socket is open: no close frame seen or sent, and the connection up. */
  public boolean isOpen() {
    return connection.ended() == null;
  }

  /** How the socket ended, or null while it is open. */
  public CloseStatus closeStatus() {
    WebSocketConnection.Ended e = connection.ended();
    return e == null ? null : new CloseStatus(e.code(), e.reason(), e.byServer());
  }

  /**
   * Closes the socket with {@code code} and {@code reason}: sends the close frame and waits, up to
   * the socket's timeout, for the server's own and for the connection to close. Messages not yet
   * received are discarded. On a socket that has already ended, returns how it ended.
   *
   * @param code 1000 (normal) or another code a client may send (1001-1003, 1007-1011, 3000-4999)
   * @return how the socket ended
   * @throws HttpFailure {@code READ_TIMEOUT} when the server did not answer in time (the connection
   *     is closed anyway)
   */
  public CloseStatus close(int code, String reason) {
    Objects.requireNonNull(reason, "reason");
    boolean sendable =
        code == 1000
            || (code >= 1001 && code <= 1003)
            || (code >= 1007 && code <= 1011)
            || (code >= 3000 && code <= 4999);
    if (!sendable) {
      throw new IllegalArgumentException(
          "close code must be 1000-1003, 1007-1011 or 3000-4999, was " + code);
    }
    if (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
      throw new IllegalArgumentException(
          "close reason must be at most 123 bytes in UTF-8, was '" + reason + "'");
    }
    WebSocketConnection.Ended e = connection.close(code, reason, System.nanoTime() + timeoutNanos);
    return new CloseStatus(e.code(), e.reason(), e.byServer());
  }

  /** Closes normally (1000), without throwing: a server that does not answer is cut off. */
  @Override
  public void close() {
    try {
      close(1000, "");
    } catch (HttpFailure ignored) {
      // The connection is closed in any case.
    }
  }

  private static long positive(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be a positive duration, was " + timeout);
    }
    return timeout.toNanos();
  }

  @Override
  public String toString() {
    return "WebSocket " + uri + (isOpen() ? " (open)" : " (" + closeStatus() + ")");
  }
}
