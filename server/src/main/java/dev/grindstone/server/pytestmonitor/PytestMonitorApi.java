package dev.grindstone.server.pytestmonitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;
import dev.grindstone.server.web.Pages;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * pytest-monitor's remote-server protocol ({@code --remote-server}) and the reference server's
 * query routes, over the tables EXECUTION_CONTEXTS, TEST_SESSIONS and TEST_METRICS.
 *
 * <p>Writes are one transaction each; contexts and sessions are created once (a re-post answers 201
 * with the stored entry). Thread-safe.
 */
public final class PytestMonitorApi {
  private static final int MAX_HEAD = 500;
  /** The escape character of every LIKE pattern (SQLite has none by default). */
  private static final String LIKE_ESCAPE = " ESCAPE '\\'";
  private static final int KNOWN_CACHE_LIMIT = 100_000;
  private static final Map<String, String> RESOURCES =
      Map.of(
          "memory", "MEM_USAGE",
          "cpu", "CPU_USAGE",
          "kernel_time", "KERNEL_TIME",
          "user_time", "USER_TIME",
          "total_time", "TOTAL_TIME");
  private static final String METRIC_COLUMNS =
      "m.SESSION_H, m.ENV_H, m.ITEM_START_TIME, m.ITEM_PATH, m.ITEM, m.ITEM_VARIANT, m.ITEM_FS_LOC, m.KIND,"
          + " m.COMPONENT, m.TOTAL_TIME, m.USER_TIME, m.KERNEL_TIME, m.CPU_USAGE, m.MEM_USAGE";

  private final Database db;
  private final ObjectMapper mapper;
  // Contexts and sessions are never deleted, so a hash seen once stays valid: this saves a lookup
  // per metric on the hot ingest path.
  private final Set<String> knownContexts = ConcurrentHashMap.newKeySet();
  private final Set<String> knownSessions = ConcurrentHashMap.newKeySet();
  // Counting a million rows for total_page costs more than reading the page itself. Large counts
  // are reused for a few seconds (total_page may then lag new rows briefly); small ones, which
  // decide 200 versus 204 for the client's existence checks, are always exact.
  private static final long CACHED_COUNT_MIN = 10_000;
  private static final long COUNT_TTL_NANOS = 5_000_000_000L;
  private record CachedCount(long count, long expiresNanos) {}
  private final Map<String, CachedCount> counts = new ConcurrentHashMap<>();

  public PytestMonitorApi(Database db, ObjectMapper mapper) {
    this.db = db;
    this.mapper = mapper;
  }

  /** A body reader supplied by the server (it enforces the size limit). */
  public interface BodyReader {
    byte[] read(Context ctx);
  }

