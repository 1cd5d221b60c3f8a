package dev.grindstone.server.pytestmonitor;

import static dev.grindstone.server.pytestmonitor.PytestMonitorStore.linked;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.pytestmonitor.PytestMonitorStore.Paged;
import dev.grindstone.server.pytestmonitor.PytestMonitorStore.Selection;
import dev.grindstone.server.pytestmonitor.PytestMonitorStore.Values;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.BodyReader;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;
import dev.grindstone.server.web.Pages;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * pytest-monitor's remote-server protocol ({@code --remote-server}) and the reference server's
 * query routes, at the root and under {@code /api/v1}. The routes parse and check the request
 * (bodies into {@link ContextPost}, {@link SessionPost} and {@link MetricPost}; path and query
 * parameters) and call the {@link PytestMonitorStore}. Thread-safe.
 */
public final class PytestMonitorApi {
  private final ObjectMapper mapper;
  private final PytestMonitorStore store;

  public PytestMonitorApi(PytestMonitorStore store, ObjectMapper mapper) {
    this.store = store;
    this.mapper = mapper;
  }

  public void register(Routes r, BodyReader body) {
    // Literal routes first: the first matching route wins.
    r.getEverywhere("/contexts/count", ctx -> count(ctx, PytestMonitorStore.contexts(null)));
    r.getEverywhere("/contexts", ctx -> contexts(ctx, null));
    r.getEverywhere("/contexts/{h}", ctx -> contexts(ctx, ctx.pathParam("h")));
    metricsAndCount(
        r, "/contexts/{h}/metrics", ctx -> PytestMonitorStore.metricsOfContext(ctx.pathParam("h")));
    r.postEverywhere(
        "/contexts", ctx -> ctx.status(201).json(store.save(ContextPost.parse(object(body, ctx)))));

    r.getEverywhere(
        "/sessions/count", ctx -> count(ctx, store.sessions(null, List.of(), List.of(), false)));
    r.getEverywhere("/sessions", ctx -> sessions(ctx, null));
    r.getEverywhere("/sessions/{h}", ctx -> sessions(ctx, ctx.pathParam("h")));
    metricsAndCount(
        r, "/sessions/{h}/metrics", ctx -> PytestMonitorStore.metricsOfSession(ctx.pathParam("h")));
    r.postEverywhere(
        "/sessions",
        ctx -> ctx.status(201).json(store.save(SessionPost.parse(object(body, ctx), mapper))));

    metricsAndCount(r, "/metrics", ctx -> PytestMonitorStore.metrics());
    r.postEverywhere(
        "/metrics",
        ctx -> {
          MetricPost m = MetricPost.parse(object(body, ctx));
          store.save(m);
          ctx.status(201).json(m.echo());
        });

    r.getEverywhere(
        "/items/like/{item}/metrics",
        ctx -> metrics(ctx, PytestMonitorStore.metricsOfItemLike(ctx.pathParam("item")), Map.of()));
    metricsAndCount(
        r, "/items/{item}/metrics", ctx -> PytestMonitorStore.metricsOfItem(ctx.pathParam("item")));
    r.getEverywhere(
        "/variants/like/{variant}/metrics",
        ctx ->
            metrics(
                ctx, PytestMonitorStore.metricsOfVariantLike(ctx.pathParam("variant")), Map.of()));
    metricsAndCount(
        r,
        "/variants/{variant}/metrics",
        ctx -> PytestMonitorStore.metricsOfVariant(ctx.pathParam("variant")));

    metricsAndCount(
        r,
        "/filters/scope/{kind}/metrics",
        ctx -> PytestMonitorStore.metricsOfScope(ctx.pathParam("kind")));
    metricsAndCount(
        r,
        "/filters/scm/{ref}/metrics",
        ctx -> PytestMonitorStore.metricsOfScm(ctx.pathParam("ref")));
    r.getEverywhere(
        "/filters/scm/{ref}/sessions",
        ctx -> sessionsPage(ctx, PytestMonitorStore.sessionsOfScm(ctx.pathParam("ref"))));

    r.getEverywhere("/components/count", ctx -> count(ctx, PytestMonitorStore.components(null)));
    r.getEverywhere(
        "/components/metrics",
        ctx -> metrics(ctx, PytestMonitorStore.metricsOfComponent(null), Map.of()));
    r.getEverywhere(
        "/components",
        ctx -> values(ctx, PytestMonitorStore.components(null), "components", Map.of()));
    r.getEverywhere(
        "/components/{c}",
        ctx ->
            values(ctx, PytestMonitorStore.components(ctx.pathParam("c")), "components", Map.of()));
    r.getEverywhere(
        "/components/items/{item}/metrics",
        ctx ->
            metrics(
                ctx,
                PytestMonitorStore.metricsOfComponentItem(null, ctx.pathParam("item")),
                Map.of("component", "")));
    r.getEverywhere(
        "/components/variants/{variant}/metrics",
        ctx ->
            metrics(
                ctx,
                PytestMonitorStore.metricsOfComponentVariant(null, ctx.pathParam("variant")),
                Map.of("component", "")));
    r.getEverywhere(
        "/components/{c}/metrics",
        ctx ->
            metrics(
                ctx,
                PytestMonitorStore.metricsOfComponent(ctx.pathParam("c")),
                Map.of("component", ctx.pathParam("c"))));
    r.getEverywhere(
        "/components/{c}/items/{item}/metrics",
        ctx ->
            metrics(
                ctx,
                PytestMonitorStore.metricsOfComponentItem(
                    ctx.pathParam("c"), ctx.pathParam("item")),
                Map.of("component", ctx.pathParam("c"))));
    r.getEverywhere(
        "/components/{c}/variants/{variant}/metrics",
        ctx ->
            metrics(
                ctx,
                PytestMonitorStore.metricsOfComponentVariant(
                    ctx.pathParam("c"), ctx.pathParam("variant")),
                Map.of("component", ctx.pathParam("c"))));
    r.getEverywhere(
        "/components/{c}/pipelines",
        ctx -> {
          String c = ctx.pathParam("c");
          values(ctx, store.componentPipelines(c), "pipelines", Map.of("component", c));
        });
    r.getEverywhere(
        "/components/{c}/pipelines/{p}/builds",
        ctx -> {
          String c = ctx.pathParam("c");
          String p = ctx.pathParam("p");
          values(ctx, store.componentBuilds(c, p), "builds", linked("component", c, "pipeline", p));
        });
    r.getEverywhere(
        "/components/{c}/pipelines/{p}/builds/{b}/sessions",
        ctx -> {
          String c = ctx.pathParam("c");
          String p = ctx.pathParam("p");
          String b = ctx.pathParam("b");
          values(
              ctx,
              store.componentBuildSessions(c, p, b),
              "sessions",
              linked("component", c, "pipeline", p, "build", b));
        });

    r.getEverywhere("/pipelines", this::pipelines);
    r.getEverywhere(
        "/pipelines/{p}/builds",
        ctx -> {
          String p = ctx.pathParam("p");
          values(ctx, store.pipelineBuilds(p), "builds", linked("pipeline", p));
        });
    r.getEverywhere(
        "/pipelines/{p}/builds/{b}/sessions",
        ctx -> {
          String p = ctx.pathParam("p");
          String b = ctx.pathParam("b");
          values(
              ctx,
              store.pipelineBuildSessions(p, b),
              "sessions",
              linked("pipeline", p, "build", b));
        });

    for (String end : List.of("head", "tail")) {
      boolean head = end.equals("head");
      r.getEverywhere(
          "/resources/{r}/" + end + "/metrics",
          ctx -> ranked(ctx, head, null, PytestMonitorStore.metrics()));
      r.getEverywhere(
          "/resources/{r}/" + end + "/{n}/metrics",
          ctx -> ranked(ctx, head, ctx.pathParam("n"), PytestMonitorStore.metrics()));
      r.getEverywhere(
          "/resources/{r}/components/{c}/" + end + "/metrics",
          ctx ->
              ranked(ctx, head, null, PytestMonitorStore.metricsOfComponent(ctx.pathParam("c"))));
      r.getEverywhere(
          "/resources/{r}/components/{c}/" + end + "/{n}/metrics",
          ctx ->
              ranked(
                  ctx,
                  head,
                  ctx.pathParam("n"),
                  PytestMonitorStore.metricsOfComponent(ctx.pathParam("c"))));
      r.getEverywhere(
          "/resources/{r}/pipelines/{p}/" + end + "/metrics",
          ctx -> ranked(ctx, head, null, store.metricsOfPipeline(ctx.pathParam("p"))));
      r.getEverywhere(
          "/resources/{r}/pipelines/{p}/" + end + "/{n}/metrics",
          ctx ->
              ranked(ctx, head, ctx.pathParam("n"), store.metricsOfPipeline(ctx.pathParam("p"))));
      r.getEverywhere(
          "/resources/{r}/pipelines/{p}/builds/{b}/" + end + "/metrics",
          ctx ->
              ranked(
                  ctx,
                  head,
                  null,
                  store.metricsOfPipelineBuild(ctx.pathParam("p"), ctx.pathParam("b"))));
      r.getEverywhere(
          "/resources/{r}/pipelines/{p}/builds/{b}/" + end + "/{n}/metrics",
          ctx ->
              ranked(
                  ctx,
                  head,
                  ctx.pathParam("n"),
                  store.metricsOfPipelineBuild(ctx.pathParam("p"), ctx.pathParam("b"))));
    }
  }

