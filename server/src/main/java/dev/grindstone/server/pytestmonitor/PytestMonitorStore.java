package dev.grindstone.server.pytestmonitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.Pages;
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
 * pytest-monitor's tables (EXECUTION_CONTEXTS, TEST_SESSIONS, TEST_METRICS): the writes of the
 * remote-server protocol and the reads behind the reference server's query routes. All SQL of the
 * pytest-monitor API is here; a route names the rows it wants with one of the {@link Selection}
 * factories.
 *
 * <p>Writes are one transaction each, committed with whatever else is written at the moment;
 * contexts and sessions are created once (a re-post answers with the stored entry). Thread-safe.
 */
public final class PytestMonitorStore {
  /** The most rows a head or tail route answers. */
  static final int MAX_HEAD = 500;

  /** The resources head and tail routes rank by, and their columns. */
  static final Map<String, String> RESOURCES =
      Map.of(
          "memory", "MEM_USAGE",
          "cpu", "CPU_USAGE",
          "kernel_time", "KERNEL_TIME",
          "user_time", "USER_TIME",
          "total_time", "TOTAL_TIME");

  /** The escape character of every LIKE pattern (SQLite has none by default). */
  private static final String LIKE_ESCAPE = " ESCAPE '\\'";

  private static final int KNOWN_CACHE_LIMIT = 100_000;
  private static final String METRIC_COLUMNS =
      "m.SESSION_H, m.ENV_H, m.ITEM_START_TIME, m.ITEM_PATH, m.ITEM, m.ITEM_VARIANT, m.ITEM_FS_LOC,"
          + " m.KIND, m.COMPONENT, m.TOTAL_TIME, m.USER_TIME, m.KERNEL_TIME, m.CPU_USAGE,"
          + " m.MEM_USAGE";
  // Counting a million rows for total_page costs more than reading the page itself. Large counts
  // are reused for a few seconds (total_page may then lag new rows briefly); small ones, which
  // decide 200 versus 204 for the client's existence checks, are always exact.
  private static final long CACHED_COUNT_MIN = 10_000;
  private static final long COUNT_TTL_NANOS = 5_000_000_000L;

  private record CachedCount(long count, long expiresNanos) {}

  private final Database db;
  private final ObjectMapper mapper;
  // Contexts and sessions are never deleted, so a hash seen once stays valid: this saves a lookup
  // per metric on the hot ingest path.
  private final Set<String> knownContexts = ConcurrentHashMap.newKeySet();
  private final Set<String> knownSessions = ConcurrentHashMap.newKeySet();
  private final Map<String, CachedCount> counts = new ConcurrentHashMap<>();

  public PytestMonitorStore(Database db, ObjectMapper mapper) {
    this.db = db;
    this.mapper = mapper;
  }

  /** Rows of one table (aliased {@code m} for metrics) that a query selects, with bound values. */
  record Selection(String from, String where, Map<String, Object> binds) {}

  /** The distinct values ({@code V}) of a query, with bound values. */
  record Values(String select, Map<String, Object> binds) {}

  /** One page of rows, and where it lies among them all. */
  record Paged<T>(Pages.Page page, List<T> items) {}

  // ---------------------------------------------------------------- writes

  /** Stores a context unless its hash is known; returns the stored row. */
  Map<String, Object> save(ContextPost c) {
    Map<String, Object> stored =
        db.write(
            hd -> {
              hd.createUpdate(
                      "INSERT INTO EXECUTION_CONTEXTS (ENV_H, CPU_COUNT, CPU_FREQUENCY_MHZ,"
                          + " CPU_TYPE, CPU_VENDOR, RAM_TOTAL_MB, MACHINE_NODE, MACHINE_TYPE,"
                          + " MACHINE_ARCH, SYSTEM_INFO, PYTHON_INFO) VALUES (:h, :cc, :cf, :ct,"
                          + " :cv, :ram, :mn, :mt, :ma, :si, :pi) ON CONFLICT (ENV_H) DO NOTHING")
                  .bind("h", c.h())
                  .bind("cc", c.cpuCount())
                  .bind("cf", c.cpuFrequency())
                  .bind("ct", c.cpuType())
                  .bind("cv", c.cpuVendor())
                  .bind("ram", c.ramTotal())
                  .bind("mn", c.machineNode())
                  .bind("mt", c.machineType())
                  .bind("ma", c.machineArch())
                  .bind("si", c.systemInfo())
                  .bind("pi", c.pythonInfo())
                  .execute();
              return hd.createQuery("SELECT * FROM EXECUTION_CONTEXTS WHERE ENV_H = :h")
                  .bind("h", c.h())
                  .map((rs, x) -> contextRow(rs))
                  .one();
            });
    remember(knownContexts, c.h());
    return stored;
  }