  public void register(Routes r, BodyReader body) {
    // Literal routes first: the first matching route wins.
    r.getEverywhere("/contexts/count", ctx -> count(ctx, "SELECT COUNT(*) FROM EXECUTION_CONTEXTS", Map.of()));
    r.getEverywhere("/contexts", ctx -> contexts(ctx, null));
    r.getEverywhere("/contexts/{h}", ctx -> contexts(ctx, ctx.pathParam("h")));
    r.getEverywhere("/contexts/{h}/metrics", ctx -> metricsPage(ctx, "m.ENV_H = :h", Map.of("h", ctx.pathParam("h")), Map.of()));
    r.getEverywhere("/contexts/{h}/metrics/count", ctx -> count(ctx, "SELECT COUNT(*) FROM TEST_METRICS WHERE ENV_H = :h", Map.of("h", ctx.pathParam("h"))));
    r.postEverywhere("/contexts", ctx -> postContext(ctx, body.read(ctx)));

    r.getEverywhere("/sessions/count", ctx -> count(ctx, "SELECT COUNT(*) FROM TEST_SESSIONS", Map.of()));
    r.getEverywhere("/sessions", ctx -> sessions(ctx, null));
    r.getEverywhere("/sessions/{h}", ctx -> sessions(ctx, ctx.pathParam("h")));
    r.getEverywhere("/sessions/{h}/metrics", ctx -> metricsPage(ctx, "m.SESSION_H = :h", Map.of("h", ctx.pathParam("h")), Map.of()));
    r.getEverywhere("/sessions/{h}/metrics/count", ctx -> count(ctx, "SELECT COUNT(*) FROM TEST_METRICS WHERE SESSION_H = :h", Map.of("h", ctx.pathParam("h"))));
    r.postEverywhere("/sessions", ctx -> postSession(ctx, body.read(ctx)));

    r.getEverywhere("/metrics/count", ctx -> count(ctx, "SELECT COUNT(*) FROM TEST_METRICS", Map.of()));
    r.getEverywhere("/metrics", ctx -> metricsPage(ctx, "1 = 1", Map.of(), Map.of()));
    r.postEverywhere("/metrics", ctx -> postMetric(ctx, body.read(ctx)));

    r.getEverywhere("/items/like/{item}/metrics", ctx -> metricsPage(ctx, "m.ITEM LIKE :p" + LIKE_ESCAPE, Map.of("p", likeContaining(ctx.pathParam("item"))), Map.of()));
    r.getEverywhere("/items/{item}/metrics", ctx -> metricsPage(ctx, "m.ITEM = :v", Map.of("v", ctx.pathParam("item")), Map.of()));
    r.getEverywhere("/items/{item}/metrics/count", ctx -> count(ctx, "SELECT COUNT(*) FROM TEST_METRICS WHERE ITEM = :v", Map.of("v", ctx.pathParam("item"))));
    r.getEverywhere("/variants/like/{variant}/metrics", ctx -> metricsPage(ctx, "m.ITEM_VARIANT LIKE :p" + LIKE_ESCAPE, Map.of("p", likeContaining(ctx.pathParam("variant"))), Map.of()));
    r.getEverywhere("/variants/{variant}/metrics", ctx -> metricsPage(ctx, "m.ITEM_VARIANT = :v", Map.of("v", ctx.pathParam("variant")), Map.of()));
    r.getEverywhere("/variants/{variant}/metrics/count", ctx -> count(ctx, "SELECT COUNT(*) FROM TEST_METRICS WHERE ITEM_VARIANT = :v", Map.of("v", ctx.pathParam("variant"))));

    r.getEverywhere("/filters/scope/{kind}/metrics", ctx -> metricsPage(ctx, "m.KIND = :v", Map.of("v", ctx.pathParam("kind")), Map.of()));
    r.getEverywhere("/filters/scope/{kind}/metrics/count", ctx -> count(ctx, "SELECT COUNT(*) FROM TEST_METRICS WHERE KIND = :v", Map.of("v", ctx.pathParam("kind"))));
    r.getEverywhere("/filters/scm/{ref}/metrics", ctx -> metricsPage(ctx, "m.SESSION_H IN (SELECT SESSION_H FROM TEST_SESSIONS WHERE SCM_ID LIKE :p" + LIKE_ESCAPE + ")", Map.of("p", likePrefix(ctx.pathParam("ref"))), Map.of()));
    r.getEverywhere("/filters/scm/{ref}/metrics/count", ctx -> count(ctx, "SELECT COUNT(*) FROM TEST_METRICS WHERE SESSION_H IN (SELECT SESSION_H FROM TEST_SESSIONS WHERE SCM_ID LIKE :p" + LIKE_ESCAPE + ")", Map.of("p", likePrefix(ctx.pathParam("ref")))));
    r.getEverywhere("/filters/scm/{ref}/sessions", ctx -> sessionsPage(ctx, "SCM_ID LIKE :p" + LIKE_ESCAPE, Map.of("p", likePrefix(ctx.pathParam("ref")))));

    r.getEverywhere("/components/count", ctx -> count(ctx, "SELECT COUNT(DISTINCT COMPONENT) FROM TEST_METRICS WHERE COMPONENT IS NOT NULL AND COMPONENT <> ''", Map.of()));
    r.getEverywhere("/components/metrics", ctx -> metricsPage(ctx, "(m.COMPONENT = '' OR m.COMPONENT IS NULL)", Map.of(), Map.of()));
    r.getEverywhere("/components", ctx -> components(ctx, null));
    r.getEverywhere("/components/{c}", ctx -> components(ctx, ctx.pathParam("c")));
    r.getEverywhere("/components/items/{item}/metrics", ctx -> metricsPage(ctx, "(m.COMPONENT = '' OR m.COMPONENT IS NULL) AND m.ITEM = :i", Map.of("i", ctx.pathParam("item")), Map.of("component", "")));
    r.getEverywhere("/components/variants/{variant}/metrics", ctx -> metricsPage(ctx, "(m.COMPONENT = '' OR m.COMPONENT IS NULL) AND m.ITEM_VARIANT = :v", Map.of("v", ctx.pathParam("variant")), Map.of("component", "")));
    r.getEverywhere("/components/{c}/metrics", ctx -> metricsPage(ctx, "m.COMPONENT = :c", Map.of("c", ctx.pathParam("c")), Map.of("component", ctx.pathParam("c"))));
    r.getEverywhere("/components/{c}/items/{item}/metrics", ctx -> metricsPage(ctx, "m.COMPONENT = :c AND m.ITEM = :i", Map.of("c", ctx.pathParam("c"), "i", ctx.pathParam("item")), Map.of("component", ctx.pathParam("c"))));
    r.getEverywhere("/components/{c}/variants/{variant}/metrics", ctx -> metricsPage(ctx, "m.COMPONENT = :c AND m.ITEM_VARIANT = :v", Map.of("c", ctx.pathParam("c"), "v", ctx.pathParam("variant")), Map.of("component", ctx.pathParam("c"))));
    r.getEverywhere("/components/{c}/pipelines", this::componentPipelines);
    r.getEverywhere("/components/{c}/pipelines/{p}/builds", this::componentBuilds);
    r.getEverywhere("/components/{c}/pipelines/{p}/builds/{b}/sessions", this::componentBuildSessions);

    r.getEverywhere("/pipelines", this::pipelines);
    r.getEverywhere("/pipelines/{p}/builds", this::pipelineBuilds);
    r.getEverywhere("/pipelines/{p}/builds/{b}/sessions", this::pipelineBuildSessions);

    for (String end : List.of("head", "tail")) {
      boolean head = end.equals("head");
      r.getEverywhere("/resources/{r}/" + end + "/metrics", ctx -> resources(ctx, head, null, "1 = 1", Map.of()));
      r.getEverywhere("/resources/{r}/" + end + "/{n}/metrics", ctx -> resources(ctx, head, ctx.pathParam("n"), "1 = 1", Map.of()));
      r.getEverywhere("/resources/{r}/components/{c}/" + end + "/metrics", ctx -> resources(ctx, head, null, "m.COMPONENT = :c", Map.of("c", ctx.pathParam("c"))));
      r.getEverywhere("/resources/{r}/components/{c}/" + end + "/{n}/metrics", ctx -> resources(ctx, head, ctx.pathParam("n"), "m.COMPONENT = :c", Map.of("c", ctx.pathParam("c"))));
      r.getEverywhere("/resources/{r}/pipelines/{p}/" + end + "/metrics", ctx -> resources(ctx, head, null, pipelineCond(false), Map.of("pk", "pipeline_branch", "p", ctx.pathParam("p"))));
      r.getEverywhere("/resources/{r}/pipelines/{p}/" + end + "/{n}/metrics", ctx -> resources(ctx, head, ctx.pathParam("n"), pipelineCond(false), Map.of("pk", "pipeline_branch", "p", ctx.pathParam("p"))));
      r.getEverywhere("/resources/{r}/pipelines/{p}/builds/{b}/" + end + "/metrics", ctx -> resources(ctx, head, null, pipelineCond(true), Map.of("pk", "pipeline_branch", "p", ctx.pathParam("p"), "bk", "pipeline_build_no", "b", ctx.pathParam("b"))));
      r.getEverywhere("/resources/{r}/pipelines/{p}/builds/{b}/" + end + "/{n}/metrics", ctx -> resources(ctx, head, ctx.pathParam("n"), pipelineCond(true), Map.of("pk", "pipeline_branch", "p", ctx.pathParam("p"), "bk", "pipeline_build_no", "b", ctx.pathParam("b"))));
    }
  }

