package dev.grindstone.http;

/**
 * Told what happens on every WebSocket the client opens. The load plugin ({@code HttpStatistics} in
 * {@code grindstone-http}) implements it to fill the {@code websocket.*} statistics of the current
 * test. The opening handshake is also reported to the {@link HttpRequestListener}, as the HTTP
 * request it is.
 *
 * <p>Called on the thread that made the call (the virtual user's), after it completed and before it
 * returns. It must be quick and must not throw; an exception it throws is swallowed.
 */
public interface WebSocketListener {

  /** The opening handshake completed: {@link WebSocket#handshakeTimings()} holds its times. */
  default void opened(WebSocket webSocket) {}

  /** A message was written to the socket. */
  default void sent(WebSocket webSocket, boolean text, int length) {}

  /**
   * A message was taken by {@link WebSocket#receive}; {@code first} for the socket's first one,
   * whose {@link WebSocketMessage#arrivalMicros()} is its time to first message.
   */
  default void received(WebSocket webSocket, WebSocketMessage message, boolean first) {}

  /** A listener that does nothing. */
  WebSocketListener NONE = new WebSocketListener() {};
}
