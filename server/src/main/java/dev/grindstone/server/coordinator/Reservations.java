package dev.grindstone.server.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * What the attempts of a distributed run's agent indexes reserve of the sequences they share, such
 * as the rows of a queue feeder's share (DIST_RESERVATIONS): an attempt asks ahead of need, saying
 * how many positions it has taken, and takes only what is reserved for it; a newer attempt of the
 * index (a replacement) starts after every position any older one reserved, so no position is taken
 * twice, and the positions an older attempt reserved beyond those it said it had taken are the ones
 * that may have been skipped ({@link #skipped}).
 *
 * <p>A reservation only grows, so a request sent twice (a retry) changes nothing the second time.
 * Writes go through the store's writer, one at a time, so an attempt fenced by its replacement's
 * registration gets no reservation after it. Thread-safe.
 */
public final class Reservations {

  /** The most sequences one request may name. */
  static final int MAX_COUNTERS = 256;

  /** The longest name of a sequence. */
  static final int MAX_KEY = 256;

  /**
   * One sequence of a request.
   *
   * @param used the positions taken so far (the next one to take), earlier attempts' included
   * @param ahead how many positions to reserve beyond {@code used}
   */
  public record Ask(long used, long ahead) {}

  /**
   * The answer for one sequence.
   *
   * @param from where the attempt started: the highest position its index's older attempts had
   *     reserved when it first asked
   * @param reserved the attempt may take the positions below it
   */
  public record Reserved(long from, long reserved) {}

  /**
   * Positions an attempt that was replaced (fenced or lost) reserved beyond those it last said it
   * had taken: its replacement started after them, so they were skipped, unless the older attempt
   * took them after it last said so.
   *
   * @param before the replaced attempt, as {@code <index>.<attempt>}
   * @param after the attempt that took the sequence up after it
   * @param atMost {@code reserved - used}: how many positions may have been skipped
   */
  public record Skipped(
      int index,
      String before,
      String after,
      String counter,
      long from,
      long used,
      long reserved,
      long atMost) {}

  private final Database db;

  public Reservations(Database db) {
    this.db = db;
  }

  /**
   * The sequences of a request body, {@code {"reserve": {"<name>": {"used": n, "ahead": m}}}}.
   *
   * @throws ApiError 400 naming the field at fault
   */
  public static Map<String, Ask> parse(JsonBody body) {
    JsonNode reserve = body.raw("reserve");
    if (reserve == null || !reserve.isObject()) {
      throw ApiError.badRequest(
          "reserve",
          "'reserve' must be a JSON object of sequences, {\"<name>\": {\"used\": n, \"ahead\":"
              + " m}}, got "
              + JsonBody.kind(reserve));
    }
    if (reserve.isEmpty() || reserve.size() > MAX_COUNTERS) {
      throw ApiError.badRequest(
          "reserve",
          "'reserve' must name 1 to " + MAX_COUNTERS + " sequences, got " + reserve.size());
    }
    Map<String, Ask> asks = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = reserve.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.isBlank() || key.length() > MAX_KEY) {
        throw ApiError.badRequest(
            "reserve",
            "a sequence's name must be 1 to "
                + MAX_KEY
                + " characters, not blank; got "
                + key.length()
                + " characters");
      }
      JsonBody ask = JsonBody.of(e.getValue(), "reserve." + key);
      asks.put(key, new Ask(ask.count("used"), ask.count("ahead")));
    }
    return asks;
  }

  /**
   * Reserves for the agent process {@code agentId} what it asks, and answers where each of its
   * sequences started and what is reserved for it.
   *
   * @throws ApiError 404 for an unknown agent, 409 for a fenced one or one without a run
   */
  public Map<String, Reserved> reserve(String agentId, Map<String, Ask> asks) {
    return db.write(
        hd -> agent(hd, agentId),
        (hd, a) -> {
          Map<String, Reserved> out = new LinkedHashMap<>();
          for (Map.Entry<String, Ask> e : asks.entrySet()) {
            out.put(e.getKey(), reserve(hd, agentId, a, e.getKey(), e.getValue()));
          }
          return out;
        });
  }

  private Reserved reserve(Handle hd, String agentId, Agent a, String key, Ask ask) {
    Optional<long[]> row =
        hd.createQuery(
                "SELECT FROM_POS, USED, RESERVED FROM DIST_RESERVATIONS WHERE AGENT_ID = :a AND"
                    + " COUNTER = :k"
                    + db.forUpdate())
            .bind("a", agentId)
            .bind("k", key)
            .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
            .findOne();
    long from;
    long used;
    long reserved;
    if (row.isPresent()) {
      from = row.get()[0];
      used = row.get()[1];
      reserved = row.get()[2];
    } else {
      // This attempt's first ask: it starts after everything its index's older attempts reserved.
      from =
          hd.createQuery(
                  "SELECT COALESCE(MAX(RESERVED), 0) FROM DIST_RESERVATIONS WHERE RUN_ID = :r AND"
                      + " IDX = :i AND COUNTER = :k")
              .bind("r", a.runId)
              .bind("i", a.index)
              .bind("k", key)
              .mapTo(Long.class)
              .one();
      used = from;
      reserved = from;
      hd.createUpdate(
              "INSERT INTO DIST_RESERVATIONS (AGENT_ID, COUNTER, RUN_ID, IDX, FROM_POS, USED,"
                  + " RESERVED) VALUES (:a, :k, :r, :i, :f, :f, :f)")
          .bind("a", agentId)
          .bind("k", key)
          .bind("r", a.runId)
          .bind("i", a.index)
          .bind("f", from)
          .execute();
    }
    long base = Math.max(ask.used(), from);
    long nowUsed = Math.max(used, base);
    long nowReserved = Math.max(reserved, base + ask.ahead());
    if (nowUsed != used || nowReserved != reserved) {
      hd.createUpdate(
              "UPDATE DIST_RESERVATIONS SET USED = :u, RESERVED = :res WHERE AGENT_ID = :a AND"
                  + " COUNTER = :k")
          .bind("u", nowUsed)
          .bind("res", nowReserved)
          .bind("a", agentId)
          .bind("k", key)
          .execute();
    }
    return new Reserved(from, nowReserved);
  }

  /**
   * What each replaced attempt of the run (fenced or lost, its index's sequence taken up by a newer
   * attempt) reserved beyond what it last said it had taken, where that is anything; by index and
   * sequence.
   */
  public List<Skipped> skipped(String runId) {
    record Row(
        int index,
        String counter,
        long from,
        long used,
        long reserved,
        String reportAs,
        String status) {}
    List<Row> rows =
        db.read(
            hd ->
                hd.createQuery(
                        "SELECT R.IDX, R.COUNTER, R.FROM_POS, R.USED, R.RESERVED, A.REPORT_AS,"
                            + " A.STATUS FROM DIST_RESERVATIONS R JOIN DIST_AGENTS A ON A.ID ="
                            + " R.AGENT_ID WHERE R.RUN_ID = :r ORDER BY R.IDX, R.COUNTER,"
                            + " R.FROM_POS, A.REGISTERED_MS, A.ID")
                    .bind("r", runId)
                    .map(
                        (rs, ctx) ->
                            new Row(
                                rs.getInt(1),
                                rs.getString(2),
                                rs.getLong(3),
                                rs.getLong(4),
                                rs.getLong(5),
                                rs.getString(6),
                                rs.getString(7)))
                    .list());
    List<Skipped> skipped = new ArrayList<>();
    for (int i = 0; i + 1 < rows.size(); i++) {
      Row older = rows.get(i);
      Row newer = rows.get(i + 1);
      if (newer.index() == older.index()
          && newer.counter().equals(older.counter())
          && (older.status().equals("fenced") || older.status().equals("lost"))
          && older.reserved() > older.used()) {
        skipped.add(
            new Skipped(
                older.index(),
                older.reportAs(),
                newer.reportAs(),
                older.counter(),
                older.from(),
                older.used(),
                older.reserved(),
                older.reserved() - older.used()));
      }
    }
    return skipped;
  }

  /** The agent's run and index, as a reservation needs them. */
  private record Agent(String runId, int index) {}

  /** The agent, unless unknown (404), fenced or without a run (409). */
  private static Agent agent(Handle hd, String agentId) {
    String[] row =
        hd.createQuery("SELECT STATUS, RUN_ID, IDX, REASON FROM DIST_AGENTS WHERE ID = :id")
            .bind("id", agentId)
            .map(
                (rs, ctx) ->
                    new String[] {
                      rs.getString("STATUS"),
                      rs.getString("RUN_ID"),
                      rs.getString("IDX"),
                      rs.getString("REASON")
                    })
            .findOne()
            .orElseThrow(() -> Coordinator.unknownAgent(agentId));
    if (row[0].equals("fenced")) {
      throw ApiError.conflict("agent", "this agent was " + row[3] + "; it stops");
    }
    if (row[1] == null || row[2] == null) {
      throw ApiError.conflict("agent", "this agent has no run yet: poll until it gets one");
    }
    return new Agent(row[1], Integer.parseInt(row[2]));
  }
}