  // ---------------------------------------------------------------- writes

  void postContext(Context ctx, byte[] bytes) {
    JsonBody b = JsonBody.parseObject(mapper, bytes);
    String h = hash(b, "h");
    // pytest-monitor's own schema declares cpu_count int: the same range on every store.
    long cpuCount = b.integer("cpu_count", 0, Limits.MAX_INT);
    double cpuFreq = b.nonNegative("cpu_frequency");
    String cpuType = b.optText("cpu_type", 64, "");
    String cpuVendor = b.optText("cpu_vendor", 256, "");
    long ram;
    if (b.has("ram_total")) {
      ram = b.integer("ram_total", 0, Long.MAX_VALUE);
    } else if (b.has("ram_tota")) {
      ram = b.integer("ram_tota", 0, Long.MAX_VALUE);
    } else {
      throw ApiError.badRequest("ram_total", "missing required field 'ram_total' (total RAM in MB)");
    }
    String node = b.text("machine_node", 512);
    String type = b.text("machine_type", 32);
    String arch = b.text("machine_arch", 16);
    String sys = b.text("system_info", 256);
    String py = b.text("python_info", 512);
    Map<String, Object> stored =
        db.write(
            hd -> {
              hd.createUpdate(
                      "INSERT INTO EXECUTION_CONTEXTS (ENV_H, CPU_COUNT, CPU_FREQUENCY_MHZ, CPU_TYPE, CPU_VENDOR,"
                          + " RAM_TOTAL_MB, MACHINE_NODE, MACHINE_TYPE, MACHINE_ARCH, SYSTEM_INFO, PYTHON_INFO)"
                          + " VALUES (:h, :cc, :cf, :ct, :cv, :ram, :mn, :mt, :ma, :si, :pi)"
                          + " ON CONFLICT (ENV_H) DO NOTHING")
                  .bind("h", h).bind("cc", cpuCount).bind("cf", cpuFreq).bind("ct", cpuType)
                  .bind("cv", cpuVendor).bind("ram", ram).bind("mn", node).bind("mt", type)
                  .bind("ma", arch).bind("si", sys).bind("pi", py)
                  .execute();
              return hd.createQuery("SELECT * FROM EXECUTION_CONTEXTS WHERE ENV_H = :h")
                  .bind("h", h)
                  .map((rs, c) -> contextRow(rs))
                  .one();
            });
    remember(knownContexts, h);
    ctx.status(201).json(stored);
  }