  /** Stores a session unless its hash is known; returns the stored row. */
  Map<String, Object> save(SessionPost s) {
    Map<String, Object> stored =
        db.write(
            hd -> {
              hd.createUpdate(
                      "INSERT INTO TEST_SESSIONS (SESSION_H, RUN_DATE, SCM_ID, RUN_DESCRIPTION)"
                          + " VALUES (:h, :d, :s, :j) ON CONFLICT (SESSION_H) DO NOTHING")
                  .bind("h", s.h())
                  .bind("d", s.runDate())
                  .bind("s", s.scmRef())
                  .bind("j", s.description())
                  .execute();
              return hd.createQuery("SELECT * FROM TEST_SESSIONS WHERE SESSION_H = :h")
                  .bind("h", s.h())
                  .map((rs, x) -> sessionRow(rs))
                  .one();
            });
    remember(knownSessions, s.h());
    return stored;
  }

  /**
   * Stores a metric row.
   *
   * @throws ApiError 400 when its session or its context is not stored (checked before anything is
   *     written, so the writes committed with it are not disturbed)
   */
  void save(MetricPost m) {
    db.write(
        hd -> {
          requireKnown(
              hd,
              knownSessions,
              "TEST_SESSIONS",
              "SESSION_H",
              m.sessionH(),
              "session_h",
              "POST /sessions/");
          requireKnown(
              hd,
              knownContexts,
              "EXECUTION_CONTEXTS",
              "ENV_H",
              m.contextH(),
              "context_h",
              "POST /contexts/");
          return null;
        },
        (hd, checked) ->
            hd.createUpdate(
                    "INSERT INTO TEST_METRICS (SESSION_H, ENV_H, ITEM_START_TIME, ITEM_PATH, ITEM,"
                        + " ITEM_VARIANT, ITEM_FS_LOC, KIND, COMPONENT, TOTAL_TIME, USER_TIME,"
                        + " KERNEL_TIME, CPU_USAGE, MEM_USAGE) VALUES (:s, :c, :st, :ip, :i, :iv,"
                        + " :fl, :k, :co, :tt, :ut, :kt, :cu, :mu)")
                .bind("s", m.sessionH())
                .bind("c", m.contextH())
                .bind("st", m.itemStartTime())
                .bind("ip", m.itemPath())
                .bind("i", m.item())
                .bind("iv", m.itemVariant())
                .bind("fl", m.itemFsLoc())
                .bind("k", m.kind())
                .bind("co", m.component())
                .bind("tt", m.totalTime())
                .bind("ut", m.userTime())
                .bind("kt", m.kernelTime())
                .bind("cu", m.cpuUsage())
                .bind("mu", m.memUsage())
                .execute());
  }

