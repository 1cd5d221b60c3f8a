package dev.grindstone.junit;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What the monitor records and where it sends it. Read from JUnit configuration parameters ({@code
 * junit-platform.properties}, {@code -D} system properties, or the launcher request), validated
 * once. Immutable.
 *
 * @param enabled {@code grindstone.monitor.enabled}, default true
 * @param file {@code grindstone.monitor.file}: local SQLite file, default {@code .jmon}; empty for
 *     none
 * @param server {@code grindstone.monitor.server}: metrics server base URL, e.g. {@code
 *     http://host:8080/api/v1}
 * @param description {@code grindstone.monitor.description}: free text stored with the session
 * @param tags {@code grindstone.monitor.tags}: {@code key=value} pairs separated by commas
 * @param component {@code grindstone.monitor.component}: stored in every row's COMPONENT
 * @param scopes {@code grindstone.monitor.scope}: {@code method}, {@code class} or {@code
 *     method,class}
 * @param keepGoing {@code grindstone.monitor.server.keepGoing}: default true, the first server
 *     failure prints one warning and stops sending; false tries every row and reports each failure
 * @param serverTimeout {@code grindstone.monitor.server.timeoutMillis}: per request, default 5000
 * @param sampleInterval {@code grindstone.monitor.memory.intervalMillis}: RSS sampling period,
 *     default 10
 */
public record MonitorConfig(
    boolean enabled,
    Optional<Path> file,
    Optional<URI> server,
    String description,
    Map<String, String> tags,
    String component,
    Set<Kind> scopes,
    boolean keepGoing,
    Duration serverTimeout,
    Duration sampleInterval) {

  public static final String PREFIX = "grindstone.monitor.";

  /** Which rows are recorded: pytest-monitor's {@code function} and {@code module} kinds. */
  public enum Kind {
    /** One row per test method invocation ({@code kind = "function"}). */
    METHOD("function"),
    /** One row per test class ({@code kind = "module"}). */
    CLASS("module");

    private final String pytestKind;

    Kind(String pytestKind) {
      this.pytestKind = pytestKind;
    }

    /** The KIND column value. */
    public String pytestKind() {
      return pytestKind;
    }
  }

  public MonitorConfig {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    scopes = Collections.unmodifiableSet(EnumSet.copyOf(scopes));
  }

  /** Defaults: enabled, {@code .jmon} in the working folder, no server, method rows only. */
  public static MonitorConfig defaults() {
    return from(key -> Optional.empty());
  }

  /**
   * Reads and validates every {@code grindstone.monitor.*} parameter.
   *
   * @throws IllegalArgumentException listing every bad parameter: its key, its value and what is
   *     allowed
   */
  public static MonitorConfig from(Function<String, Optional<String>> parameters) {
    List<String> problems = new ArrayList<>();
    Function<String, Optional<String>> get = k -> parameters.apply(PREFIX + k).map(String::trim);

    boolean enabled = bool(get, "enabled", true, problems);
    Optional<Path> file = Optional.of(Path.of(".jmon"));
    Optional<String> fileText = get.apply("file");
    if (fileText.isPresent()) {
      if (fileText.get().isEmpty()) {
        file = Optional.empty();
      } else {
        try {
          file = Optional.of(Path.of(fileText.get()));
        } catch (InvalidPathException e) {
          problems.add(
              key("file") + "='" + fileText.get() + "' is not a valid path: " + e.getReason());
        }
      }
    }
    Optional<URI> server = Optional.empty();
    Optional<String> serverText = get.apply("server").filter(s -> !s.isEmpty());
    if (serverText.isPresent()) {
      String s = serverText.get();
      try {
        URI uri = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null) {
          problems.add(
              key("server")
                  + "='"
                  + s
                  + "' must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:8080");
        } else {
          server = Optional.of(uri);
        }
      } catch (IllegalArgumentException e) {
        problems.add(key("server") + "='" + s + "' is not a URL: " + e.getMessage());
      }
    }
    String description = get.apply("description").orElse("");
    Map<String, String> tags = new LinkedHashMap<>();
    for (String pair : get.apply("tags").orElse("").split(",")) {
      String p = pair.trim();
      if (p.isEmpty()) continue;
      int eq = p.indexOf('=');
      if (eq <= 0) {
        problems.add(
            key("tags") + " entry '" + p + "' must be key=value (entries separated by commas)");
      } else {
        tags.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
      }
    }
    String component = get.apply("component").orElse("");
    Set<Kind> scopes = EnumSet.noneOf(Kind.class);
    String scopeText = get.apply("scope").orElse("method");
    for (String part : scopeText.split(",")) {
      switch (part.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "method", "function" -> scopes.add(Kind.METHOD);
        case "class", "module" -> scopes.add(Kind.CLASS);
        case "" -> {}
        default ->
            problems.add(
                key("scope")
                    + "='"
                    + scopeText
                    + "': '"
                    + part.trim()
                    + "' is not one of method, class");
      }
    }
    if (scopes.isEmpty() && problems.stream().noneMatch(p -> p.startsWith(key("scope")))) {
      problems.add(
          key("scope") + "='" + scopeText + "' names no scope; use method, class or method,class");
    }
    boolean keepGoing = bool(get, "server.keepGoing", true, problems);
    Duration timeout = millis(get, "server.timeoutMillis", 5000, 1, 600_000, problems);
    Duration interval = millis(get, "memory.intervalMillis", 10, 1, 60_000, problems);
    if (enabled && file.isEmpty() && server.isEmpty() && problems.isEmpty()) {
      problems.add(
          key("file")
              + " is empty and "
              + key("server")
              + " is not set: nowhere to store results;"
              + " set one of them, or "
              + key("enabled")
              + "=false");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid monitor configuration: " + String.join("; ", problems));
    }
    if (scopes.isEmpty()) scopes.add(Kind.METHOD);
    return new MonitorConfig(
        enabled, file, server, description, tags, component, scopes, keepGoing, timeout, interval);
  }

  private static String key(String k) {
    return PREFIX + k;
  }

  private static boolean bool(
      Function<String, Optional<String>> get, String k, boolean dflt, List<String> problems) {
    Optional<String> v = get.apply(k);
    if (v.isEmpty() || v.get().isEmpty()) return dflt;
    switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "1" -> {
        return true;
      }
      case "false", "no", "0" -> {
        return false;
      }
      default -> {
        problems.add(key(k) + "='" + v.get() + "' must be true or false");
        return dflt;
      }
    }
  }

  private static Duration millis(
      Function<String, Optional<String>> get,
      String k,
      long dflt,
      long min,
      long max,
      List<String> problems) {
    Optional<String> v = get.apply(k);
    if (v.isEmpty() || v.get().isEmpty()) return Duration.ofMillis(dflt);
    try {
      long n = Long.parseLong(v.get());
      if (n < min || n > max) {
        problems.add(
            key(k) + "=" + n + " must be between " + min + " and " + max + " (milliseconds)");
        return Duration.ofMillis(dflt);
      }
      return Duration.ofMillis(n);
    } catch (NumberFormatException e) {
      problems.add(key(k) + "='" + v.get() + "' must be a whole number of milliseconds");
      return Duration.ofMillis(dflt);
    }
  }
}