  void postSession(Context ctx, byte[] bytes) {
    JsonBody b = JsonBody.parseObject(mapper, bytes);
    String h = hash(b, "session_h");
    String runDate = b.text("run_date", 64);
    String scm = b.optText("scm_ref", 128, "");
    ObjectNode description = description(b);
    String descText = description.toString();
    Map<String, Object> stored =
        db.write(
            hd -> {
              hd.createUpdate(
                      "INSERT INTO TEST_SESSIONS (SESSION_H, RUN_DATE, SCM_ID, RUN_DESCRIPTION)"
                          + " VALUES (:h, :d, :s, :j) ON CONFLICT (SESSION_H) DO NOTHING")
                  .bind("h", h).bind("d", runDate).bind("s", scm).bind("j", descText)
                  .execute();
              return hd.createQuery("SELECT * FROM TEST_SESSIONS WHERE SESSION_H = :h")
                  .bind("h", h)
                  .map((rs, c) -> sessionRow(rs))
                  .one();
            });
    remember(knownSessions, h);
    ctx.status(201).json(stored);
  }

  private ObjectNode description(JsonBody b) {
    JsonNode d = b.raw("description");
    if (d == null || d.isNull()) {
      return mapper.createObjectNode();
    }
    if (d.isObject()) {
      return (ObjectNode) d;
    }
    if (d.isTextual()) {
      // The seed text documents a string; the real client sends an object. Keep both readable.
      ObjectNode o = mapper.createObjectNode();
      o.put("description", d.textValue());
      return o;
    }
    throw ApiError.badRequest("description", "'description' must be a JSON object or a string, got " + JsonBody.kind(d));
  }

  void postMetric(Context ctx, byte[] bytes) {
    JsonBody b = JsonBody.parseObject(mapper, bytes);
    String session = hash(b, "session_h");
    String context = hash(b, "context_h");
    String start = b.text("item_start_time", 64);
    String path = b.text("item_path", 4096);
    String item = b.text("item", 2048);
    String variant = b.text("item_variant", 2048);
    String loc = b.text("item_fs_loc", 2048);
    String kind = b.text("kind", 64);
    String component = b.optText("component", 512, null);
    double total = b.nonNegative("total_time");
    double user = b.nonNegative("user_time");
    double kernel = b.nonNegative("kernel_time");
    double cpu = b.nonNegative("cpu_usage");
    // Peak memory minus the session's baseline: pytest-monitor sends values below 0, so they stay.
    double mem = b.number("mem_usage");
    db.write(
        hd -> {
          requireKnown(hd, knownSessions, "TEST_SESSIONS", "SESSION_H", session, "session_h", "POST /sessions/");
          requireKnown(hd, knownContexts, "EXECUTION_CONTEXTS", "ENV_H", context, "context_h", "POST /contexts/");
          return hd.createUpdate(
                  "INSERT INTO TEST_METRICS (SESSION_H, ENV_H, ITEM_START_TIME, ITEM_PATH, ITEM, ITEM_VARIANT,"
                      + " ITEM_FS_LOC, KIND, COMPONENT, TOTAL_TIME, USER_TIME, KERNEL_TIME, CPU_USAGE, MEM_USAGE)"
                      + " VALUES (:s, :c, :st, :ip, :i, :iv, :fl, :k, :co, :tt, :ut, :kt, :cu, :mu)")
              .bind("s", session).bind("c", context).bind("st", start).bind("ip", path)
              .bind("i", item).bind("iv", variant).bind("fl", loc).bind("k", kind).bind("co", component)
              .bind("tt", total).bind("ut", user).bind("kt", kernel).bind("cu", cpu).bind("mu", mem)
              .execute();
        });
    Map<String, Object> echo = new LinkedHashMap<>();
    echo.put("session_h", session);
    echo.put("context_h", context);
    echo.put("item_start_time", start);
    echo.put("item_path", path);
    echo.put("item", item);
    echo.put("item_variant", variant);
    echo.put("item_fs_loc", loc);
    echo.put("kind", kind);
    echo.put("component", component);
    echo.put("total_time", total);
    echo.put("user_time", user);
    echo.put("kernel_time", kernel);
    echo.put("cpu_usage", cpu);
    echo.put("mem_usage", mem);
    ctx.status(201).json(echo);
  }

