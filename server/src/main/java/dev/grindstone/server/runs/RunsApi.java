package dev.grindstone.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.metrics.MetricsEndpoint;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.BodyReader;
import dev.grindstone.server.web.JsonAnswer;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Pages;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The load-test runs API under {@code /api/v1/runs}: create, interval snapshots, finish, the run
 * with its merged figures, its series, and its live events (SSE). The routes parse and check each
 * request ({@link RunPost}, {@link SnapshotPost}, {@link FinishPost}), call the {@link RunStore}
 * and tell {@link RunEvents} what changed. Thread-safe.
 */
public final class RunsApi {
  private final RunStore store;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final RunEvents events;
  private final BaselinesApi baselines;
  private final MetricsEndpoint metrics;
  private volatile java.util.function.BiConsumer<String, String> reporterCheck = (run, agent) -> {};
  private volatile java.util.function.BiFunction<String, String, Object> reporterAnswer =
      (run, agent) -> null;

  public RunsApi(
      RunStore store, ObjectMapper mapper, Clock clock, RunEvents events, MetricsEndpoint metrics) {
    this.store = store;
    this.mapper = mapper;
    this.clock = clock;
    this.events = events;
    this.baselines = new BaselinesApi(store.database(), clock, store.figures());
    this.metrics = metrics;
  }

  /**
   * Checks each snapshot's run and agent before it is stored, and throws an {@link ApiError} to
   * refuse it (the coordinator refuses a replaced attempt's snapshots).
   */
  public void checkReporters(java.util.function.BiConsumer<String, String> check) {
    this.reporterCheck = java.util.Objects.requireNonNull(check, "check");
  }

  /**
   * What a snapshot's answer carries under {@code poll} once it is stored (or known as a re-post):
   * the coordinator answers an agent of a distributed run as its poll would, so the agent need not
   * poll as well; nothing (null) for other reporters.
   */
  public void answerReporters(java.util.function.BiFunction<String, String, Object> answer) {
    this.reporterAnswer = java.util.Objects.requireNonNull(answer, "answer");
  }

  public void register(Routes r, BodyReader body) {
    r.post("/api/v1/runs", ctx -> create(ctx, body.read(ctx)));
    r.get("/api/v1/runs", ctx -> ctx.json(Map.of("runs", store.list(Pages.limit(ctx, 200, 1000)))));
    r.get("/api/v1/runs/{id}", ctx -> ctx.json(store.run(ctx.pathParam("id"))));
    r.get(
        "/api/v1/runs/{id}/series",
        ctx ->
            ctx.contentType("application/json")
                .result(store.series(ctx.pathParam("id"), after(ctx))));
    r.post(
        "/api/v1/runs/{id}/snapshots", ctx -> snapshot(ctx, ctx.pathParam("id"), body.read(ctx)));
    r.post("/api/v1/runs/{id}/finish", ctx -> finish(ctx, ctx.pathParam("id"), body.read(ctx)));
    baselines.register(r);
    for (String p : r.apiPrefixes()) {
      r.raw().before(p + "/api/v1/runs/{id}/events", ctx -> store.requireRun(ctx.pathParam("id")));
      r.raw()
          .sse(
              p + "/api/v1/runs/{id}/events",
              client -> {
                String id = client.ctx().pathParam("id");
                client.keepAlive();
                // Subscribed before the summary is read, so no event between the two is missed.
                RunEvents.Subscription subscription = events.subscribe(id, client);
                Map<String, Object> summary = store.summary(id);
                if ("finished".equals(summary.get("status"))) {
                  subscription.sendLast("finished", json(summary));
                } else {
                  subscription.send("hello", json(summary));
                }
              });
    }
  }

  private void create(Context ctx, byte[] bytes) {
    RunPost run = RunPost.parse(JsonBody.parseObject(mapper, bytes), clock);
    store.create(run);
    ctx.status(201).json(store.summary(run.id()));
  }

  private void snapshot(Context ctx, String runId, byte[] bytes) {
    SnapshotPost s = SnapshotPost.parse(runId, JsonBody.parseObject(mapper, bytes));
    reporterCheck.accept(runId, s.agent());
    long version = store.append(s);
    boolean inserted = version > 0;
    Map<String, Object> ack = new LinkedHashMap<>();
    ack.put("runId", runId);
    ack.put("agent", s.agent());
    ack.put("seq", s.seq());
    ack.put("startMs", s.startMs());
    ack.put("endMs", s.endMs());
    if (inserted) {
      ack.put("version", version);
      events.publish(runId, "snapshot", () -> json(ack)); // written out now, if at all
      metrics.snapshotStored(
          runId,
          s.agent(),
          LiveFigures.of(s.tests()),
          s.activeUsers(),
          s.lateStarts(),
          LiveFigures.ofScenarios(s.scenarios()));
    }
    ack.put("duplicate", !inserted);
    Object poll = reporterAnswer.apply(runId, s.agent());
    if (poll != null) {
      ack.put("poll", poll);
    }
    JsonAnswer.send(ctx.status(201), mapper, ack);
  }

  private void finish(Context ctx, String runId, byte[] bytes) {
    store.finish(FinishPost.parse(runId, JsonBody.parseObject(mapper, bytes), clock));
    Map<String, Object> summary = store.summary(runId);
    if ("finished".equals(summary.get("status"))) {
      events.finish(runId, json(summary));
    }
    ctx.status(200).json(summary);
  }

  private static long after(Context ctx) {
    String a = ctx.queryParam("after");
    if (a == null) {
      return 0;
    }
    try {
      long v = Long.parseLong(a.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // Answered below.
    }
    throw ApiError.badRequest(
        "after",
        "after must be a version from an earlier answer (an integer, 0 or more), got '" + a + "'");
  }

  private String json(Object o) {
    try {
      return mapper.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
