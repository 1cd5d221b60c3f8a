package dev.grindstone.http;

/**
 * Why an HTTP request produced no response. A closed set: load-test reports count failures per
 * kind.
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
  /** The response did not complete within the request timeout. */
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
  CLIENT_CLOSED
}