  private static void requireKnown(
      Handle hd, Set<String> cache, String table, String column, String h, String field, String how) {
    if (cache.contains(h)) {
      return;
    }
    boolean exists =
        hd.createQuery("SELECT COUNT(*) FROM " + table + " WHERE " + column + " = :h")
                .bind("h", h)
                .mapTo(Long.class)
                .one()
            > 0;
    if (!exists) {
      throw ApiError.badRequest(field, "unknown " + field + " '" + h + "': create it first with " + how);
    }
    remember(cache, h);
  }

  private static void remember(Set<String> cache, String h) {
    if (cache.size() > KNOWN_CACHE_LIMIT) {
      cache.clear();
    }
    cache.add(h);
  }

  private static String hash(JsonBody b, String field) {
    String h = b.text(field, 64);
    if (h.isEmpty()) {
      throw ApiError.badRequest(field, "'" + field + "' must not be empty");
    }
    return h;
  }

  // ---------------------------------------------------------------- reads

  private void count(Context ctx, String sql, Map<String, Object> binds) {
    long n = db.read(hd -> bindAll(hd.createQuery(sql), binds).mapTo(Long.class).one());
    ctx.json(Map.of("count", n));
  }

  private void contexts(Context ctx, String prefix) {
    String where = prefix == null ? "1 = 1" : "ENV_H LIKE :p" + LIKE_ESCAPE;
    Map<String, Object> binds = prefix == null ? Map.of() : Map.of("p", likePrefix(prefix));
    page(ctx, "EXECUTION_CONTEXTS", where, "ENV_H", binds, "contexts", PytestMonitorApi::contextRow, Map.of());
  }

  private void sessions(Context ctx, String prefix) {
    StringBuilder where = new StringBuilder(prefix == null ? "1 = 1" : "SESSION_H LIKE :p" + LIKE_ESCAPE);
    Map<String, Object> binds = new LinkedHashMap<>();
    if (prefix != null) {
      binds.put("p", likePrefix(prefix));
    }
    String withFlags = ctx.queryParam("with_flags");
    if (withFlags != null && !withFlags.isBlank()) {
      String method = ctx.queryParam("method") == null ? "match_any" : ctx.queryParam("method");
      if (!method.equals("match_any") && !method.equals("match_all")) {
        throw ApiError.badRequest("method", "method must be match_any or match_all, got '" + method + "'");
      }
      String[] flags = withFlags.split(",", -1);
      String restrict = ctx.queryParam("restrict_flags");
      String[] values = restrict == null ? new String[0] : restrict.split(",", -1);
      if (flags.length > Limits.MAX_FLAGS) {
        throw ApiError.badRequest("with_flags", "with_flags holds " + flags.length + " flags; the limit is " + Limits.MAX_FLAGS);
      }
      if (values.length > Limits.MAX_FLAGS) {
        throw ApiError.badRequest("restrict_flags", "restrict_flags holds " + values.length + " values; the limit is " + Limits.MAX_FLAGS);
      }
      List<String> conds = new ArrayList<>();
      for (int i = 0; i < flags.length; i++) {
        binds.put("f" + i, flags[i].trim());
        String expr = db.jsonText("RUN_DESCRIPTION", "f" + i);
        if (i < values.length && !values[i].isEmpty()) {
          binds.put("v" + i, values[i]);
          conds.add(expr + " = :v" + i);
        } else {
          conds.add(expr + " <> ''");
        }
      }
      where.append(" AND (").append(String.join(method.equals("match_any") ? " OR " : " AND ", conds)).append(')');
    }
    sessionsPage(ctx, where.toString(), binds);
  }

  private void sessionsPage(Context ctx, String where, Map<String, Object> binds) {
    page(ctx, "TEST_SESSIONS", where, "RUN_DATE, SESSION_H", binds, "sessions", this::sessionRow, Map.of());
  }

