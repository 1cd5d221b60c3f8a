package dev.grindstone.http;

import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The cookies of one virtual user, with the basics of RFC 6265: host-only and domain cookies,
 * default and explicit paths, {@code Max-Age}/{@code Expires} (a cookie whose time is up is
 * dropped; a zero or negative {@code Max-Age} deletes it), and {@code Secure} cookies sent over
 * HTTPS only. Not shared between virtual users; its methods are synchronized so that handing it to
 * other threads stays safe.
 */
public final class CookieJar {
  private final Clock clock;
  private final List<Stored> cookies = new ArrayList<>();

  private CookieJar(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** An empty jar on the system clock. */
  public static CookieJar create() {
    return new CookieJar(Clock.systemUTC());
  }

  /** An empty jar whose expiry decisions use {@code clock}. */
  public static CookieJar create(Clock clock) {
    return new CookieJar(clock);
  }

  /**
   * One cookie as stored. {@code expiresAtMillis} is {@code Long.MAX_VALUE} for a session cookie.
   */
  public record Stored(
      String name,
      String value,
      String domain,
      boolean hostOnly,
      String path,
      long expiresAtMillis,
      boolean secure) {}

  /** Stores the cookies of every {@code Set-Cookie} value received from {@code uri}. */
  public synchronized void receive(URI uri, List<String> setCookieHeaders) {
    if (setCookieHeaders.isEmpty()) {
      return;
    }
    String host = lower(uri.getHost());
    long now = clock.millis();
    for (String header : setCookieHeaders) {
      Cookie c = ClientCookieDecoder.LAX.decode(header);
      if (c == null) {
        continue;
      }
      String domain;
      boolean hostOnly;
      if (c.domain() == null || c.domain().isEmpty()) {
        domain = host;
        hostOnly = true;
      } else {
        domain = lower(c.domain().startsWith(".") ? c.domain().substring(1) : c.domain());
        if (!domainMatches(host, domain)) {
          continue; // a site may not set cookies for another domain
        }
        hostOnly = false;
      }
      String path = c.path() != null && c.path().startsWith("/") ? c.path() : defaultPath(uri);
      long expires =
          c.maxAge() == Long.MIN_VALUE
              ? Long.MAX_VALUE
              : c.maxAge() <= 0
                  ? Long.MIN_VALUE
                  : now + Math.min(c.maxAge(), Long.MAX_VALUE / 2000) * 1000;
      cookies.removeIf(
          s -> s.name.equals(c.name()) && s.domain.equals(domain) && s.path.equals(path));
      if (expires > now) {
        cookies.add(new Stored(c.name(), c.value(), domain, hostOnly, path, expires, c.isSecure()));
      }
    }
  }

  /** The {@code Cookie} header to send to {@code uri}, or null when no cookie applies. */
  public synchronized String cookieHeader(URI uri) {
    if (cookies.isEmpty()) {
      return null;
    }
    String host = lower(uri.getHost());
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    long now = clock.millis();
    cookies.removeIf(s -> s.expiresAtMillis <= now);
    List<Stored> matching = new ArrayList<>();
    for (Stored s : cookies) {
      boolean hostOk = s.hostOnly ? host.equals(s.domain) : domainMatches(host, s.domain);
      if (hostOk && pathMatches(path, s.path) && (!s.secure || https)) {
        matching.add(s);
      }
    }
    if (matching.isEmpty()) {
      return null;
    }
    matching.sort(Comparator.comparingInt((Stored s) -> s.path.length()).reversed());
    StringBuilder sb = new StringBuilder();
    for (Stored s : matching) {
      if (!sb.isEmpty()) {
        sb.append("; ");
      }
      sb.append(s.name).append('=').append(s.value);
    }
    return sb.toString();
  }

  /** The value of the first unexpired cookie with this name, or null. */
  public synchronized String get(String name) {
    long now = clock.millis();
    for (Stored s : cookies) {
      if (s.name.equals(name) && s.expiresAtMillis > now) {
        return s.value;
      }
    }
    return null;
  }

  /** A snapshot of the unexpired cookies. */
  public synchronized List<Stored> cookies() {
    long now = clock.millis();
    return cookies.stream().filter(s -> s.expiresAtMillis > now).toList();
  }

  public synchronized void clear() {
    cookies.clear();
  }

  private static boolean domainMatches(String host, String domain) {
    if (host.equals(domain)) {
      return true;
    }
    boolean ip =
        host.indexOf(':') >= 0 || host.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
    return !ip && host.endsWith("." + domain);
  }

  private static boolean pathMatches(String requestPath, String cookiePath) {
    if (requestPath.equals(cookiePath)) {
      return true;
    }
    return requestPath.startsWith(cookiePath)
        && (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/');
  }

  private static String defaultPath(URI uri) {
    String p = uri.getRawPath();
    if (p == null || !p.startsWith("/")) {
      return "/";
    }
    int last = p.lastIndexOf('/');
    return last == 0 ? "/" : p.substring(0, last);
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}