  private static void requireKnown(
      Handle hd,
      Set<String> cache,
      String table,
      String column,
      String h,
      String field,
      String how) {
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
      throw ApiError.badRequest(
          field, "unknown " + field + " '" + h + "': create it first with " + how);
    }
    remember(cache, h);
  }

  private static void remember(Set<String> cache, String h) {
    if (cache.size() > KNOWN_CACHE_LIMIT) {
      cache.clear();
    }
    cache.add(h);
  }

  // ---------------------------------------------------------------- selections

  static Selection contexts(String prefix) {
    return prefix == null
        ? new Selection("EXECUTION_CONTEXTS", "1 = 1", Map.of())
        : new Selection(
            "EXECUTION_CONTEXTS", "ENV_H LIKE :p" + LIKE_ESCAPE, Map.of("p", likePrefix(prefix)));
  }

  /**
   * Sessions whose hash starts with {@code prefix} (all for null) and, when {@code flags} is not
   * empty, whose description has any (or all) of the flags: a non-empty value, or the value given
   * at the same position in {@code values}.
   */
  Selection sessions(String prefix, List<String> flags, List<String> values, boolean matchAll) {
    StringBuilder where =
        new StringBuilder(prefix == null ? "1 = 1" : "SESSION_H LIKE :p" + LIKE_ESCAPE);
    Map<String, Object> binds = new LinkedHashMap<>();
    if (prefix != null) {
      binds.put("p", likePrefix(prefix));
    }
    if (!flags.isEmpty()) {
      List<String> conds = new ArrayList<>();
      for (int i = 0; i < flags.size(); i++) {
        binds.put("f" + i, flags.get(i).trim());
        String expr = db.jsonText("RUN_DESCRIPTION", "f" + i);
        if (i < values.size() && !values.get(i).isEmpty()) {
          binds.put("v" + i, values.get(i));
          conds.add(expr + " = :v" + i);
        } else {
          conds.add(expr + " <> ''");
        }
      }
      where.append(" AND (").append(String.join(matchAll ? " AND " : " OR ", conds)).append(')');
    }
    return new Selection("TEST_SESSIONS", where.toString(), binds);
  }

  static Selection sessionsOfScm(String ref) {
    return new Selection(
        "TEST_SESSIONS", "SCM_ID LIKE :p" + LIKE_ESCAPE, Map.of("p", likePrefix(ref)));
  }

  static Selection metrics() {
    return metrics("1 = 1", Map.of());
  }

  static Selection metricsOfContext(String h) {
    return metrics("m.ENV_H = :h", Map.of("h", h));
  }

  static Selection metricsOfSession(String h) {
    return metrics("m.SESSION_H = :h", Map.of("h", h));
  }

  static Selection metricsOfItem(String item) {
    return metrics("m.ITEM = :v", Map.of("v", item));
  }

  static Selection metricsOfItemLike(String text) {
    return metrics("m.ITEM LIKE :p" + LIKE_ESCAPE, Map.of("p", likeContaining(text)));
  }

  static Selection metricsOfVariant(String variant) {
    return metrics("m.ITEM_VARIANT = :v", Map.of("v", variant));
  }

  static Selection metricsOfVariantLike(String text) {
    return metrics("m.ITEM_VARIANT LIKE :p" + LIKE_ESCAPE, Map.of("p", likeContaining(text)));
  }

  static Selection metricsOfScope(String kind) {
    return metrics("m.KIND = :v", Map.of("v", kind));
  }

  static Selection metricsOfScm(String ref) {
    return metrics(
        "m.SESSION_H IN (SELECT SESSION_H FROM TEST_SESSIONS WHERE SCM_ID LIKE :p"
            + LIKE_ESCAPE
            + ")",
        Map.of("p", likePrefix(ref)));
  }

  /** Metrics of component {@code c}; of no component for null. */
  static Selection metricsOfComponent(String c) {
    return c == null
        ? metrics(NO_COMPONENT, Map.of())
        : metrics("m.COMPONENT = :c", Map.of("c", c));
  }

  /** Metrics of an item in component {@code c} (null: in no component). */
  static Selection metricsOfComponentItem(String c, String item) {
    return c == null
        ? metrics(NO_COMPONENT + " AND m.ITEM = :i", Map.of("i", item))
        : metrics("m.COMPONENT = :c AND m.ITEM = :i", Map.of("c", c, "i", item));
  }

  /** Metrics of a variant in component {@code c} (null: in no component). */
  static Selection metricsOfComponentVariant(String c, String variant) {
    return c == null
        ? metrics(NO_COMPONENT + " AND m.ITEM_VARIANT = :v", Map.of("v", variant))
        : metrics("m.COMPONENT = :c AND m.ITEM_VARIANT = :v", Map.of("c", c, "v", variant));
  }

  /** Metrics of sessions of a CI pipeline (description key {@code pipeline_branch}). */
  Selection metricsOfPipeline(String p) {
    return metrics(pipelineCond(false), Map.of("pk", "pipeline_branch", "p", p));
  }

  /** Metrics of sessions of one build of a CI pipeline ({@code pipeline_build_no}). */
  Selection metricsOfPipelineBuild(String p, String b) {
    return metrics(
        pipelineCond(true),
        Map.of("pk", "pipeline_branch", "p", p, "bk", "pipeline_build_no", "b", b));
  }

  private static final String NO_COMPONENT = "(m.COMPONENT = '' OR m.COMPONENT IS NULL)";

  private static Selection metrics(String where, Map<String, Object> binds) {
    return new Selection("TEST_METRICS m", where, binds);
  }

  private String pipelineCond(boolean withBuild) {
    String c =
        "m.SESSION_H IN (SELECT SESSION_H FROM TEST_SESSIONS WHERE "
            + db.jsonText("RUN_DESCRIPTION", "pk")
            + " = :p";
    if (withBuild) {
      c += " AND " + db.jsonText("RUN_DESCRIPTION", "bk") + " = :b";
    }
    return c + ")";
  }

  static Values components(String prefix) {
    String where =
        "COMPONENT IS NOT NULL AND COMPONENT <> ''"
            + (prefix == null ? "" : " AND COMPONENT LIKE :p" + LIKE_ESCAPE);
    return new Values(
        "SELECT DISTINCT COMPONENT AS V FROM TEST_METRICS WHERE " + where,
        prefix == null ? Map.of() : Map.of("p", likePrefix(prefix)));
  }

  Values componentPipelines(String c) {
    String pipe = db.jsonText("s.RUN_DESCRIPTION", "pk");
    return new Values(
        "SELECT DISTINCT "
            + pipe
            + " AS V FROM TEST_SESSIONS s WHERE "
            + pipe
            + " <> '' AND s.SESSION_H IN"
            + " (SELECT SESSION_H FROM TEST_METRICS WHERE COMPONENT = :c)",
        Map.of("pk", "pipeline_branch", "c", c));
  }

  Values componentBuilds(String c, String p) {
    String pipe = db.jsonText("s.RUN_DESCRIPTION", "pk");
    String build = db.jsonText("s.RUN_DESCRIPTION", "bk");
    return new Values(
        "SELECT DISTINCT "
            + build
            + " AS V FROM TEST_SESSIONS s WHERE "
            + pipe
            + " = :p AND "
            + build
            + " <> '' AND s.SESSION_H IN (SELECT SESSION_H FROM TEST_METRICS WHERE COMPONENT = :c)",
        Map.of("pk", "pipeline_branch", "bk", "pipeline_build_no", "c", c, "p", p));
  }

  Values componentBuildSessions(String c, String p, String b) {
    return new Values(
        "SELECT DISTINCT s.SESSION_H AS V FROM TEST_SESSIONS s WHERE "
            + db.jsonText("s.RUN_DESCRIPTION", "pk")
            + " = :p AND "
            + db.jsonText("s.RUN_DESCRIPTION", "bk")
            + " = :b AND s.SESSION_H IN"
            + " (SELECT SESSION_H FROM TEST_METRICS WHERE COMPONENT = :c)",
        Map.of("pk", "pipeline_branch", "bk", "pipeline_build_no", "c", c, "p", p, "b", b));
  }

  Values pipelineBuilds(String p) {
    String pipe = db.jsonText("RUN_DESCRIPTION", "pk");
    String build = db.jsonText("RUN_DESCRIPTION", "bk");
    return new Values(
        "SELECT DISTINCT "
            + build
            + " AS V FROM TEST_SESSIONS WHERE "
            + pipe
            + " = :p AND "
            + build
            + " <> ''",
        Map.of("pk", "pipeline_branch", "bk", "pipeline_build_no", "p", p));
  }

  Values pipelineBuildSessions(String p, String b) {
    return new Values(
        "SELECT DISTINCT SESSION_H AS V FROM TEST_SESSIONS WHERE "
            + db.jsonText("RUN_DESCRIPTION", "pk")
            + " = :p AND "
            + db.jsonText("RUN_DESCRIPTION", "bk")
            + " = :b",
        Map.of("pk", "pipeline_branch", "bk", "pipeline_build_no", "p", p, "b", b));
  }

  // ---------------------------------------------------------------- reads

  /** The exact number of rows selected. */
  long count(Selection s) {
    return db.read(
        hd ->
            bindAll(
                    hd.createQuery("SELECT COUNT(*) FROM " + s.from() + " WHERE " + s.where()),
                    s.binds())
                .mapTo(Long.class)
                .one());
  }

  /** The exact number of distinct values. */
  long count(Values v) {
    return db.read(
        hd ->
            bindAll(hd.createQuery("SELECT COUNT(*) FROM (" + v.select() + ") q"), v.binds())
                .mapTo(Long.class)
                .one());
  }

  /** A page of contexts, by hash. */
  Paged<Map<String, Object>> contextsPage(Selection s, int requestedPage) {
    return page(s, "ENV_H", "*", requestedPage, PytestMonitorStore::contextRow);
  }

  /** A page of sessions, by run date then hash. */
  Paged<Map<String, Object>> sessionsPage(Selection s, int requestedPage) {
    return page(s, "RUN_DATE, SESSION_H", "*", requestedPage, this::sessionRow);
  }

  /** A page of metrics, in the order they were stored. */
  Paged<Map<String, Object>> metricsPage(Selection s, int requestedPage) {
    return page(s, "m.TEST_ID", METRIC_COLUMNS, requestedPage, PytestMonitorStore::metricRow);
  }

  private <T> Paged<T> page(
      Selection s, String order, String columns, int requestedPage, RowFn<T> row) {
    return db.read(
        hd -> {
          Pages.Page page =
              Pages.resolve(
                  requestedPage,
                  countRows(
                      hd, "SELECT COUNT(*) FROM " + s.from() + " WHERE " + s.where(), s.binds()));
          List<T> items;
          if (page.number() < 1 || page.offset() >= page.total()) {
            items = List.of();
          } else if (page.offset() > page.total() / 2) {
            // A late page read backwards from the end: OFFSET skips far fewer rows.
            long count = Math.min(Pages.PAGE_SIZE, page.total() - page.offset());
            items =
                new ArrayList<>(
                    bindAll(
                            hd.createQuery(
                                "SELECT "
                                    + columns
                                    + " FROM "
                                    + s.from()
                                    + " WHERE "
                                    + s.where()
                                    + " ORDER BY "
                                    + descending(order)
                                    + " LIMIT :limit OFFSET :offset"),
                            s.binds())
                        .bind("limit", count)
                        .bind("offset", page.total() - page.offset() - count)
                        .map((rs, c) -> row.map(rs))
                        .list());
            Collections.reverse(items);
          } else {
            items =
                bindAll(
                        hd.createQuery(
                            "SELECT "
                                + columns
                                + " FROM "
                                + s.from()
                                + " WHERE "
                                + s.where()
                                + " ORDER BY "
                                + order
                                + " LIMIT :limit OFFSET :offset"),
                        s.binds())
                    .bind("limit", Pages.PAGE_SIZE)
                    .bind("offset", page.offset())
                    .map((rs, c) -> row.map(rs))
                    .list();
          }
          return new Paged<>(page, items);
        });
  }

  /** A page of distinct values, in order. */
  Paged<String> valuesPage(Values v, int requestedPage) {
    return db.read(
        hd -> {
          Pages.Page page =
              Pages.resolve(
                  requestedPage,
                  bindAll(hd.createQuery("SELECT COUNT(*) FROM (" + v.select() + ") q"), v.binds())
                      .mapTo(Long.class)
                      .one());
          List<String> items =
              page.number() < 1
                  ? List.of()
                  : bindAll(
                          hd.createQuery(
                              "SELECT V FROM ("
                                  + v.select()
                                  + ") q ORDER BY V LIMIT :limit OFFSET :offset"),
                          v.binds())
                      .bind("limit", Pages.PAGE_SIZE)
                      .bind("offset", page.offset())
                      .mapTo(String.class)
                      .list();
          return new Paged<>(page, items);
        });
  }

  /** Every CI pipeline of the stored sessions, in order. */
  List<String> pipelines() {
    String pipe = db.jsonText("RUN_DESCRIPTION", "pk");
    return db.read(
        hd ->
            hd.createQuery(
                    "SELECT DISTINCT "
                        + pipe
                        + " AS V FROM TEST_SESSIONS WHERE "
                        + pipe
                        + " <> '' ORDER BY 1")
                .bind("pk", "pipeline_branch")
                .mapTo(String.class)
                .list());
  }

  /**
   * The {@code limit} (at most {@link #MAX_HEAD}) metrics of {@code scope} with the most ({@code
   * head}) or least of a resource, one of {@link #RESOURCES}.
   */
  List<Map<String, Object>> ranked(String resource, boolean head, int limit, Selection scope) {
    String column = RESOURCES.get(resource);
    int max = Math.min(limit, MAX_HEAD);
    return db.read(
        hd ->
            bindAll(
                    hd.createQuery(
                        "SELECT "
                            + METRIC_COLUMNS
                            + " FROM "
                            + scope.from()
                            + " WHERE "
                            + scope.where()
                            + " ORDER BY m."
                            + column
                            + (head ? " DESC" : " ASC")
                            + ", m.TEST_ID LIMIT :limit"),
                    scope.binds())
                .bind("limit", max)
                .map((rs, c) -> metricRow(rs))
                .list());
  }

  /** Dashboard overview: the number of metrics, sessions and contexts. */
  public Map<String, Object> counts() {
    return db.read(
        hd ->
            linked(
                "metrics",
                    hd.createQuery("SELECT COUNT(*) FROM TEST_METRICS").mapTo(Long.class).one(),
                "sessions",
                    hd.createQuery("SELECT COUNT(*) FROM TEST_SESSIONS").mapTo(Long.class).one(),
                "contexts",
                    hd.createQuery("SELECT COUNT(*) FROM EXECUTION_CONTEXTS")
                        .mapTo(Long.class)
                        .one()));
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

  /**
   * Escapes LIKE's wildcards: a path segment is matched as typed ({@code /contexts/_} is no
   * wildcard).
   */
  private static String likeLiteral(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static String likePrefix(String s) {
    return likeLiteral(s) + "%";
  }

  private static String likeContaining(String s) {
    return "%" + likeLiteral(s) + "%";
  }

  static Map<String, Object> linked(Object... kv) {
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
      tag.put(
          "value", e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
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
}
