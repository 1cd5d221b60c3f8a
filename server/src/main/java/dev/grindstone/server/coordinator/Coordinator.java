package dev.grindstone.server.coordinator;

import dev.grindstone.server.store.Database;
import dev.grindstone.server.store.Jdbc;
import dev.grindstone.server.web.ApiError;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;

/**
 * The coordinator of distributed runs, its state in the store (DIST_RUNS, DIST_AGENTS) so a
 * restarted server keeps its runs: a controller uploads a run for N agents; agents register, take
 * an index of a waiting run, say they are ready, and learn the start time T, set once the last of
 * them is ready, plus a lead. Deadlines (the ready deadline, an agent's silence beyond the loss
 * timeout) are checked whenever a run is read or an agent polls, in server time.
 *
 * <p>An agent's poll, once a second, is its heartbeat: it is kept in memory, and reaches the store
 * only every {@link #HEARTBEAT_STORE_MS} (what changes an agent's or a run's state is written at
 * once), so a thousand polls a second cost reads, not writes. A restarted server knows its runs,
 * their agents and their snapshots from the store, and gives every agent a loss timeout from its
 * own start before it counts one as lost: the agents' silence while it was down is not theirs.
 * Thread-safe.
 */
public final class Coordinator {

  /** What a controller asks for. */
  public record Request(
      String name,
      int agents,
      String runFile,
      byte[] bundle,
      long readyTimeoutMs,
      long leadMs,
      String onAgentLoss,
      long lossTimeoutMs) {}

  /** What an agent says of itself when it registers. */
  public record Registration(
      String name, String version, int cores, long maxHeap, Integer index, String attempt) {}

  /** The agent process a snapshot came from, and its run as its poll sees it. */
  public record Reported(String agentId, DistRun run) {}

  /** How often a polling agent's heartbeat is written to the store at most (ms). */
  static final long HEARTBEAT_STORE_MS = 5_000;

  /** How often agents' polls check their run's deadlines at most (ms). */
  static final long POLL_CHECK_MS = 100;

  /**
   * How long a check of a run's deadlines takes the run as last read (ms), with the heartbeats
   * since: after that it reads the run again, so that what another server sharing the store changed
   * is seen.
   */
  static final long RUN_READ_MS = 1_000;

  private final Database db;
  private final Clock clock;
  private final long startedMs;

  /** The last poll of each agent (epoch ms), ahead of the store by up to HEARTBEAT_STORE_MS. */
  private final ConcurrentHashMap<String, Long> heartbeats = new ConcurrentHashMap<>();

  /** When each agent's heartbeat was last written to the store by this process (epoch ms). */
  private final ConcurrentHashMap<String, Long> stored = new ConcurrentHashMap<>();

  /** When agents' polls last checked each run's deadlines (epoch ms). */
  private final ConcurrentHashMap<String, Long> checked = new ConcurrentHashMap<>();

  /**
   * Each run as its deadlines' last check read it: its agents' polls and snapshots are answered
   * from it, and checks (its agents' and its controller's) run on it for up to {@link
   * #RUN_READ_MS}, rather than reading the store. Kept correct by {@link #forgetRuns} after every
   * write that changes a run or its agents as answers show them (heartbeats excepted: the latest is
   * taken from memory whatever the run's age).
   */
  private final ConcurrentHashMap<String, Read> lastRead = new ConcurrentHashMap<>();

  /**
   * A run as read at {@code atMs} (epoch ms), with its members by agent id.
   *
   * @param members by agent id
   */
  private record Read(DistRun run, Map<String, DistRun.Member> members, long atMs) {
    static Read of(DistRun run, long atMs) {
      Map<String, DistRun.Member> members = new HashMap<>();
      for (DistRun.Member m : run.members()) {
        members.put(m.agentId(), m);
      }
      return new Read(run, members, atMs);
    }

    /** The run with {@code agentId} alone among its members. */
    DistRun alone(String agentId) {
      DistRun.Member m = members.get(agentId);
      return run.withMembers(m == null ? List.of() : List.of(m));
    }
  }

  /** Counts {@link #forgetRuns} calls, so that a read racing with one is not kept. */
  private final AtomicLong runsForgotten = new AtomicLong();

  /**
   * The agent process reporting snapshots of a run under a name, by {@code runId + '\n' +
   * reportAs}: empty for a reporter that is no agent of a distributed run. It spares every snapshot
   * a read of the store. Kept correct by {@link #forgetReporters} after every write that fences an
   * agent or gives it a name to report as; a restarted server loads it again from the store.
   */
  private final ConcurrentHashMap<String, Optional<Reporter>> reporters = new ConcurrentHashMap<>();

  /** Counts {@link #forgetReporters} calls, so that a read racing with one is not kept. */
  private final AtomicLong reportersForgotten = new AtomicLong();

  /**
   * A run's agent process as its snapshots name it.
   *
   * @param agentId the latest registered process reporting under that name
   * @param fenced why one of them was fenced, or null
   */
  private record Reporter(String agentId, String fenced) {}

  public Coordinator(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
    this.startedMs = clock.millis();
  }