  private void metricsPage(Context ctx, String where, Map<String, Object> binds, Map<String, Object> extra) {
    page(ctx, "TEST_METRICS m", where, "m.TEST_ID", binds, "metrics", PytestMonitorApi::metricRow, extra, METRIC_COLUMNS);
  }

  private <T> void page(
      Context ctx, String table, String where, String order, Map<String, Object> binds, String envelope,
      RowFn<T> row, Map<String, Object> extra) {
    page(ctx, table, where, order, binds, envelope, row, extra, "*");
  }

  private <T> void page(
      Context ctx, String table, String where, String order, Map<String, Object> binds, String envelope,
      RowFn<T> row, Map<String, Object> extra, String columns) {
    Pages.requestedPage(ctx);
    db.read(
        hd -> {
          Pages.Page page =
              Pages.resolve(ctx, () -> countRows(hd, "SELECT COUNT(*) FROM " + table + " WHERE " + where, binds));
          List<T> items;
          if (page.number() < 1 || page.offset() >= page.total()) {
            items = List.of();
          } else if (page.offset() > page.total() / 2) {
            // A late page read backwards from the end: OFFSET skips far fewer rows.
            long count = Math.min(Pages.PAGE_SIZE, page.total() - page.offset());
            items = new ArrayList<>(bindAll(
                    hd.createQuery("SELECT " + columns + " FROM " + table + " WHERE " + where
                        + " ORDER BY " + descending(order) + " LIMIT :limit OFFSET :offset"),
                    binds)
                .bind("limit", count)
                .bind("offset", page.total() - page.offset() - count)
                .map((rs, c) -> row.map(rs))
                .list());
            Collections.reverse(items);
          } else {
            items = bindAll(
                    hd.createQuery("SELECT " + columns + " FROM " + table + " WHERE " + where
                        + " ORDER BY " + order + " LIMIT :limit OFFSET :offset"),
                    binds)
                .bind("limit", Pages.PAGE_SIZE)
                .bind("offset", page.offset())
                .map((rs, c) -> row.map(rs))
                .list();
          }
          Map<String, Object> body = new LinkedHashMap<>(extra);
          body.put(envelope, items);
          Pages.respond(ctx, page, body, items);
          return null;
        });
  }

  private void components(Context ctx, String prefix) {
    String where = "COMPONENT IS NOT NULL AND COMPONENT <> ''" + (prefix == null ? "" : " AND COMPONENT LIKE :p" + LIKE_ESCAPE);
    Map<String, Object> binds = prefix == null ? Map.of() : Map.of("p", likePrefix(prefix));
    distinctPage(ctx, "SELECT DISTINCT COMPONENT AS V FROM TEST_METRICS WHERE " + where, binds, "components", Map.of());
  }

  private String pipelineCond(boolean withBuild) {
    String c = "m.SESSION_H IN (SELECT SESSION_H FROM TEST_SESSIONS WHERE " + db.jsonText("RUN_DESCRIPTION", "pk") + " = :p";
    if (withBuild) {
      c += " AND " + db.jsonText("RUN_DESCRIPTION", "bk") + " = :b";
    }
    return c + ")";
  }

  private void componentPipelines(Context ctx) {
    String c = ctx.pathParam("c");
    String pipe = db.jsonText("s.RUN_DESCRIPTION", "pk");
    distinctPage(
        ctx,
        "SELECT DISTINCT " + pipe + " AS V FROM TEST_SESSIONS s WHERE " + pipe + " <> '' AND s.SESSION_H IN"
            + " (SELECT SESSION_H FROM TEST_METRICS WHERE COMPONENT = :c)",
        Map.of("pk", "pipeline_branch", "c", c),
        "pipelines",
        Map.of("component", c));
  }

  private void componentBuilds(Context ctx) {
    String c = ctx.pathParam("c");
    String p = ctx.pathParam("p");
    String pipe = db.jsonText("s.RUN_DESCRIPTION", "pk");
    String build = db.jsonText("s.RUN_DESCRIPTION", "bk");
    distinctPage(
        ctx,
        "SELECT DISTINCT " + build + " AS V FROM TEST_SESSIONS s WHERE " + pipe + " = :p AND " + build
            + " <> '' AND s.SESSION_H IN (SELECT SESSION_H FROM TEST_METRICS WHERE COMPONENT = :c)",
        Map.of("pk", "pipeline_branch", "bk", "pipeline_build_no", "c", c, "p", p),
        "builds",
        linked("component", c, "pipeline", p));
  }

