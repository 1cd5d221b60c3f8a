package dev.grindstone.http.internal;

/** Connections are pooled per scheme, host and port. */
record PoolKey(boolean tls, String host, int port) {
  String authority() {
    return (tls ? "https://" : "http://")
        + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
        + ":"
        + port;
  }
}