  /** Stores a run waiting for its agents; returns it. */
  public DistRun create(Request r) {
    String id = r.name().replaceAll("[^A-Za-z0-9._-]", "-");
    if (id.isEmpty() || !Character.isLetterOrDigit(id.charAt(0))) {
      id = "run" + id;
    }
    String suffix =
        "-"
            + Long.toString(clock.millis(), 36)
            + "-"
            + UUID.randomUUID().toString().substring(0, 6);
    id = (id.length() + suffix.length() > 64 ? id.substring(0, 64 - suffix.length()) : id) + suffix;
    long now = clock.millis();
    String runId = id;
    db.write(
        hd ->
            hd.createUpdate(
                    "INSERT INTO DIST_RUNS (ID, NAME, AGENTS, STATUS, RUN_FILE, BUNDLE,"
                        + " BUNDLE_SHA256, BUNDLE_BYTES, CREATED_MS, READY_DEADLINE_MS, LEAD_MS,"
                        + " START_MS, ON_AGENT_LOSS, LOSS_TIMEOUT_MS, REASON) VALUES (:id, :n, :a,"
                        + " 'waiting', :f, :b, :h, :bytes, :now, :deadline, :lead, NULL, :loss,"
                        + " :lt, NULL)")
                .bind("id", runId)
                .bind("n", r.name())
                .bind("a", r.agents())
                .bind("f", r.runFile())
                .bind("b", Base64.getEncoder().encodeToString(r.bundle()))
                .bind("h", sha256(r.bundle()))
                .bind("bytes", (long) r.bundle().length)
                .bind("now", now)
                .bind("deadline", now + r.readyTimeoutMs())
                .bind("lead", r.leadMs())
                .bind("loss", r.onAgentLoss())
                .bind("lt", r.lossTimeoutMs())
                .execute());
    return run(runId);
  }

  /** The run after its deadlines are checked. */
  public DistRun run(String id) {
    return check(id).orElseThrow(() -> unknownRun(id));
  }

  /**
   * Asks every agent of the run to stop (Ctrl-C on the controller, or an agent lost under {@code
   * fail}).
   */
  public DistRun stop(String id, String reason) {
    db.write(
        hd -> {
          hd.createUpdate(
                  "UPDATE DIST_RUNS SET STATUS = 'stopping', REASON = COALESCE(REASON, :why)"
                      + " WHERE ID = :id AND STATUS IN ('waiting', 'running')")
              .bind("id", id)
              .bind("why", reason)
              .execute();
          return null;
        });
    forgetRuns();
    return run(id);
  }

  /**
   * Registers an agent process. A process with an index and a new attempt fences the older attempts
   * of that index in unfinished runs, lost ones included (so they cannot come back): they get 409
   * from then on and stop.
   *
   * @return the agent's id
   */
  public String register(Registration r) {
    String id = UUID.randomUUID().toString();
    long now = clock.millis();
    db.write(
        hd -> {
          if (r.index() != null) {
            // Agents serve one run at a time on a server, so an index names one agent process at a
            // time.
            hd.createUpdate(
                    "UPDATE DIST_AGENTS SET STATUS = 'fenced', REASON = CASE WHEN STATUS = 'lost'"
                        + " THEN COALESCE(REASON, 'lost') || '; then ' || :why ELSE :why END WHERE"
                        + " (IDX = :i OR WANTED_INDEX = :i) AND ATTEMPT <> :at AND (STATUS = 'idle'"
                        + " OR STATUS IN ('assigned', 'ready', 'running', 'lost') AND RUN_ID IN"
                        + " (SELECT ID FROM DIST_RUNS WHERE STATUS IN ('waiting', 'running',"
                        + " 'stopping')))")
                .bind("i", r.index())
                .bind("at", r.attempt())
                .bind("why", "replaced by attempt " + r.attempt() + " of index " + r.index())
                .execute();
          }
          hd.createUpdate(
                  "INSERT INTO DIST_AGENTS (ID, NAME, VERSION, CORES, MAX_HEAP, WANTED_INDEX,"
                      + " ATTEMPT, REGISTERED_MS, LAST_SEEN_MS, RUN_ID, IDX, STATUS) VALUES (:id,"
                      + " :n, :v, :c, :h, :i, :at, :now, :now, NULL, NULL, 'idle')")
              .bind("id", id)
              .bind("n", r.name())
              .bind("v", r.version())
              .bind("c", r.cores())
              .bind("h", r.maxHeap())
              .bind("i", r.index())
              .bind("at", r.attempt())
              .bind("now", now)
              .execute();
          return null;
        });
    if (r.index() != null) {
      forgetReporters(); // it may have fenced an older attempt
      forgetRuns();
    }
    return id;
  }

