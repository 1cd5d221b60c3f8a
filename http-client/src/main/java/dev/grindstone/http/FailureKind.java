package dev.grindstone.http;

/**
 * Why an HTTP request produced no response, or a WebSocket operation did not complete. A closed
 * set: load-test reports count failures per kind.
 */
public enum FailureKind {
  /** The host name could not be resolved. */
  DNS,
  /** The target refused the TCP connection (nothing listens on the port). */
  REFUSED,
  /** The TCP connection was not established within the connect timeout. */
  CONNECT_TIMEOUT,
  /** The TLS handshake failed (untrusted certificate, host name mismatch, protocol mismatch). */
  TLS,
  /** The connection was reset or closed by the target before the response was complete. */
  RESET,
  /**
   * The response did not complete within the request timeout; or no WebSocket message (or pong, or
   * close frame) arrived in time.
   */
  READ_TIMEOUT,
  /** No pooled connection to the target became free within the request timeout. */
  POOL_TIMEOUT,
  /** The target sent something that is not valid HTTP/1.1, or a response larger than the limit. */
  PROTOCOL,
  /** More redirects than the request's redirect policy allows. */
  TOO_MANY_REDIRECTS,
  /** Any other I/O error (for example: network unreachable). */
  IO,
  /** The client was closed while the request was in flight. */
  CLIENT_CLOSED,
  /**
   * The target did not accept a WebSocket upgrade: a status other than 101, a wrong {@code
   * Sec-WebSocket-Accept}, or a subprotocol that was not offered.
   */
  HANDSHAKE,
  /**
   * The WebSocket was closed, by a close frame or a dropped connection, before a message arrived or
   * while sending.
   */
  CLOSED
}
