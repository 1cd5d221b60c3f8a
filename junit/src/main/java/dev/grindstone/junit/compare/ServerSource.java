package dev.grindstone.junit.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Reads sessions and metrics from the query API, page by page ({@code ?page=N}, 1-based). */
final class ServerSource implements MetricSource {
  private static final JsonMapper JSON = new JsonMapper();
  private static final int MAX_PAGES = 100_000;

  private final String api;
  private final HttpClient http;
  private final Duration timeout;

  ServerSource(URI base, HttpClient http, Duration timeout) {
    String b = base.toString();
    while (b.endsWith("/")) b = b.substring(0, b.length() - 1);
    this.api = b.endsWith("/api/v1") ? b : b + "/api/v1";
    this.http = http;
    this.timeout = timeout;
  }

  @Override
  public List<SessionRecord> sessions() {
    List<SessionRecord> out = new ArrayList<>();
    pages(
        "/sessions/",
        "sessions",
        n -> out.add(new SessionRecord(text(n, "session_h"), text(n, "run_date"))));
    return out;
  }

  @Override
  public List<MetricRecord> metrics(String sessionH) {
    List<MetricRecord> out = new ArrayList<>();
    pages(
        "/sessions/" + URLEncoder.encode(sessionH, StandardCharsets.UTF_8) + "/metrics",
        "metrics",
        n ->
            out.add(
                new MetricRecord(
                    text(n, "kind"),
                    text(n, "item_path"),
                    text(n, "item"),
                    text(n, "item_variant"),
                    n.path("total_time").asDouble(),
                    n.path("user_time").asDouble(),
                    n.path("kernel_time").asDouble(),
                    n.path("mem_usage").asDouble())));
    return out;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNull() || v.isMissingNode() ? "" : v.asText();
  }

  private void pages(String path, String envelope, Consumer<JsonNode> each) {
    int total = 1;
    for (int page = 1; page <= total && page <= MAX_PAGES; page++) {
      URI uri = URI.create(api + path + "?page=" + page);
      HttpResponse<String> r;
      try {
        r =
            http.send(
                HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new CompareException(
            "cannot reach the metrics server at " + uri + " (" + e + "); check --server", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompareException("interrupted while reading " + uri, e);
      }
      if (r.statusCode() == 204) return;
      if (r.statusCode() != 200) {
        throw new CompareException(
            "GET "
                + uri
                + " answered "
                + r.statusCode()
                + "; --server must point at a metrics server with the pytest-monitor query API");
      }
      JsonNode body;
      try {
        body = JSON.readTree(r.body());
      } catch (IOException e) {
        throw new CompareException("GET " + uri + " answered 200 with a body that is not JSON", e);
      }
      JsonNode items = body.path(envelope);
      if (!items.isArray()) {
        throw new CompareException(
            "GET " + uri + " answered JSON without a \"" + envelope + "\" array");
      }
      items.forEach(each);
      total = body.path("total_page").asInt(1);
    }
  }
}