  /**
   * An agent's poll: its heartbeat, and its work. An idle agent with an index first rejoins the
   * oldest running run whose attempt of that index was fenced or lost and not replaced yet (see
   * {@link #rejoin}); otherwise an idle agent takes a free index of the oldest waiting run (its own
   * index when it has one).
   *
   * @return the agent's run, or empty while there is no work
   * @throws ApiError 404 for an unknown agent, 409 for a fenced one
   */
  public Optional<DistRun> poll(String agentId) {
    long now = clock.millis();
    AgentRow seen = db.read(hd -> liveAgent(hd, agentId)); // 404 or 409 before anything is kept
    if (seen.runId != null || !seen.status.equals("idle")) {
      // Nothing to assign: a heartbeat.
      beat(agentId, now);
      return seen.runId == null ? Optional.empty() : Optional.of(polled(seen.runId, agentId, now));
    }
    heartbeats.merge(agentId, now, Math::max);
    String runId =
        db.write(
            hd -> liveAgent(hd, agentId),
            (hd, a) -> {
              hd.createUpdate("UPDATE DIST_AGENTS SET LAST_SEEN_MS = :now WHERE ID = :id")
                  .bind("id", agentId)
                  .bind("now", now)
                  .execute();
              stored.put(agentId, now);
              if (a.runId != null || !a.status.equals("idle")) {
                return a.runId;
              }
              String rejoined = rejoin(hd, agentId, a, now);
              if (rejoined != null) {
                return rejoined;
              }
              for (String run :
                  hd.createQuery(
                          "SELECT ID FROM DIST_RUNS WHERE STATUS = 'waiting' AND READY_DEADLINE_MS"
                              + " > :now ORDER BY CREATED_MS, ID")
                      .bind("now", now)
                      .mapTo(String.class)
                      .list()) {
                int n =
                    hd.createQuery("SELECT AGENTS FROM DIST_RUNS WHERE ID = :r")
                        .bind("r", run)
                        .mapTo(Integer.class)
                        .one();
                TreeSet<Integer> taken =
                    new TreeSet<>(
                        hd.createQuery(
                                "SELECT IDX FROM DIST_AGENTS WHERE RUN_ID = :r"
                                    + " AND STATUS IN ('assigned', 'ready', 'running', 'done')")
                            .bind("r", run)
                            .mapTo(Integer.class)
                            .list());
                Integer index = null;
                if (a.wantedIndex != null) {
                  if (a.wantedIndex < n && !taken.contains(a.wantedIndex)) {
                    index = a.wantedIndex;
                  }
                } else {
                  for (int i = 0; i < n && index == null; i++) {
                    if (!taken.contains(i)) {
                      index = i;
                    }
                  }
                }
                if (index != null) {
                  String reportAs = index + "." + a.attempt.replaceAll("[^A-Za-z0-9._-]", "_");
                  hd.createUpdate(
                          "UPDATE DIST_AGENTS SET RUN_ID = :r, IDX = :i, STATUS = 'assigned',"
                              + " REPORT_AS = :as WHERE ID = :id")
                      .bind("r", run)
                      .bind("i", index)
                      .bind("as", reportAs.length() > 256 ? reportAs.substring(0, 256) : reportAs)
                      .bind("id", agentId)
                      .execute();
                  return run;
                }
              }
              return null;
            });
    if (runId == null) {
      return Optional.empty();
    }
    forgetReporters(); // the agent has a name to report as now
    forgetRuns();
    return Optional.of(run(runId));
  }

  /** An agent's heartbeat: kept in memory, and stored only every HEARTBEAT_STORE_MS. */
  private void beat(String agentId, long now) {
    heartbeats.merge(agentId, now, Math::max);
    if (now - stored.getOrDefault(agentId, Long.MIN_VALUE / 2) >= HEARTBEAT_STORE_MS) {
      stored.put(agentId, now);
      forgetOld(now);
      // Plain JDBC: a hundred agents make twenty of these a second.
      db.write(
          hd ->
              Jdbc.update(
                  hd,
                  "UPDATE DIST_AGENTS SET LAST_SEEN_MS = ? WHERE ID = ? AND LAST_SEEN_MS < ?",
                  ps -> {
                    ps.setLong(1, now);
                    ps.setString(2, agentId);
                    ps.setLong(3, now);
                  }));
    }
  }

  /**
   * Gives a replacement agent its index of a run in progress: the oldest running run where that
   * index has no live or finished attempt ({@code assigned}, {@code ready}, {@code running}, {@code
   * done}) but one fenced (by this agent's registration, say) or lost. A lost agent under {@code
   * on_agent_loss: fail} has stopped its run already, so there a replacement can only fence a
   * stalled attempt before the loss timeout; under {@code continue} it may come later. The agent
   * then joins at the plan's current point; the span the index missed is the run's gap.
   *
   * @return the run, or null when there is none to rejoin
   */
  private static String rejoin(Handle hd, String agentId, AgentRow a, long now) {
    if (a.wantedIndex == null) {
      return null;
    }
    String run =
        hd.createQuery(
                "SELECT R.ID FROM DIST_RUNS R WHERE R.STATUS = 'running' AND R.START_MS IS NOT"
                    + " NULL AND :i < R.AGENTS AND EXISTS (SELECT 1 FROM DIST_AGENTS G WHERE"
                    + " G.RUN_ID = R.ID AND G.IDX = :i AND G.STATUS IN ('fenced', 'lost')) AND"
                    + " NOT EXISTS (SELECT 1 FROM DIST_AGENTS L WHERE L.RUN_ID = R.ID AND L.IDX"
                    + " = :i AND L.STATUS IN ('assigned', 'ready', 'running', 'done')) ORDER BY"
                    + " R.CREATED_MS, R.ID")
            .bind("i", a.wantedIndex)
            .mapTo(String.class)
            .findFirst()
            .orElse(null);
    if (run == null) {
      return null;
    }
    String reportAs = a.wantedIndex + "." + a.attempt.replaceAll("[^A-Za-z0-9._-]", "_");
    hd.createUpdate(
            "UPDATE DIST_AGENTS SET RUN_ID = :r, IDX = :i, STATUS = 'assigned', REPORT_AS = :as,"
                + " JOINED_MS = :now WHERE ID = :id")
        .bind("r", run)
        .bind("i", a.wantedIndex)
        .bind("as", reportAs.length() > 256 ? reportAs.substring(0, 256) : reportAs)
        .bind("now", now)
        .bind("id", agentId)
        .execute();
    return run;
  }

