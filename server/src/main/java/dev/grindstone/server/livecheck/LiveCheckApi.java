package dev.grindstone.server.livecheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.metrics.LiveMetrics;
import dev.grindstone.server.metrics.MetricsEndpoint;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.BodyReader;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Pages;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * LiveCheck reports under {@value #BASE}: {@code POST .../reports} (one report or an array, stored
 * in one transaction), {@code GET .../cases} (state per case) and {@code GET
 * .../reports?case=&app=&limit=} (newest first). The same routes stay under {@value #LEGACY_BASE},
 * where they were before every API moved under {@code /api/v1}. The routes parse and check each
 * report into a {@link ReportPost} and call the {@link LiveCheckStore}. Thread-safe.
 */
public final class LiveCheckApi {
  /** Where the LiveCheck routes are. */
  public static final String BASE = "/api/v1/livecheck";

  /** Where they were first; an alias of {@link #BASE}. */
  public static final String LEGACY_BASE = "/api/livecheck";

  private final LiveCheckStore store;
  private final ObjectMapper mapper;
  private final MetricsEndpoint metrics;

  public LiveCheckApi(LiveCheckStore store, ObjectMapper mapper, MetricsEndpoint metrics) {
    this.store = store;
    this.mapper = mapper;
    this.metrics = metrics;
  }

  public void register(Routes r, BodyReader body) {
    for (String base : List.of(BASE, LEGACY_BASE)) {
      r.post(base + "/reports", ctx -> post(ctx, body.read(ctx)));
      r.get(base + "/reports", this::reports);
      r.get(base + "/cases", ctx -> ctx.json(Map.of("cases", store.cases())));
    }
  }

  /**
   * What {@link #ingest} did with a batch.
   *
   * @param stored reports stored
   * @param duplicates reports skipped because a report of their app and test id was already stored
   * @param rejected reports skipped because they are not valid report JSON (each is logged)
   */
  public record Ingested(int stored, int duplicates, int rejected) {}

  /**
   * Stores reports that arrive other than through HTTP (the Kafka report topic): each a JSON object
   * as {@code POST .../reports} takes. A test's report is stored once: one whose app and test id
   * are already stored, or earlier in the batch, is skipped, since a topic may deliver a report
   * twice. Invalid ones are skipped and handed to {@code rejected} with the reason; they never
   * block the valid ones, which are checked before they reach the store. One transaction per batch.
   */
  public Ingested ingest(List<String> jsonReports, BiConsumer<String, String> rejected) {
    List<ReportPost> valid = new ArrayList<>();
    int bad = 0;
    for (String json : jsonReports) {
      try {
        // The same gate as an HTTP body: parser limits, trailing content, NUL characters.
        valid.add(
            ReportPost.parse(JsonBody.parseObject(mapper, json.getBytes(StandardCharsets.UTF_8))));
      } catch (ApiError e) {
        bad++;
        rejected.accept(json, e.getMessage());
      }
    }
    LiveCheckStore.Saved saved = store.saveOnce(valid);
    metrics.reportsStored(saved.stored().stream().map(this::live).toList());
    return new Ingested(saved.stored().size(), saved.duplicates(), bad);
  }

  /** A stored report as {@code /metrics} counts it. */
  private LiveMetrics.CaseReport live(ReportPost r) {
    Map<String, Double> latency = new LinkedHashMap<>();
    if (r.signalLatency() != null) {
      try {
        mapper
            .readTree(r.signalLatency())
            .fields()
            .forEachRemaining(
                e -> {
                  if (e.getValue().isNumber()) {
                    latency.put(e.getKey(), e.getValue().doubleValue());
                  }
                });
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("signal_latency was validated as JSON", e);
      }
    }
    return new LiveMetrics.CaseReport(
        r.app(),
        r.caseName(),
        r.state(),
        r.runtime(),
        latency,
        r.consecutiveFailures(),
        r.totalFailures(),
        r.testId() != null);
  }

  private void post(Context ctx, byte[] bytes) {
    JsonNode n = JsonBody.parse(mapper, bytes);
    List<ReportPost> reports = new ArrayList<>();
    if (n.isArray()) {
      if (n.isEmpty()) {
        throw ApiError.badRequest(null, "the array of reports is empty");
      }
      for (int i = 0; i < n.size(); i++) {
        reports.add(ReportPost.parse(JsonBody.of(n.get(i), "[" + i + "]")));
      }
    } else if (n.isObject()) {
      reports.add(ReportPost.parse(JsonBody.of(n, "")));
    } else {
      throw ApiError.badRequest(
          null, "the body must be a report object or an array of them, got " + JsonBody.kind(n));
    }
    store.save(reports);
    metrics.reportsStored(reports.stream().map(this::live).toList());
    ctx.status(201).json(Map.of("stored", reports.size()));
  }

  private void reports(Context ctx) {
    String caseName = ctx.queryParam("case");
    String app = ctx.queryParam("app");
    int max = Pages.limit(ctx, 100, 500);
    ctx.json(Map.of("reports", store.reports(caseName, app, max)));
  }
}