  private void componentBuildSessions(Context ctx) {
    String c = ctx.pathParam("c");
    String p = ctx.pathParam("p");
    String b = ctx.pathParam("b");
    distinctPage(
        ctx,
        "SELECT DISTINCT s.SESSION_H AS V FROM TEST_SESSIONS s WHERE " + db.jsonText("s.RUN_DESCRIPTION", "pk")
            + " = :p AND " + db.jsonText("s.RUN_DESCRIPTION", "bk") + " = :b AND s.SESSION_H IN"
            + " (SELECT SESSION_H FROM TEST_METRICS WHERE COMPONENT = :c)",
        Map.of("pk", "pipeline_branch", "bk", "pipeline_build_no", "c", c, "p", p, "b", b),
        "sessions",
        linked("component", c, "pipeline", p, "build", b));
  }

  private void pipelines(Context ctx) {
    String pipe = db.jsonText("RUN_DESCRIPTION", "pk");
    List<String> values =
        db.read(hd -> hd.createQuery("SELECT DISTINCT " + pipe + " AS V FROM TEST_SESSIONS WHERE " + pipe + " <> '' ORDER BY 1")
            .bind("pk", "pipeline_branch")
            .mapTo(String.class)
            .list());
    if (values.isEmpty()) {
      ctx.status(204);
    } else {
      ctx.json(Map.of("pipelines", values));
    }
  }

  private void pipelineBuilds(Context ctx) {
    String p = ctx.pathParam("p");
    String pipe = db.jsonText("RUN_DESCRIPTION", "pk");
    String build = db.jsonText("RUN_DESCRIPTION", "bk");
    distinctPage(
        ctx,
        "SELECT DISTINCT " + build + " AS V FROM TEST_SESSIONS WHERE " + pipe + " = :p AND " + build + " <> ''",
        Map.of("pk", "pipeline_branch", "bk", "pipeline_build_no", "p", p),
        "builds",
        linked("pipeline", p));
  }

  private void pipelineBuildSessions(Context ctx) {
    String p = ctx.pathParam("p");
    String b = ctx.pathParam("b");
    distinctPage(
        ctx,
        "SELECT DISTINCT SESSION_H AS V FROM TEST_SESSIONS WHERE " + db.jsonText("RUN_DESCRIPTION", "pk") + " = :p AND "
            + db.jsonText("RUN_DESCRIPTION", "bk") + " = :b",
        Map.of("pk", "pipeline_branch", "bk", "pipeline_build_no", "p", p, "b", b),
        "sessions",
        linked("pipeline", p, "build", b));
  }

  private void distinctPage(
      Context ctx, String select, Map<String, Object> binds, String envelope, Map<String, Object> extra) {
    Pages.requestedPage(ctx);
    db.read(
        hd -> {
          Pages.Page page =
              Pages.resolve(ctx, () -> bindAll(hd.createQuery("SELECT COUNT(*) FROM (" + select + ") q"), binds).mapTo(Long.class).one());
          List<String> items =
              page.number() < 1
                  ? List.of()
                  : bindAll(hd.createQuery("SELECT V FROM (" + select + ") q ORDER BY V LIMIT :limit OFFSET :offset"), binds)
                      .bind("limit", Pages.PAGE_SIZE)
                      .bind("offset", page.offset())
                      .mapTo(String.class)
                      .list();
          Map<String, Object> body = new LinkedHashMap<>(extra);
          body.put(envelope, items);
          Pages.respond(ctx, page, body, items);
          return null;
        });
  }

  private void resources(Context ctx, boolean head, String n, String where, Map<String, Object> binds) {
    String resource = ctx.pathParam("r");
    String column = RESOURCES.get(resource);
    if (column == null) {
      throw ApiError.badRequest(
          "resource", "unknown resource '" + resource + "'; use one of memory, cpu, kernel_time, user_time, total_time");
    }
    int limit = 10;
    if (n != null) {
      try {
        limit = Integer.parseInt(n);
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("max_element", "the number of metrics must be an integer, got '" + n + "'");
      }
      if (limit < 1) {
        throw ApiError.badRequest("max_element", "the number of metrics must be 1 or more, got " + limit);
      }
    }
    int max = Math.min(limit, MAX_HEAD);
    List<Map<String, Object>> items =
        db.read(
            hd -> bindAll(
                    hd.createQuery("SELECT " + METRIC_COLUMNS + " FROM TEST_METRICS m WHERE " + where
                        + " ORDER BY m." + column + (head ? " DESC" : " ASC") + ", m.TEST_ID LIMIT :limit"),
                    binds)
                .bind("limit", max)
                .map((rs, c) -> metricRow(rs))
                .list());
    if (items.isEmpty()) {
      ctx.status(204);
    } else {
      ctx.json(Map.of("metrics", items));
    }
  }

