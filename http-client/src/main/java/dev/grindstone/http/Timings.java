package dev.grindstone.http;

/**
 * The timing breakdown of one HTTP request, in microseconds, from a monotonic clock.
 *
 * <p>{@code dnsMicros} is the time spent resolving the host name and {@code tlsMicros} the TLS
 * handshake; both are durations and are 0 when the request reused a pooled connection. {@code
 * connectMicros} runs from the request's start until the TCP connection was established, so it
 * includes DNS (The Grinder's {@code connectTime}); it is 0 on a reused connection. {@code
 * requestSentMicros}, {@code firstByteMicros} and {@code lastByteMicros} are offsets from the
 * request's start (waiting for a pooled connection, DNS, connect and TLS included), so {@code
 * firstByteMicros} is The Grinder's {@code firstByteTime}. An offset that was not reached (the
 * request failed first) is 0.
 *
 * @param dnsMicros name resolution, new connections only
 * @param connectMicros start to TCP connected (includes DNS), new connections only
 * @param tlsMicros TLS handshake, new HTTPS connections only
 * @param requestSentMicros start to the request's last byte written to the socket
 * @param firstByteMicros start to the response's first byte
 * @param lastByteMicros start to the response's last byte
 */
public record Timings(
    long dnsMicros,
    long connectMicros,
    long tlsMicros,
    long requestSentMicros,
    long firstByteMicros,
    long lastByteMicros) {

  /** Nothing measured. */
  public static final Timings NONE = new Timings(0, 0, 0, 0, 0, 0);

  /** The whole request in microseconds: the last byte's offset. */
  public long totalMicros() {
    return lastByteMicros;
  }
}
