package dev.grindstone.kube;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects what is wrong with the settings, every problem at once, each naming the setting, the
 * value and the rule. Not thread-safe.
 */
final class Checks {
  // Kubernetes' own rules (apimachinery's validation): a DNS-1123 label, a DNS-1035 label (a
  // Service name: it must start with a letter) and a DNS-1123 subdomain (a Secret name).
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static final int MAX_LABEL = 63;
  private static final int MAX_SUBDOMAIN = 253;

  private final List<String> problems = new ArrayList<>();

  void add(String problem) {
    problems.add(problem);
  }

  /** Throws one {@link IllegalArgumentException} listing every problem, if there is any. */
  void throwIfAny() {
    if (problems.size() == 1) {
      throw new IllegalArgumentException(problems.get(0));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          problems.size() + " problems:\n  " + String.join("\n  ", problems));
    }
  }

  void range(String setting, long value, long min, long max, String why) {
    if (value < min || value > max) {
      add(setting + ": must be " + min + " to " + max + " (" + why + "), got " + value);
    }
  }

  /** A name that prefixes Service names: a DNS-1035 label of at most {@code max} characters. */
  void dns1035Label(String setting, String value, int max, String why) {
    if (!DNS1035_LABEL.matcher(value).matches()) {
      add(
          setting
              + ": '"
              + value
              + "' must be lower-case letters, digits and '-', start with a letter"
              + " and end with a letter or digit (a DNS-1035 label, as Service names are)");
    } else if (value.length() > max) {
      add(
          setting
              + ": '"
              + value
              + "' has "
              + value.length()
              + " characters, at most "
              + max
              + " fit ("
              + why
              + ")");
    }
  }

  void dns1123Label(String setting, String value) {
    if (!DNS1123_LABEL.matcher(value).matches() || value.length() > MAX_LABEL) {
      add(
          setting
              + ": '"
              + value
              + "' must be at most 63 lower-case letters, digits and '-',"
              + " starting and ending with a letter or digit (a DNS-1123 label)");
    }
  }

  void dns1123Subdomain(String setting, String value) {
    if (!DNS1123_SUBDOMAIN.matcher(value).matches() || value.length() > MAX_SUBDOMAIN) {
      add(
          setting
              + ": '"
              + value
              + "' must be at most 253 lower-case letters, digits, '-' and '.', starting and ending"
              + " with a letter or digit (a DNS-1123 subdomain, as Secret names are)");
    }
  }

  /** A Kubernetes quantity ({@code 500m}, {@code 2}, {@code 2Gi}) of at least {@code min}. */
  void quantity(String setting, String value, String min, String example) {
    BigDecimal amount;
    try {
      amount =
          value.strip().equals(value) ? Quantity.getAmountInBytes(Quantity.parse(value)) : null;
    } catch (
        RuntimeException
            e) { // NumberFormatException, IllegalArgumentException, ArithmeticException
      amount = null;
    }
    if (amount == null) {
      add(setting + ": '" + value + "' is not a Kubernetes quantity; write one such as " + example);
    } else if (amount.compareTo(Quantity.getAmountInBytes(Quantity.parse(min))) < 0) {
      add(setting + ": '" + value + "' is below the least that works, " + min);
    }
  }

  /** A duration in whole seconds from {@code min} to {@code max} seconds, for a seconds field. */
  void seconds(String setting, Duration value, long min, long max) {
    if (value.getNano() != 0) {
      add(setting + ": Kubernetes counts it in whole seconds, got " + value.toMillis() + " ms");
    } else if (value.getSeconds() < min || value.getSeconds() > max) {
      add(setting + ": must be " + min + " to " + max + " seconds, got " + value.getSeconds());
    }
  }

  /** An http(s) URL with a host, and no user, query or fragment. */
  void serverUrl(String setting, String value) {
    String form = " (e.g. http://grindstone-server:8080)";
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      add(setting + ": '" + value + "' is not a URL: " + e.getReason() + form);
      return;
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      add(setting + ": '" + value + "' must start with http:// or https://" + form);
    } else if (uri.getHost() == null) {
      add(setting + ": '" + value + "' has no host (or an invalid one)" + form);
    } else if (uri.getRawUserInfo() != null) {
      add(
          setting
              + ": '"
              + value
              + "' carries a user; the token comes from the token Secret instead");
    } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      add(setting + ": '" + value + "' must have no query or fragment" + form);
    }
  }

  /** An image reference: no white space or control character. */
  void image(String setting, String value) {
    if (value.isEmpty()
        || value
            .codePoints()
            .anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      add(
          setting
              + ": '"
              + value
              + "' must be an image reference without spaces, such as"
              + " registry.example.com/grindstone:0.1.0");
    }
  }
}
