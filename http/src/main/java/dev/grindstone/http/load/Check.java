package dev.grindstone.http.load;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An assertion on a response. {@link #verify} returns null when the response passes, else a reason
 * that says what was found and what was expected; {@link #name()} is a stable label to count
 * failures per check. A load test marks a call with a failed check as an error. Immutable and
 * thread-safe.
 */
public sealed interface Check {

  /** A short stable label such as {@code status in [200]}. */
  String name();

  /** Null when {@code response} passes, else the reason it does not. */
  String verify(HttpResponse response);

  /** One failed check and its reason. */
  record Failure(Check check, String reason) {}

  /** The failures of {@code checks} on {@code response}, in order; empty when all pass. */
  static List<Failure> verifyAll(HttpResponse response, List<? extends Check> checks) {
    List<Failure> failures = null;
    for (Check c : checks) {
      String reason = c.verify(response);
      if (reason != null) {
        if (failures == null) {
          failures = new ArrayList<>(2);
        }
        failures.add(new Failure(c, reason));
      }
    }
    return failures == null ? List.of() : failures;
  }

  /** The status is one of {@code allowed}. */
  static Check status(int... allowed) {
    return new Status(allowed);
  }

  /** The header is present and equals {@code expected} (names case-insensitive, values exact). */
  static Check header(String name, String expected) {
    return new Header(name, expected, null);
  }

  /** The header is present and matches the regular expression (found anywhere in the value). */
  static Check headerMatches(String name, String regex) {
    return new Header(name, null, compile("headerMatches", regex));
  }

  static Check bodyContains(String text) {
    return new BodyContains(text);
  }

  /** The body (as text) contains a match of the regular expression. */
  static Check bodyMatches(String regex) {
    return new BodyMatches(compile("bodyMatches", regex));
  }

  /**
   * The JSON body's value at {@code pointer} (RFC 6901, such as {@code /items/0/id}) equals {@code
   * expected}, compared as JSON: {@code 1} equals {@code 1.0} is false, {@code "1"} never equals
   * {@code 1}.
   */
  static Check jsonPointer(String pointer, Object expected) {
    JsonPointer p;
    try {
      p = JsonPointer.compile(pointer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "jsonPointer '" + pointer + "' is not a JSON pointer such as /a/0/b: " + e.getMessage(),
          e);
    }
    return new JsonPointerEquals(pointer, p, JsonPointerEquals.MAPPER.valueToTree(expected));
  }

  /** The whole request (start to last byte) took less than {@code limit}. */
  static Check responseTimeBelow(Duration limit) {
    if (limit == null || limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException(
          "responseTimeBelow must be a positive duration, was " + limit);
    }
    return new ResponseTime(limit);
  }

  private static Pattern compile(String field, String regex) {
    try {
      return Pattern.compile(Objects.requireNonNull(regex, field));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          field
              + " '"
              + regex
              + "' is not a valid regular expression: "
              + e.getDescription()
              + " at index "
              + e.getIndex(),
          e);
    }
  }

  private static String excerpt(String s) {
    String one = s.replace('\n', ' ').replace('\r', ' ');
    return one.length() <= 80 ? one : one.substring(0, 80) + "...";
  }

  record Status(int[] allowed) implements Check {
    public Status {
      if (allowed.length == 0) {
        throw new IllegalArgumentException("status check needs at least one status code");
      }
      for (int s : allowed) {
        if (s < 100 || s > 599) {
          throw new IllegalArgumentException(
              "status check code must be between 100 and 599, was " + s);
        }
      }
      allowed = allowed.clone();
    }

    @Override
    public String name() {
      return "status in " + Arrays.toString(allowed);
    }

    @Override
    public String verify(HttpResponse r) {
      for (int s : allowed) {
        if (r.status() == s) {
          return null;
        }
      }
      return "status was "
          + r.status()
          + ", expected "
          + (allowed.length == 1 ? allowed[0] : "one of " + Arrays.toString(allowed));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Status s && Arrays.equals(allowed, s.allowed);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(allowed);
    }

    @Override
    public String toString() {
      return name();
    }
  }

  record Header(String header, String expected, Pattern pattern) implements Check {
    public Header {
      Objects.requireNonNull(header, "header name");
    }

    @Override
    public String name() {
      return pattern == null
          ? "header " + header + " == " + expected
          : "header " + header + " ~ " + pattern;
    }

    @Override
    public String verify(HttpResponse r) {
      String v = r.header(header);
      if (v == null) {
        return "header " + header + " is missing";
      }
      if (pattern == null ? v.equals(expected) : pattern.matcher(v).find()) {
        return null;
      }
      return "header "
          + header
          + " was '"
          + v
          + "', expected "
          + (pattern == null ? "'" + expected + "'" : "a match of /" + pattern + "/");
    }
  }

  record BodyContains(String text) implements Check {
    public BodyContains {
      Objects.requireNonNull(text, "bodyContains");
    }

    @Override
    public String name() {
      return "body contains '" + text + "'";
    }

    @Override
    public String verify(HttpResponse r) {
      String body = r.bodyString();
      return body.contains(text)
          ? null
          : "body does not contain '" + text + "'; it starts with '" + excerpt(body) + "'";
    }
  }

  record BodyMatches(Pattern pattern) implements Check {
    @Override
    public String name() {
      return "body ~ /" + pattern + "/";
    }

    @Override
    public String verify(HttpResponse r) {
      String body = r.bodyString();
      return pattern.matcher(body).find()
          ? null
          : "body has no match of /" + pattern + "/; it starts with '" + excerpt(body) + "'";
    }
  }

  record JsonPointerEquals(String pointer, JsonPointer compiled, JsonNode expected)
      implements Check {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public String name() {
      return "json " + pointer + " == " + expected;
    }

    @Override
    public String verify(HttpResponse r) {
      JsonNode root;
      try {
        root = r.json();
      } catch (IllegalStateException e) {
        return "body is not JSON, so "
            + pointer
            + " cannot be read; it starts with '"
            + excerpt(r.bodyString())
            + "'";
      }
      JsonNode actual = root.at(compiled);
      if (actual.isMissingNode()) {
        return "JSON has no value at " + pointer;
      }
      return sameJson(actual, expected)
          ? null
          : "JSON at " + pointer + " was " + actual + ", expected " + expected;
    }

    /** JSON equality, with whole numbers equal whatever their width (an int 2 equals a long 2). */
    static boolean sameJson(JsonNode a, JsonNode b) {
      if (a.isIntegralNumber() && b.isIntegralNumber()) {
        return a.bigIntegerValue().equals(b.bigIntegerValue());
      }
      if (a.isFloatingPointNumber() && b.isFloatingPointNumber()) {
        return a.doubleValue() == b.doubleValue();
      }
      return a.equals(b);
    }
  }

  record ResponseTime(Duration limit) implements Check {
    @Override
    public String name() {
      return "response time < " + limit.toMillis() + " ms";
    }

    @Override
    public String verify(HttpResponse r) {
      long micros = r.timings().totalMicros();
      return micros < limit.toNanos() / 1000
          ? null
          : String.format(
              java.util.Locale.ROOT,
              "response time %.1f ms exceeded the limit of %d ms",
              micros / 1000.0,
              limit.toMillis());
    }
  }
}