  /** A page of the selected metrics at {@code path}, and their number at {@code path/count}. */
  private void metricsAndCount(Routes r, String path, Function<Context, Selection> selection) {
    r.getEverywhere(path + "/count", ctx -> count(ctx, selection.apply(ctx)));
    r.getEverywhere(path, ctx -> metrics(ctx, selection.apply(ctx), Map.of()));
  }

  private JsonBody object(BodyReader body, Context ctx) {
    return JsonBody.parseObject(mapper, body.read(ctx));
  }

  // ---------------------------------------------------------------- reads

  private void count(Context ctx, Selection s) {
    ctx.json(Map.of("count", store.count(s)));
  }

  private void count(Context ctx, Values v) {
    ctx.json(Map.of("count", store.count(v)));
  }

  private void contexts(Context ctx, String prefix) {
    respond(
        ctx,
        store.contextsPage(PytestMonitorStore.contexts(prefix), Pages.requestedPage(ctx)),
        "contexts",
        Map.of());
  }

  private void sessions(Context ctx, String prefix) {
    String withFlags = ctx.queryParam("with_flags");
    if (withFlags == null || withFlags.isBlank()) {
      sessionsPage(ctx, store.sessions(prefix, List.of(), List.of(), false));
      return;
    }
    String method = ctx.queryParam("method") == null ? "match_any" : ctx.queryParam("method");
    if (!method.equals("match_any") && !method.equals("match_all")) {
      throw ApiError.badRequest(
          "method", "method must be match_any or match_all, got '" + method + "'");
    }
    String[] flags = withFlags.split(",", -1);
    String restrict = ctx.queryParam("restrict_flags");
    String[] values = restrict == null ? new String[0] : restrict.split(",", -1);
    if (flags.length > Limits.MAX_FLAGS) {
      throw ApiError.badRequest(
          "with_flags",
          "with_flags holds " + flags.length + " flags; the limit is " + Limits.MAX_FLAGS);
    }
    if (values.length > Limits.MAX_FLAGS) {
      throw ApiError.badRequest(
          "restrict_flags",
          "restrict_flags holds " + values.length + " values; the limit is " + Limits.MAX_FLAGS);
    }
    sessionsPage(
        ctx,
        store.sessions(
            prefix, Arrays.asList(flags), Arrays.asList(values), method.equals("match_all")));
  }

