package dev.grindstone.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.stats.BadInputException;
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
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads runs from a metrics server ({@code grindstone server}) into {@link RunResults}: the merged
 * figures from {@code GET /api/v1/runs/{id}} and the per-interval ones from {@code .../series}.
 * Thread-safe.
 */
public final class ServerRuns {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI server;
  private final HttpClient http;

  /** A reader of the server at {@code server}, e.g. {@code http://127.0.0.1:8080}. */
  public ServerRuns(URI server) {
    String s = server.toString();
    if (!(s.startsWith("http://") || s.startsWith("https://"))) {
      throw new BadInputException("--server takes an http:// or https:// URL, got '" + s + "'");
    }
    this.server = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  public URI server() {
    return server;
  }

  /**
   * The run with this id.
   *
   * @throws BadInputException when the server cannot be reached, has no such run, or answers
   *     something that is not a run
   */
  public RunResults read(String id) {
    String path = "/api/v1/runs/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    JsonNode run = get(path, "run '" + id + "'");
    JsonNode series = get(path + "/series", "run '" + id + "'");
    long intervalMs = series.path("intervalMs").asLong(1000);
    Map<Integer, List<Figures>> perTest = new TreeMap<>();
    List<Figures> totals = new ArrayList<>();
    for (JsonNode iv : series.path("intervals")) {
      if (iv.path("endMs").asLong() - iv.path("startMs").asLong() < intervalMs / 2) {
        continue; // cut short: too few calls for its rates and percentiles to stand for an interval
      }
      totals.add(figures(iv.path("total")));
      for (JsonNode t : iv.path("tests")) {
        perTest.computeIfAbsent(t.path("number").asInt(), k -> new ArrayList<>()).add(figures(t));
      }
    }
    List<TestResults> tests = new ArrayList<>();
    for (JsonNode t : run.path("tests")) {
      int number = t.path("number").asInt();
      tests.add(
          new TestResults(
              number,
              t.path("description").asText(""),
              figures(t),
              perTest.getOrDefault(number, List.of())));
    }
    List<String> notes = new ArrayList<>();
    String status = run.path("status").asText("");
    if (!status.equals("finished")) {
      notes.add(
          "the run "
              + id
              + " is not finished (status '"
              + status
              + "'): its figures may be incomplete");
    }
    long start = run.path("startMs").asLong();
    JsonNode end =
        run.path("endMs").isNull() || run.path("endMs").isMissingNode()
            ? run.path("dataEndMs")
            : run.path("endMs");
    return new RunResults(
        server + "/api/v1/runs/" + id,
        run.path("name").asText(""),
        run.path("id").asText(id),
        start,
        end.asLong(start),
        tests,
        new TestResults(-1, "", figures(run.path("totals")), totals),
        notes);
  }

  /**
   * The run with id {@code ref}, or else the run marked as the baseline of runs named {@code ref}.
   *
   * @throws BadInputException when the server has neither, or cannot be reached
   */
  public RunResults readIdOrBaseline(String ref) {
    JsonNode runs = get("/api/v1/runs/" + URLEncoder.encode(ref, StandardCharsets.UTF_8), null);
    if (runs != null) {
      return read(ref);
    }
    JsonNode baseline =
        get("/api/v1/baselines?name=" + URLEncoder.encode(ref, StandardCharsets.UTF_8), null);
    if (baseline == null) {
      throw new BadInputException(
          "The metrics server at "
              + server
              + " has neither a run with id '"
              + ref
              + "' nor a baseline for runs named '"
              + ref
              + "'. Mark one on its dashboard, or with POST /api/v1/runs/<id>/baseline.");
    }
    return read(baseline.path("runId").asText());
  }

  /**
   * GET of a JSON document; every failure is the user's to fix (address, id), so it is bad input.
   * With {@code what} null, a 404 answers null instead.
   */
  JsonNode get(String path, String what) {
    URI uri = URI.create(server + path);
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri)
                  .timeout(TIMEOUT)
                  .header("Accept", "application/json")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new BadInputException(
          "Cannot reach the metrics server at "
              + server
              + " ("
              + e
              + "). Is it running,"
              + " and is --server right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BadInputException("Interrupted while reading " + uri, e);
    }
    if (response.statusCode() == 404 && what == null) {
      return null;
    }
    if (response.statusCode() == 404) {
      throw new BadInputException(
          "The metrics server at " + server + " has no " + what + " (404 for " + uri + ").");
    }
    if (response.statusCode() != 200) {
      throw new BadInputException(
          "The metrics server at "
              + server
              + " answered "
              + response.statusCode()
              + " for "
              + uri
              + ": "
              + new String(response.body(), StandardCharsets.UTF_8).strip());
    }
    try {
      JsonNode doc = MAPPER.readTree(response.body());
      if (doc == null || !doc.isObject()) {
        throw new BadInputException(
            uri + " did not answer a JSON object: is " + server + " a Grindstone metrics server?");
      }
      return doc;
    } catch (IOException e) {
      throw new BadInputException(
          uri
              + " did not answer JSON ("
              + e.getMessage()
              + "): is "
              + server
              + " a Grindstone metrics server?",
          e);
    }
  }

  private static Figures figures(JsonNode t) {
    return new Figures(
        t.path("tests").asLong(),
        t.path("errors").asLong(),
        number(t, "tps"),
        number(t, "meanMs"),
        number(t, "p50Ms"),
        number(t, "p90Ms"),
        number(t, "p99Ms"),
        number(t, "maxMs"));
  }

  private static double number(JsonNode t, String field) {
    JsonNode n = t.get(field);
    return n == null || !n.isNumber() ? Double.NaN : n.doubleValue();
  }
}
