package dev.grindstone.server.web;

import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The reference server's paging: 500 items per page, {@code ?page=N} from 1 (negative counts from
 * the end), {@code total_page}, {@code prev_url}, {@code next_url}; 204 when the page is empty.
 */
public final class Pages {
  public static final int PAGE_SIZE = 500;

  private Pages() {}

  /** A page request resolved against the total number of items. */
  public record Page(int number, int totalPages, long offset, long total) {}

  public static int requestedPage(Context ctx) {
    String p = ctx.queryParam("page");
    if (p == null || p.isBlank()) {
      return 1;
    }
    try {
      int n = Integer.parseInt(p.trim());
      if (n == 0) {
        throw ApiError.badRequest(
            "page", "page must be 1 or more (or negative to count from the end), got 0");
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("page", "page must be an integer, got '" + p + "'");
    }
  }

  /**
   * The {@code limit} query parameter: {@code byDefault} when absent, else an integer from 1 to
   * {@code max}; anything else is a 400 naming the parameter.
   */
  public static int limit(Context ctx, int byDefault, int max) {
    String l = ctx.queryParam("limit");
    if (l == null) {
      return byDefault;
    }
    int limit;
    try {
      limit = Integer.parseInt(l);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("limit", "limit must be an integer, got '" + l + "'");
    }
    if (limit < 1 || limit > max) {
      throw ApiError.badRequest("limit", "limit must be between 1 and " + max + ", got " + limit);
    }
    return limit;
  }

  /**
   * Page {@code requested} (from {@link #requestedPage}; negative counts from the end) of {@code
   * count} items.
   */
  public static Page resolve(int requested, long count) {
    int pages = (int) Math.max(1, (count + PAGE_SIZE - 1) / PAGE_SIZE);
    int number = requested < 0 ? pages + requested + 1 : requested;
    return new Page(number, pages, Math.max(0, (long) (number - 1) * PAGE_SIZE), count);
  }

  /**
   * Writes {@code {envelope: items, total_page, prev_url?, next_url?}} with 200, or 204 when empty.
   */
  public static void respond(Context ctx, Page page, Map<String, Object> body, List<?> items) {
    body.put("total_page", page.totalPages());
    if (page.number() > 1 && page.number() <= page.totalPages() + 1) {
      body.put("prev_url", url(ctx, page.number() - 1));
    }
    if (page.number() >= 1 && page.number() < page.totalPages()) {
      body.put("next_url", url(ctx, page.number() + 1));
    }
    if (items.isEmpty()) {
      ctx.status(204);
      return;
    }
    ctx.status(200).json(body);
  }

  private static String url(Context ctx, int page) {
    StringBuilder sb = new StringBuilder(ctx.path()).append("?page=").append(page);
    for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
      if (e.getKey().equals("page")) {
        continue;
      }
      for (String v : e.getValue()) {
        sb.append('&').append(enc(e.getKey())).append('=').append(enc(v));
      }
    }
    return sb.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
