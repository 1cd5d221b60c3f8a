package dev.grindstone.livecheck.http;

import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.TestExecution;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The HTTP headers that carry a LiveCheck test from service to service, for any HTTP client or
 * server: {@code LiveCheck-Test-Id}, {@code LiveCheck-Test-Name} (the case), {@code
 * LiveCheck-Test-Timestamp} and {@code LiveCheck-Test-Expires} (ISO-8601 as Python's {@code
 * isoformat()} writes it, see {@link #isoformat(Instant)}), plus W3C {@code traceparent} (trace id
 * derived from the test id, so every hop of one test shares a trace) and {@code baggage} ({@code
 * livecheck.test_id}, {@code livecheck.case}, {@code livecheck.timestamp}, {@code
 * livecheck.expires}).
 *
 * <p>Client integrations call {@link #current()} and add every entry to the outgoing request;
 * server integrations call {@link #read(Function)} with a header lookup and open a {@link
 * TestContext} scope. Stateless and thread-safe.
 */
public final class LiveCheckHeaders {
  public static final String TEST_ID = "LiveCheck-Test-Id";
  public static final String TEST_NAME = "LiveCheck-Test-Name";
  public static final String TEST_TIMESTAMP = "LiveCheck-Test-Timestamp";
  public static final String TEST_EXPIRES = "LiveCheck-Test-Expires";
  public static final String TRACEPARENT = "traceparent";
  public static final String BAGGAGE = "baggage";

  private LiveCheckHeaders() {}

  /**
   * The headers for an outgoing request made now: empty outside a test. This is the hook for any
   * HTTP client (the JDK wrapper {@link LiveCheckHttpClient} uses it).
   */
  public static Map<String, String> current() {
    return TestContext.current().map(LiveCheckHeaders::of).orElse(Map.of());
  }

  /** The headers carrying {@code test}, with a fresh span id in {@code traceparent}. */
  public static Map<String, String> of(TestExecution test) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put(TEST_ID, test.id());
    h.put(TEST_NAME, test.caseName());
    String timestamp = isoformat(test.timestamp());
    String expires = isoformat(test.expires());
    h.put(TEST_TIMESTAMP, timestamp);
    h.put(TEST_EXPIRES, expires);
    h.put(TRACEPARENT, "00-" + traceId(test.id()) + "-" + spanId() + "-01");
    h.put(
        BAGGAGE,
        "livecheck.test_id="
            + enc(test.id())
            + ",livecheck.case="
            + enc(test.caseName())
            + ",livecheck.timestamp="
            + enc(timestamp)
            + ",livecheck.expires="
            + enc(expires));
    return h;
  }

  /**
   * The test carried by an incoming request, if any: from the {@code LiveCheck-*} headers, else
   * from {@code baggage}. Malformed values give empty (instrumentation never fails a request).
   *
   * @param header looks a header up by name (case-insensitively, as HTTP servers do); returns
   *     {@code null} when absent
   */
  public static Optional<TestExecution> read(Function<String, String> header) {
    String id = header.apply(TEST_ID);
    String name = header.apply(TEST_NAME);
    String ts = header.apply(TEST_TIMESTAMP);
    String exp = header.apply(TEST_EXPIRES);
    if (id == null || name == null) {
      Map<String, String> b = baggage(header.apply(BAGGAGE));
      id = b.get("livecheck.test_id");
      name = b.get("livecheck.case");
      ts = b.get("livecheck.timestamp");
      exp = b.get("livecheck.expires");
    }
    if (id == null || id.isBlank() || name == null || name.isBlank() || ts == null || exp == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new TestExecution(id, name, instant(ts), Map.of(), instant(exp)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code t} as Faust writes these headers (Python's {@code datetime.isoformat()} of a UTC time):
   * {@code 2026-01-01T12:00:00.123456+00:00}, with exactly six fraction digits, or none when the
   * microseconds are 0. Faust's ISO-8601 readers take at most six fraction digits (its fallback
   * parser reads them as a count of microseconds), so finer digits are truncated. Every ISO-8601
   * reader, {@link Instant#parse} included, reads the result.
   */
  public static String isoformat(Instant t) {
    OffsetDateTime utc = t.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(32);
    b.append(
        String.format(
            Locale.ROOT,
            "%04d-%02d-%02dT%02d:%02d:%02d",
            utc.getYear(),
            utc.getMonthValue(),
            utc.getDayOfMonth(),
            utc.getHour(),
            utc.getMinute(),
            utc.getSecond()));
    int micros = utc.getNano() / 1000;
    if (micros != 0) {
      b.append(String.format(Locale.ROOT, ".%06d", micros));
    }
    return b.append("+00:00").toString();
  }

  /** Reads an ISO-8601 instant with an offset or {@code Z}, as the headers carry it. */
  public static Instant parseInstant(String s) {
    return instant(s);
  }

  /** The W3C trace id (32 lowercase hex) of a test: the id itself when it is one, else a hash. */
  public static String traceId(String testId) {
    String lower = testId.toLowerCase(Locale.ROOT).replace("-", "");
    if (lower.matches("[0-9a-f]{32}") && !lower.equals("0".repeat(32))) {
      return lower;
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(testId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present", e);
    }
  }

  private static String spanId() {
    long v;
    do {
      v = ThreadLocalRandom.current().nextLong();
    } while (v == 0);
    return HexFormat.of().toHexDigits(v);
  }

  private static Instant instant(String s) {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(s).toInstant();
    }
  }

  private static Map<String, String> baggage(String value) {
    Map<String, String> m = new LinkedHashMap<>();
    if (value == null) {
      return m;
    }
    for (String member : value.split(",")) {
      String kv = member.split(";", 2)[0];
      int eq = kv.indexOf('=');
      if (eq > 0) {
        try {
          m.put(
              kv.substring(0, eq).strip(),
              URLDecoder.decode(kv.substring(eq + 1).strip(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          // a malformed member is ignored, like any other baggage a service does not understand
        }
      }
    }
    return m;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