  private void sessionsPage(Context ctx, Selection s) {
    respond(ctx, store.sessionsPage(s, Pages.requestedPage(ctx)), "sessions", Map.of());
  }

  private void metrics(Context ctx, Selection s, Map<String, Object> extra) {
    respond(ctx, store.metricsPage(s, Pages.requestedPage(ctx)), "metrics", extra);
  }

  private void values(Context ctx, Values v, String envelope, Map<String, Object> extra) {
    respond(ctx, store.valuesPage(v, Pages.requestedPage(ctx)), envelope, extra);
  }

  private static void respond(
      Context ctx, Paged<?> paged, String envelope, Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>(extra);
    body.put(envelope, paged.items());
    Pages.respond(ctx, paged.page(), body, paged.items());
  }

  private void pipelines(Context ctx) {
    List<String> values = store.pipelines();
    if (values.isEmpty()) {
      ctx.status(204);
    } else {
      ctx.json(Map.of("pipelines", values));
    }
  }

  private void ranked(Context ctx, boolean head, String n, Selection scope) {
    String resource = ctx.pathParam("r");
    if (!PytestMonitorStore.RESOURCES.containsKey(resource)) {
      throw ApiError.badRequest(
          "resource",
          "unknown resource '"
              + resource
              + "'; use one of memory, cpu, kernel_time, user_time, total_time");
    }
    int limit = 10;
    if (n != null) {
      try {
        limit = Integer.parseInt(n);
      } catch (NumberFormatException e) {
        throw ApiError.badRequest(
            "max_element", "the number of metrics must be an integer, got '" + n + "'");
      }
      if (limit < 1) {
        throw ApiError.badRequest(
            "max_element", "the number of metrics must be 1 or more, got " + limit);
      }
    }
    List<Map<String, Object>> items = store.ranked(resource, head, limit, scope);
    if (items.isEmpty()) {
      ctx.status(204);
    } else {
      ctx.json(Map.of("metrics", items));
    }
  }
}