  private static String descending(String order) {
    StringBuilder sb = new StringBuilder();
    for (String col : order.split(",")) {
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      sb.append(col.trim()).append(" DESC");
    }
    return sb.toString();
  }

  private long countRows(Handle hd, String sql, Map<String, Object> binds) {
    String key = sql + '\u0000' + binds;
    CachedCount c = counts.get(key);
    long now = System.nanoTime();
    if (c != null && now - c.expiresNanos < 0) {
      return c.count;
    }
    long n = bindAll(hd.createQuery(sql), binds).mapTo(Long.class).one();
    if (n >= CACHED_COUNT_MIN) {
      if (counts.size() > 1000) {
        counts.clear();
      }
      counts.put(key, new CachedCount(n, now + COUNT_TTL_NANOS));
    }
    return n;
  }

  // ---------------------------------------------------------------- rows

  @FunctionalInterface
  private interface RowFn<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private static Query bindAll(Query q, Map<String, Object> binds) {
    binds.forEach(q::bind);
    return q;
  }

  /** Escapes LIKE's wildcards: a path segment is matched as typed ({@code /contexts/_} is no wildcard). */
  private static String likeLiteral(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static String likePrefix(String s) {
    return likeLiteral(s) + "%";
  }

  private static String likeContaining(String s) {
    return "%" + likeLiteral(s) + "%";
  }

  private static Map<String, Object> linked(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static Map<String, Object> contextRow(ResultSet rs) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("h", rs.getString("ENV_H"));
    m.put("cpu_count", rs.getLong("CPU_COUNT"));
    m.put("cpu_frequency", rs.getDouble("CPU_FREQUENCY_MHZ"));
    m.put("cpu_type", rs.getString("CPU_TYPE"));
    m.put("cpu_vendor", rs.getString("CPU_VENDOR"));
    m.put("ram_total", rs.getLong("RAM_TOTAL_MB"));
    m.put("machine_node", rs.getString("MACHINE_NODE"));
    m.put("machine_type", rs.getString("MACHINE_TYPE"));
    m.put("machine_arch", rs.getString("MACHINE_ARCH"));
    m.put("system_info", rs.getString("SYSTEM_INFO"));
    m.put("python_info", rs.getString("PYTHON_INFO"));
    return m;
  }

  Map<String, Object> sessionRow(ResultSet rs) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("session_h", rs.getString("SESSION_H"));
    m.put("run_date", rs.getString("RUN_DATE"));
    m.put("scm_ref", rs.getString("SCM_ID"));
    JsonNode desc;
    try {
      String text = rs.getString("RUN_DESCRIPTION");
      desc = text == null ? mapper.createObjectNode() : mapper.readTree(text);
    } catch (java.io.IOException e) {
      desc = mapper.createObjectNode();
    }
    List<Map<String, Object>> tags = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = desc.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Map<String, Object> tag = new LinkedHashMap<>();
      tag.put("name", e.getKey());
      tag.put("value", e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
      tags.add(tag);
    }
    m.put("tags", tags);
    m.put("description", desc);
    return m;
  }

  static Map<String, Object> metricRow(ResultSet rs) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("session_h", rs.getString("SESSION_H"));
    m.put("context_h", rs.getString("ENV_H"));
    m.put("item_start_time", rs.getString("ITEM_START_TIME"));
    m.put("item_path", rs.getString("ITEM_PATH"));
    m.put("item", rs.getString("ITEM"));
    m.put("item_variant", rs.getString("ITEM_VARIANT"));
    m.put("item_fs_loc", rs.getString("ITEM_FS_LOC"));
    m.put("kind", rs.getString("KIND"));
    m.put("component", rs.getString("COMPONENT"));
    m.put("total_time", rs.getDouble("TOTAL_TIME"));
    m.put("user_time", rs.getDouble("USER_TIME"));
    m.put("kernel_time", rs.getDouble("KERNEL_TIME"));
    m.put("cpu_usage", rs.getDouble("CPU_USAGE"));
    m.put("mem_usage", rs.getDouble("MEM_USAGE"));
    return m;
  }

  /** Dashboard helper: overview counts. */
  public Map<String, Object> counts() {
    return db.read(
        hd -> linked(
            "metrics", hd.createQuery("SELECT COUNT(*) FROM TEST_METRICS").mapTo(Long.class).one(),
            "sessions", hd.createQuery("SELECT COUNT(*) FROM TEST_SESSIONS").mapTo(Long.class).one(),
            "contexts", hd.createQuery("SELECT COUNT(*) FROM EXECUTION_CONTEXTS").mapTo(Long.class).one()));
  }

}