  /**
   * Forgets what is kept in memory of agents and runs not heard of for an hour, once there are
   * many: agents come and go over a server's life. What matters is in the store.
   */
  private void forgetOld(long now) {
    if (heartbeats.size() + checked.size() > 10_000) {
      heartbeats.values().removeIf(t -> now - t > 3_600_000);
      stored.values().removeIf(t -> now - t > 3_600_000);
      checked.values().removeIf(t -> now - t > 3_600_000);
      lastRead.keySet().retainAll(checked.keySet());
    }
  }

  /**
   * The run as a poll of one of its agents sees it: its deadlines checked every {@link
   * #POLL_CHECK_MS} at most (every read of the run by a controller checks them too); in between the
   * run as last read, with the polling agent alone, so a hundred agents' polls do not each read
   * every agent of the run.
   *
   * @return the run, its members only the polling agent unless its deadlines were checked
   */
  private DistRun polled(String runId, String agentId, long now) {
    Long last = checked.get(runId);
    if (last == null || now - last >= POLL_CHECK_MS || now < last) {
      checked.put(runId, now);
      return run(runId);
    }
    Read known = lastRead.get(runId);
    if (known != null) {
      return withHeartbeats(known.alone(agentId));
    }
    return db.read(hd -> load(hd, runId, agentId))
        .map(this::withHeartbeats)
        .orElseThrow(() -> unknownRun(runId));
  }

  /** The bundle of the agent's run, checked against the digest stored with it. */
  public byte[] bundle(String agentId) {
    return db.read(
        hd -> {
          AgentRow a = agent(hd, agentId);
          if (a.runId == null) {
            throw ApiError.conflict("agent", "this agent has no run yet: poll until it gets one");
          }
          String b64 =
              hd.createQuery("SELECT BUNDLE FROM DIST_RUNS WHERE ID = :r")
                  .bind("r", a.runId)
                  .mapTo(String.class)
                  .one();
          return Base64.getDecoder().decode(b64);
        });
  }

  /**
   * The agent is ready: its run's files are in place and its clock offset measured. When it is the
   * last of its run's agents, the run's start time is set: now plus the lead.
   */
  public DistRun ready(String agentId, double clockOffsetMs, double clockRttMs) {
    long now = clock.millis();
    String runId =
        db.write(
            hd -> assignedAgent(hd, agentId),
            (hd, a) -> {
              hd.createUpdate(
                      "UPDATE DIST_AGENTS SET STATUS = 'ready', CLOCK_OFFSET_MS = :o, CLOCK_RTT_MS"
                          + " = :rtt, LAST_SEEN_MS = :now WHERE ID = :id AND STATUS = 'assigned'")
                  .bind("o", clockOffsetMs)
                  .bind("rtt", clockRttMs)
                  .bind("now", now)
                  .bind("id", agentId)
                  .execute();
              int n =
                  hd.createQuery("SELECT AGENTS FROM DIST_RUNS WHERE ID = :r")
                      .bind("r", a.runId)
                      .mapTo(Integer.class)
                      .one();
              int ready =
                  hd.createQuery(
                          "SELECT COUNT(*) FROM DIST_AGENTS WHERE RUN_ID = :r AND STATUS = 'ready'")
                      .bind("r", a.runId)
                      .mapTo(Integer.class)
                      .one();
              // A replacement joining a run in progress runs at once, from the plan's current
              // point.
              hd.createUpdate(
                      "UPDATE DIST_AGENTS SET STATUS = 'running' WHERE ID = :id AND STATUS ="
                          + " 'ready' AND JOINED_MS IS NOT NULL AND RUN_ID IN (SELECT ID FROM"
                          + " DIST_RUNS WHERE STATUS = 'running')")
                  .bind("id", agentId)
                  .execute();
              if (ready == n) {
                hd.createUpdate(
                        "UPDATE DIST_RUNS SET STATUS = 'running', START_MS = :now + LEAD_MS"
                            + " WHERE ID = :r AND STATUS = 'waiting'")
                    .bind("r", a.runId)
                    .bind("now", now)
                    .execute();
                hd.createUpdate(
                        "UPDATE DIST_AGENTS SET STATUS = 'running' WHERE RUN_ID = :r AND STATUS ="
                            + " 'ready'")
                    .bind("r", a.runId)
                    .execute();
              }
              return a.runId;
            });
    forgetRuns();
    return run(runId);
  }

  /**
   * One measure of an agent's clock against the server's, taken again while its run goes on.
   *
   * @param atMs when the server received it, epoch ms
   * @param offsetMs server time minus the agent's clock, ms
   * @param rttMs the best round trip of the measure, ms (the offset's error is at most half)
   */
  public record ClockSample(long atMs, double offsetMs, double rttMs) {}

