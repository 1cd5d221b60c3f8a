package dev.grindstone.server;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of logs and messages: passwords in JDBC URLs (as parameters or as user
 * information) and write tokens in {@code /t/<token>/...} paths. Every place that prints a URL, a
 * request path or a failure that may quote either goes through here. Thread-safe.
 */
public final class Secrets {
  private static final Pattern URL_PARAMETER =
      Pattern.compile("(?i)((?:password|passwd|pwd|secret|token)=)[^&;\\s]*");
  private static final Pattern USER_INFO = Pattern.compile("(//[^/@:\\s]*):[^/@\\s]*@");
  private static final Pattern TOKEN_PATH = Pattern.compile("^/t/[^/]*");

  private Secrets() {}

  /**
   * {@code text} with every password-like URL parameter and URL password replaced by {@code ***}.
   */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    return USER_INFO.matcher(URL_PARAMETER.matcher(text).replaceAll("$1***")).replaceAll("$1:***@");
  }

  /** A request path with the token of a {@code /t/<token>/...} prefix replaced by {@code ***}. */
  public static String redactPath(String path) {
    return path == null ? null : TOKEN_PATH.matcher(path).replaceFirst("/t/***");
  }

  /**
   * {@code text} redacted as by {@link #redact(String)}, and also every literal occurrence of a
   * password that {@code jdbcUrl} carries: drivers quote parts of the URL in their own words (e.g.
   * {@code user:password@host} without the {@code //}).
   */
  public static String redact(String text, String jdbcUrl) {
    String r = redact(text);
    if (r == null || jdbcUrl == null) {
      return r;
    }
    for (String secret : passwordsIn(jdbcUrl)) {
      r = r.replace(secret, "***");
    }
    return r;
  }

  private static List<String> passwordsIn(String jdbcUrl) {
    List<String> found = new ArrayList<>();
    Matcher p = URL_PARAMETER.matcher(jdbcUrl);
    while (p.find()) {
      found.add(jdbcUrl.substring(p.end(1), p.end()));
    }
    Matcher u = USER_INFO.matcher(jdbcUrl);
    while (u.find()) {
      found.add(jdbcUrl.substring(u.end(1) + 1, u.end() - 1));
    }
    found.removeIf(String::isEmpty);
    return found;
  }

  /**
   * A copy of {@code e} and its causes whose messages are redacted (as by {@link #redact(String,
   * String)}), with the same stack traces, so it can be printed or rethrown without leaking a
   * password that a driver quoted.
   */
  public static RuntimeException redact(Throwable e, String jdbcUrl) {
    RuntimeException copy =
        new RedactedException(e.getClass().getName(), redact(e.getMessage(), jdbcUrl));
    copy.setStackTrace(e.getStackTrace());
    if (e.getCause() != null && e.getCause() != e) {
      copy.initCause(redact(e.getCause(), jdbcUrl));
    }
    return copy;
  }

  /** A failure whose message was redacted; its {@link #toString()} names the original type. */
  static final class RedactedException extends RuntimeException {
    private final String type;

    RedactedException(String type, String message) {
      super(message);
      this.type = type;
    }

    @Override
    public String toString() {
      return getMessage() == null ? type : type + ": " + getMessage();
    }
  }
}
