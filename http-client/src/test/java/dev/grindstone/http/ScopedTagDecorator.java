package dev.grindstone.http;

import java.util.Map;

/**
 * Listed in the tests' {@code META-INF/services}, so every client built in these tests finds it;
 * like LiveCheck's decorator it adds a header only inside a scope the calling thread opened, and
 * nothing elsewhere, so the other tests see no difference.
 */
public final class ScopedTagDecorator implements RequestDecorator {
  static final String HEADER = "X-Scoped-Tag";
  private static final ThreadLocal<String> TAG = new ThreadLocal<>();

  @Override
  public Map<String, String> headers(HttpRequest request) {
    String tag = TAG.get();
    return tag == null ? Map.of() : Map.of(HEADER, tag);
  }

  /** Tags the requests the calling thread sends until the returned scope is closed. */
  static AutoCloseable tag(String value) {
    TAG.set(value);
    return TAG::remove;
  }
}
