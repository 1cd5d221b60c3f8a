package dev.grindstone.livecheck.kafka;

import dev.grindstone.livecheck.TestExecution;
import dev.grindstone.livecheck.http.LiveCheckHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The LiveCheck headers on Kafka records: the same names and values as over HTTP ({@code
 * LiveCheck-Test-Id}, {@code -Name}, {@code -Timestamp}, {@code -Expires}, {@code traceparent},
 * {@code baggage}), as UTF-8 bytes, which is how Faust's producer writes them. Stateless and
 * thread-safe.
 */
public final class KafkaHeaders {
  /** Names the LiveCheck app a transport record belongs to, so apps can share the topics. */
  public static final String APP = "LiveCheck-App";

  private KafkaHeaders() {}

  /** Adds the headers of {@code test}, replacing any LiveCheck header already there. */
  public static void write(Headers headers, TestExecution test) {
    for (Map.Entry<String, String> e : LiveCheckHeaders.of(test).entrySet()) {
      headers.remove(e.getKey());
      headers.add(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The test carried by {@code headers}, if any; malformed values give empty. */
  public static Optional<TestExecution> read(Headers headers) {
    return LiveCheckHeaders.read(name -> text(headers, name));
  }

  /** The last value of header {@code name} as UTF-8 text, or {@code null}. */
  public static String text(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