  /** Keeps a measure of the agent's clock, taken while its run goes on, with the run's offsets. */
  public void clockSample(String agentId, double offsetMs, double rttMs) {
    long now = clock.millis();
    db.write(
        hd -> assignedAgent(hd, agentId),
        (hd, a) ->
            hd.createUpdate(
                    "INSERT INTO DIST_CLOCK_SAMPLES (AGENT_ID, AT_MS, OFFSET_MS, RTT_MS)"
                        + " VALUES (:id, :at, :o, :rtt)")
                .bind("id", agentId)
                .bind("at", now)
                .bind("o", offsetMs)
                .bind("rtt", rttMs)
                .execute());
  }

  /** The measures of the clocks of a run's agents taken while it ran, by agent id, oldest first. */
  public Map<String, List<ClockSample>> clockSamples(String runId) {
    Map<String, List<ClockSample>> all = new LinkedHashMap<>();
    // Plain JDBC: a controller reads these four times a second, a row a minute for each agent.
    db.read(
            hd ->
                Jdbc.list(
                    hd,
                    "SELECT S.AGENT_ID, S.AT_MS, S.OFFSET_MS, S.RTT_MS FROM DIST_CLOCK_SAMPLES S"
                        + " JOIN DIST_AGENTS A ON A.ID = S.AGENT_ID WHERE A.RUN_ID = ? ORDER BY"
                        + " S.AGENT_ID, S.AT_MS",
                    ps -> ps.setString(1, runId),
                    rs ->
                        Map.entry(
                            rs.getString("AGENT_ID"),
                            new ClockSample(
                                rs.getLong("AT_MS"),
                                rs.getDouble("OFFSET_MS"),
                                rs.getDouble("RTT_MS")))))
        .forEach(e -> all.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
    return all;
  }

  /**
   * A span of the run one index did not cover: from the end of its older attempt's last accepted
   * snapshot (or the run's start) to the start of its replacement's first (null while it has
   * reported none yet).
   *
   * @param fromMs server time, epoch ms
   * @param toMs server time, epoch ms, or null
   */
  public record Gap(int index, String before, String after, long fromMs, Long toMs) {}

  /** The gaps of the run's indexes that a replacement rejoined, by index and time. */
  public List<Gap> gaps(String runId) {
    return db.read(
        hd ->
            hd.createQuery(
                    "SELECT N.IDX, O.REPORT_AS AS BEFORE_AS, N.REPORT_AS AS AFTER_AS,"
                        + " COALESCE((SELECT MAX(S.END_MS) FROM RUN_SNAPSHOTS S WHERE S.RUN_ID ="
                        + " N.RUN_ID AND S.AGENT = O.REPORT_AS), R.START_MS) AS FROM_MS, (SELECT"
                        + " MIN(S.START_MS) FROM RUN_SNAPSHOTS S WHERE S.RUN_ID = N.RUN_ID AND"
                        + " S.AGENT = N.REPORT_AS) AS TO_MS FROM DIST_AGENTS N JOIN DIST_RUNS R ON"
                        + " R.ID = N.RUN_ID JOIN DIST_AGENTS O ON O.RUN_ID = N.RUN_ID AND O.IDX ="
                        + " N.IDX AND O.STATUS IN ('fenced', 'lost') AND O.REGISTERED_MS <="
                        + " N.REGISTERED_MS AND O.ID <> N.ID WHERE N.RUN_ID = :r AND N.JOINED_MS"
                        + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM DIST_AGENTS M WHERE"
                        + " M.RUN_ID = N.RUN_ID AND M.IDX = N.IDX AND M.ID <> O.ID AND M.ID <>"
                        + " N.ID AND M.REGISTERED_MS > O.REGISTERED_MS AND M.REGISTERED_MS <="
                        + " N.REGISTERED_MS) ORDER BY N.IDX, N.REGISTERED_MS")
                .bind("r", runId)
                .map(
                    (rs, ctx) ->
                        new Gap(
                            rs.getInt("IDX"),
                            rs.getString("BEFORE_AS"),
                            rs.getString("AFTER_AS"),
                            rs.getLong("FROM_MS"),
                            Jdbc.nullableLong(rs, "TO_MS")))
                .list());
  }

  /** The agent's final cumulative figures: its part of the run is done. */
  public DistRun total(String agentId, String totalJson) {
    long now = clock.millis();
    String runId =
        db.write(
            hd -> assignedAgent(hd, agentId),
            (hd, a) -> {
              hd.createUpdate(
                      "UPDATE DIST_AGENTS SET STATUS = 'done', TOTAL = :t, LAST_SEEN_MS = :now"
                          + " WHERE ID = :id")
                  .bind("t", totalJson)
                  .bind("now", now)
                  .bind("id", agentId)
                  .execute();
              finishIfDone(hd, a.runId);
              return a.runId;
            });
    forgetRuns();
    return run(runId);
  }

  /** Keeps the agent's data log (gzip), replacing one it sent before; a fenced attempt's too. */
  public void dataLog(String agentId, byte[] gzip) {
    db.write(
        // A fenced attempt's too: its calls up to the fence are in the run's figures, and its log
        // is the record of them (and of the few it made after, which are not).
        hd -> withRun(agent(hd, agentId)),
        (hd, a) -> {
          int index =
              hd.createQuery("SELECT IDX FROM DIST_AGENTS WHERE ID = :id")
                  .bind("id", agentId)
                  .mapTo(Integer.class)
                  .one();
          hd.createUpdate("DELETE FROM DIST_DATA_LOGS WHERE AGENT_ID = :id")
              .bind("id", agentId)
              .execute();
          hd.createUpdate(
                  "INSERT INTO DIST_DATA_LOGS (AGENT_ID, RUN_ID, IDX, GZIP, BYTES) VALUES (:id, :r,"
                      + " :i, :g, :b)")
              .bind("id", agentId)
              .bind("r", a.runId)
              .bind("i", index)
              .bind("g", Base64.getEncoder().encodeToString(gzip))
              .bind("b", (long) gzip.length)
              .execute();
          return null;
        });
  }

  /**
   * The data log (gzip) of the agent process {@code agentId} of run {@code runId}, if it sent one.
   */
  public Optional<byte[]> dataLog(String runId, String agentId) {
    return db.read(
        hd ->
            hd.createQuery("SELECT GZIP FROM DIST_DATA_LOGS WHERE RUN_ID = :r AND AGENT_ID = :a")
                .bind("r", runId)
                .bind("a", agentId)
                .mapTo(String.class)
                .findOne()
                .map(Base64.getDecoder()::decode));
  }

  /**
   * Refuses a snapshot of a fenced agent (409): an older attempt replaced by a newer one of its
   * index. Snapshots of anything else, distributed or not, pass. Answered from memory once the
   * reporter is known.
   */
  public void checkReporter(String runId, String reportAs) {
    Optional<Reporter> r = reporter(runId, reportAs);
    if (r.isPresent() && r.get().fenced() != null) {
      throw ApiError.conflict(
          "agent",
          "agent " + reportAs + " was " + r.get().fenced() + "; its snapshots are refused");
    }
  }

  /**
   * A snapshot taken from an agent of a distributed run is its heartbeat, as a poll is, and is
   * answered as its poll would be: the agent need not poll as well while its snapshots come every
   * second. Its reporter is known from memory (refused before the snapshot was stored when fenced),
   * so this costs no read of the agent.
   *
   * @return the agent process and its run, as its poll would see it; empty when the reporter is no
   *     agent of a distributed run
   */
  public Optional<Reported> reported(String runId, String reportAs) {
    Optional<Reporter> r = reporter(runId, reportAs);
    if (r.isEmpty() || r.get().fenced() != null) {
      return Optional.empty();
    }
    String agentId = r.get().agentId();
    long now = clock.millis();
    beat(agentId, now);
    return Optional.of(new Reported(agentId, polled(runId, agentId, now)));
  }

  private Optional<Reporter> reporter(String runId, String reportAs) {
    String key = runId + '\n' + reportAs;
    Optional<Reporter> known = reporters.get(key);
    if (known != null) {
      return known;
    }
    long forgotten = reportersForgotten.get();
    Optional<Reporter> read =
        db.read(
            hd -> {
              String latest = null;
              String fenced = null;
              for (String[] row :
                  hd.createQuery(
                          "SELECT ID, STATUS, REASON FROM DIST_AGENTS WHERE RUN_ID = :r AND"
                              + " REPORT_AS = :a ORDER BY REGISTERED_MS DESC, ID")
                      .bind("r", runId)
                      .bind("a", reportAs)
                      .map(
                          (rs, c) ->
                              new String[] {
                                rs.getString("ID"), rs.getString("STATUS"), rs.getString("REASON")
                              })
                      .list()) {
                latest = latest == null ? row[0] : latest;
                if (fenced == null && row[1].equals("fenced")) {
                  fenced = row[2];
                }
              }
              return latest == null ? Optional.empty() : Optional.of(new Reporter(latest, fenced));
            });
    if (reporters.size() > 10_000) {
      reporters.clear(); // reporters come and go over a server's life; the store knows them all
    }
    reporters.put(key, read);
    if (reportersForgotten.get() != forgotten) {
      reporters.remove(key); // read before a write that may have changed it: read it again
    }
    return read;
  }

  /** After a write that fences an agent or names one in a run (then committed). */
  private void forgetReporters() {
    reportersForgotten.incrementAndGet();
    reporters.clear();
  }

  /**
   * After a write that changes a run or its agents other than their heartbeats (then committed).
   */
  private void forgetRuns() {
    runsForgotten.incrementAndGet();
    lastRead.clear();
  }

  /** Keeps the run as a check read it, unless a write may have changed it since the read began. */
  private Optional<DistRun> remember(String id, long forgotten, long now, Optional<DistRun> read) {
    if (read.isPresent()) {
      lastRead.put(id, Read.of(read.get(), now));
      if (runsForgotten.get() != forgotten) {
        lastRead.remove(id);
      }
    }
    return read;
  }

  // ------------------------------------------------------------------ deadlines

  /**
   * Applies the run's deadlines at the server's time (the ready deadline, and agents gone silent)
   * and returns the run. It reads first (or takes the run as read less than {@link #RUN_READ_MS}
   * ago) and writes only when a deadline has passed, so reading a run costs no write.
   */
  private Optional<DistRun> check(String id) {
    long now = clock.millis();
    Read known = lastRead.get(id);
    if (known != null && now >= known.atMs() && now - known.atMs() < RUN_READ_MS) {
      // Read less than a second ago, and unchanged by this server since: its deadlines are
      // checked on it, with the heartbeats since.
      DistRun r = withHeartbeats(known.run());
      if (!due(r, now)) {
        return Optional.of(r);
      }
    }
    long forgotten = runsForgotten.get();
    Optional<DistRun> seen = db.read(hd -> load(hd, id)).map(this::withHeartbeats);
    if (seen.isEmpty() || !due(seen.get(), now)) {
      return remember(id, forgotten, now, seen);
    }
    db.write(
        hd -> {
          Optional<DistRun> maybe = load(hd, id).map(this::withHeartbeats);
          if (maybe.isEmpty()) {
            return null;
          }
          DistRun r = maybe.get();
          if (r.status().equals("waiting") && now >= r.readyDeadlineMs()) {
            List<String> joined = new ArrayList<>();
            TreeSet<Integer> missing = new TreeSet<>();
            for (int i = 0; i < r.agents(); i++) {
              missing.add(i);
            }
            for (DistRun.Member m : r.members()) {
              if (!m.status().equals("fenced") && !m.status().equals("lost")) {
                joined.add(m.index() + " (" + m.name() + ", " + m.status() + ")");
                if (m.status().equals("ready")) {
                  missing.remove(m.index());
                }
              }
            }
            String why =
                "the ready deadline passed with "
                    + (r.agents() - missing.size())
                    + " of "
                    + r.agents()
                    + " agents ready; joined: "
                    + (joined.isEmpty() ? "none" : String.join(", ", joined))
                    + "; missing (not ready): "
                    + missing;
            hd.createUpdate(
                    "UPDATE DIST_RUNS SET STATUS = 'failed', REASON = :why WHERE ID = :id AND"
                        + " STATUS = 'waiting'")
                .bind("why", why)
                .bind("id", id)
                .execute();
            return null;
          }
          if (r.status().equals("running") || r.status().equals("stopping")) {
            for (DistRun.Member m : r.members()) {
              if (!silent(r, m, now)) {
                continue;
              }
              String why =
                  "lost: no word for "
                      + (now - m.lastSeenMs())
                      + " ms (loss timeout "
                      + r.lossTimeoutMs()
                      + " ms), last at "
                      + m.lastSeenMs();
              hd.createUpdate(
                      "UPDATE DIST_AGENTS SET STATUS = 'lost', REASON = :why WHERE ID = :id")
                  .bind("why", why)
                  .bind("id", m.agentId())
                  .execute();
              if (r.onAgentLoss().equals("fail")) {
                hd.createUpdate(
                        "UPDATE DIST_RUNS SET STATUS = 'stopping', REASON = COALESCE(REASON, :why)"
                            + " WHERE ID = :id AND STATUS = 'running'")
                    .bind(
                        "why",
                        "agent "
                            + m.index()
                            + " ("
                            + m.name()
                            + ") "
                            + why
                            + "; on_agent_loss: fail stops the run")
                    .bind("id", id)
                    .execute();
              }
            }
            finishIfDone(hd, id);
          }
          return null;
        });
    forgetRuns();
    long after = runsForgotten.get();
    return remember(id, after, now, db.read(hd -> load(hd, id)).map(this::withHeartbeats));
  }

  /** True when {@link #check} has something to write: a deadline passed, or the run is over. */
  private boolean due(DistRun r, long now) {
    if (r.status().equals("waiting")) {
      return now >= r.readyDeadlineMs();
    }
    if (!r.status().equals("running") && !r.status().equals("stopping")) {
      return false;
    }
    TreeSet<Integer> settled = new TreeSet<>();
    boolean live = false;
    for (DistRun.Member m : r.members()) {
      if (silent(r, m, now)) {
        return true;
      }
      switch (m.status()) {
        case "done", "lost", "fenced" -> settled.add(m.index());
        case "assigned", "ready", "running" -> live = true;
        default -> {}
      }
    }
    return !live && settled.size() >= r.agents();
  }

  /**
   * An agent that has not been heard of for longer than the loss timeout, counted from this
   * server's start at the earliest: while the server was down, no agent could reach it.
   */
  private boolean silent(DistRun r, DistRun.Member m, long now) {
    return (m.status().equals("running") || m.status().equals("ready"))
        && now - Math.max(m.lastSeenMs(), startedMs) > r.lossTimeoutMs();
  }

  /** The run with its members' last polls as this server saw them (ahead of the store). */
  private DistRun withHeartbeats(DistRun r) {
    List<DistRun.Member> members = new ArrayList<>(r.members().size());
    for (DistRun.Member m : r.members()) {
      Long polled = heartbeats.get(m.agentId());
      members.add(
          polled == null || polled <= m.lastSeenMs()
              ? m
              : new DistRun.Member(
                  m.agentId(),
                  m.index(),
                  m.name(),
                  m.attempt(),
                  m.version(),
                  m.cores(),
                  m.maxHeap(),
                  m.status(),
                  m.reportAs(),
                  m.registeredMs(),
                  polled,
                  m.clockOffsetMs(),
                  m.clockRttMs(),
                  m.total(),
                  m.reason()));
    }
    return r.withMembers(members);
  }

  /** A run whose every index has a final total, or is lost, is done. */
  private static void finishIfDone(Handle hd, String runId) {
    int n =
        hd.createQuery("SELECT AGENTS FROM DIST_RUNS WHERE ID = :r")
            .bind("r", runId)
            .mapTo(Integer.class)
            .one();
    int settled =
        hd.createQuery(
                "SELECT COUNT(DISTINCT IDX) FROM DIST_AGENTS WHERE RUN_ID = :r"
                    + " AND STATUS IN ('done', 'lost', 'fenced')")
            .bind("r", runId)
            .mapTo(Integer.class)
            .one();
    int live =
        hd.createQuery(
                "SELECT COUNT(*) FROM DIST_AGENTS WHERE RUN_ID = :r"
                    + " AND STATUS IN ('assigned', 'ready', 'running')")
            .bind("r", runId)
            .mapTo(Integer.class)
            .one();
    if (settled >= n && live == 0) {
      hd.createUpdate(
              "UPDATE DIST_RUNS SET STATUS = 'done' WHERE ID = :r AND STATUS IN ('running',"
                  + " 'stopping')")
          .bind("r", runId)
          .execute();
    }
  }

  // ------------------------------------------------------------------ rows

  private record AgentRow(
      String status, String runId, Integer wantedIndex, String attempt, String reason) {}

  /** The agent, unless it was fenced (409). */
  private static AgentRow liveAgent(Handle hd, String agentId) {
    AgentRow a = agent(hd, agentId);
    if (a.status.equals("fenced")) {
      throw ApiError.conflict("agent", "this agent was " + a.reason + "; it stops");
    }
    return a;
  }

  /** The agent, unless fenced, with a run (409 otherwise). */
  private static AgentRow assignedAgent(Handle hd, String agentId) {
    return withRun(liveAgent(hd, agentId));
  }

  /** The agent, when it has a run (409 otherwise). */
  private static AgentRow withRun(AgentRow a) {
    if (a.runId == null) {
      throw ApiError.conflict("agent", "this agent has no run yet: poll until it gets one");
    }
    return a;
  }

  private static AgentRow agent(Handle hd, String agentId) {
    return hd.createQuery(
            "SELECT STATUS, RUN_ID, WANTED_INDEX, ATTEMPT, REASON FROM DIST_AGENTS WHERE ID = :id")
        .bind("id", agentId)
        .map(
            (rs, ctx) ->
                new AgentRow(
                    rs.getString("STATUS"),
                    rs.getString("RUN_ID"),
                    Jdbc.nullableInt(rs, "WANTED_INDEX"),
                    rs.getString("ATTEMPT"),
                    rs.getString("REASON")))
        .findOne()
        .orElseThrow(() -> unknownAgent(agentId));
  }

  /** 404 for an agent id this server does not know. */
  static ApiError unknownAgent(String agentId) {
    return ApiError.notFound(
        "agent",
        "no agent "
            + agentId
            + " is registered here: register with"
            + " POST /api/v1/agents (a restarted agent registers again)");
  }

  private static Optional<DistRun> load(Handle hd, String id) {
    return load(hd, id, null);
  }

  /** The run with every agent, or only {@code onlyAgent} when it is not null. */
  private static Optional<DistRun> load(Handle hd, String id, String onlyAgent) {
    var query =
        hd.createQuery(
                "SELECT * FROM DIST_AGENTS WHERE RUN_ID = :r"
                    + (onlyAgent == null ? "" : " AND ID = :a")
                    + " ORDER BY IDX, REGISTERED_MS")
            .bind("r", id);
    if (onlyAgent != null) {
      query.bind("a", onlyAgent);
    }
    List<DistRun.Member> members = query.map((rs, ctx) -> member(rs)).list();
    return hd.createQuery(
            "SELECT ID, NAME, AGENTS, STATUS, RUN_FILE, BUNDLE_SHA256, BUNDLE_BYTES, CREATED_MS,"
                + " READY_DEADLINE_MS, LEAD_MS, START_MS, ON_AGENT_LOSS, LOSS_TIMEOUT_MS, REASON"
                + " FROM DIST_RUNS WHERE ID = :id")
        .bind("id", id)
        .map(
            (rs, ctx) ->
                new DistRun(
                    rs.getString("ID"),
                    rs.getString("NAME"),
                    rs.getInt("AGENTS"),
                    rs.getString("STATUS"),
                    rs.getString("RUN_FILE"),
                    rs.getString("BUNDLE_SHA256"),
                    rs.getLong("BUNDLE_BYTES"),
                    rs.getLong("CREATED_MS"),
                    rs.getLong("READY_DEADLINE_MS"),
                    rs.getLong("LEAD_MS"),
                    Jdbc.nullableLong(rs, "START_MS"),
                    rs.getString("ON_AGENT_LOSS"),
                    rs.getLong("LOSS_TIMEOUT_MS"),
                    rs.getString("REASON"),
                    members))
        .findOne();
  }

  private static DistRun.Member member(ResultSet rs) throws SQLException {
    return new DistRun.Member(
        rs.getString("ID"),
        rs.getInt("IDX"),
        rs.getString("NAME"),
        rs.getString("ATTEMPT"),
        rs.getString("VERSION"),
        rs.getInt("CORES"),
        rs.getLong("MAX_HEAP"),
        rs.getString("STATUS"),
        rs.getString("REPORT_AS"),
        rs.getLong("REGISTERED_MS"),
        rs.getLong("LAST_SEEN_MS"),
        Jdbc.nullableDouble(rs, "CLOCK_OFFSET_MS"),
        Jdbc.nullableDouble(rs, "CLOCK_RTT_MS"),
        rs.getString("TOTAL"),
        rs.getString("REASON"));
  }

  private static ApiError unknownRun(String id) {
    return ApiError.notFound("id", "no distributed run " + id);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
