package dev.grindstone.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny JSON-over-HTTP client for tests. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  Http(String base) {
    this.base = base;
  }

  record Response(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  Response post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Response post(String path, String body, String header, String value) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .header(header, value)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Response send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r =
          client.send(
              b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String context(String h) {
    return "{\"cpu_count\":2,\"cpu_frequency\":2445.428,\"cpu_type\":\"\",\"cpu_vendor\":\"AMD"
               + " EPYC\",\"ram_total\":24105,\"machine_node\":\"localhost\",\"machine_type\":\"x86_64\",\"machine_arch\":\"64bit\",\"system_info\":\"Linux"
               + " - 6.18.44\",\"python_info\":\"3.11.2 (main) [GCC 12.2.0]\",\"h\":\""
        + h
        + "\"}";
  }

  static String session(String h, String scm, String description) {
    return "{\"session_h\":\""
        + h
        + "\",\"run_date\":\"2026-11-21T20:55:23.035462\",\"scm_ref\":\""
        + scm
        + "\",\"description\":"
        + description
        + "}";
  }

  static String metric(
      String session, String context, String item, String component, double total) {
    return "{\"session_h\":\""
        + session
        + "\",\"context_h\":\""
        + context
        + "\",\"item_start_time\":\"2026-11-21T20:55:23.223792\","
        + "\"item_path\":\"test_alpha\",\"item\":\""
        + item
        + "\",\"item_variant\":\""
        + item
        + "[1, a]\",\"item_fs_loc\":\"test_alpha.py\","
        + "\"kind\":\"function\",\"component\":\""
        + component
        + "\",\"total_time\":"
        + total
        + ",\"user_time\":0.03,\"kernel_time\":0.0,"
        + "\"cpu_usage\":0.517,\"mem_usage\":0.25}";
  }
}
