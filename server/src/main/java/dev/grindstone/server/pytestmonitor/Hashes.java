package dev.grindstone.server.pytestmonitor;

import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;

/** The hash fields of pytest-monitor's bodies ({@code h}, {@code session_h}, {@code context_h}). */
final class Hashes {
  private Hashes() {}

  /** A non-empty hash of at most 64 characters (the columns' width). */
  static String read(JsonBody b, String field) {
    String h = b.text(field, 64);
    if (h.isEmpty()) {
      throw ApiError.badRequest(field, "'" + field + "' must not be empty");
    }
    return h;
  }
}
