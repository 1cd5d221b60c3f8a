package dev.grindstone.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.Reservation;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.Shard;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * An agent's side of the sequences its index's attempts share on the coordinator ({@code POST
 * /api/v1/agents/<id>/reserve}): its queue feeders' rows, reserved ahead of need, and its counts of
 * the iterations of phases bounded by iterations, reported. It asks once before the run starts and
 * then from a thread of its own, at least every interval and at once when a user needs more rows
 * ({@link Reservation} says how many). A request carries, for each sequence to extend or report,
 * the positions used so far and how many to reserve beyond (none for a count); the answer, where
 * this attempt started and what is reserved for it (of a count: what the server holds).
 * Thread-safe.
 */
final class Reserver implements AutoCloseable {

  private final CoordinatorClient client;
  private final String path;
  private final List<Reservation> reservations;
  private final long periodNanos;
  private final Consumer<String> say;
  private final Runnable fenced;
  private volatile Thread thread;
  private volatile boolean unsupported;
  private volatile boolean closed;

  /**
   * @param client the agent's client of the server (a patient one: the first request rides out an
   *     outage as the agent's other requests do)
   * @param agentId the agent's id on the server
   * @param period the run's interval: the reservations are looked at at least that often
   * @param fenced told when the server refuses this agent as replaced by a newer attempt
   */
  Reserver(
      CoordinatorClient client,
      String agentId,
      List<Reservation> reservations,
      Duration period,
      Consumer<String> say,
      Runnable fenced) {
    this.client = client;
    this.path = "/api/v1/agents/" + agentId + "/reserve";
    this.reservations = List.copyOf(reservations);
    this.periodNanos = period.toNanos();
    this.say = say;
    this.fenced = fenced;
  }

  /**
   * The users this agent's share of the plan may run at once, over every phase: each may take a row
   * the moment it starts an iteration, so this many rows are kept reserved at least. An open-model
   * phase counts its share of two intervals' arrivals at its highest rate, or of its users, the
   * more.
   */
  static long concurrentUsers(RunConfig config, Shard shard) {
    long most = 0;
    double periodSeconds = config.period().toNanos() / 1e9;
    for (Phase p : config.phases()) {
      long phase = 0;
      for (Phase.Load load : p.loads()) {
        int users = shard.share(load.of(load.shape().peakUsers()));
        if (load.shape() instanceof LoadShape.ArrivalRate rate) {
          double fraction = load.share() == null ? 1 : load.share().fraction();
          double perSecond = Math.max(rate.fromPerSecond(), rate.toPerSecond()) * fraction;
          users = (int) Math.max(users, Math.ceil(2 * perSecond * periodSeconds / shard.count()));
        }
        phase += users;
      }
      most = Math.max(most, phase);
    }
    return most;
  }

  /**
   * Asks for the first rows before the run starts; this attempt's reservations learn where they
   * start. A server that does not reserve (one of an older version answers 404) lets them take
   * every row from the first, as agents did before.
   *
   * @throws IOException when the server cannot be reached within the client's patience
   * @throws CoordinatorClient.Refused for any other refusal (409: this agent was replaced)
   */
  void begin() throws IOException {
    try {
      send(System.nanoTime(), true);
    } catch (CoordinatorClient.Refused e) {
      if (e.status != 404) {
        throw e;
      }
      unsupported = true;
      reservations.forEach(Reservation::unlimited);
      say.accept(
          "the server keeps no reservations (an older version): this agent takes its queue"
              + " feeders' rows from its share's first, and a replacement of it would use them"
              + " again and run a phase bounded by iterations in full");
    }
  }

  /** Keeps the reservations ahead from now on, on a daemon thread, until {@link #close}. */
  void start() {
    if (unsupported || reservations.isEmpty()) {
      return;
    }
    Thread t = Thread.ofPlatform().daemon().name("grindstone-agent-reserve").unstarted(this::loop);
    thread = t;
    reservations.forEach(r -> r.onDemand(() -> LockSupport.unpark(t)));
    t.start();
  }

  private void loop() {
    long retry = 0;
    while (!closed && !Thread.currentThread().isInterrupted()) {
      // A wake-up that came during a request was taken by the HTTP client's own wait: the flags
      // say whether a taker asked meanwhile.
      long wait =
          retry > 0
              ? retry
              : reservations.stream().anyMatch(Reservation::demanded) ? 0 : periodNanos;
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (closed) {
        return;
      }
      try {
        send(System.nanoTime(), false);
        retry = 0;
      } catch (CoordinatorClient.Refused e) {
        if (e.status == 409) {
          fenced.run();
          return;
        }
        say.accept("could not reserve rows: " + e.getMessage());
        retry = Math.min(periodNanos, 250_000_000L);
      } catch (IOException e) {
        // The server is away: users go on with the rows reserved, and wait beyond them.
        retry = Math.min(periodNanos, 250_000_000L);
      }
    }
  }

  /** Asks for what the reservations need now; every one of them when {@code all}. */
  private void send(long now, boolean all) throws IOException {
    ObjectNode body = CoordinatorClient.JSON.createObjectNode();
    ObjectNode asks = body.putObject("reserve");
    for (Reservation r : reservations) {
      long more = r.ask(now, periodNanos);
      if (more > 0 || all || r.reportDue()) {
        ObjectNode a = asks.putObject(r.key());
        a.put("used", r.used());
        a.put("ahead", more);
      }
    }
    if (asks.isEmpty()) {
      return;
    }
    JsonNode answer = client.post(path, body.toString()).path("reserved");
    for (Reservation r : reservations) {
      JsonNode a = answer.get(r.key());
      if (a != null) {
        r.answered(a.get("from").asLong(), a.get("reserved").asLong());
      }
    }
  }

  /** What the agent's summary says of its reservations. */
  List<String> notes() {
    List<String> notes = new ArrayList<>();
    for (Reservation r : reservations) {
      if (r.isCounted()) {
        continue; // the engine's note on the phase it joined says what it took up
      }
      if (!unsupported && r.from() > 0) {
        notes.add(
            "The "
                + r.key()
                + " started at row "
                + r.from()
                + " of this agent's share: earlier attempts of its index had reserved the rows"
                + " before it.");
      }
      if (r.waits() > 0) {
        notes.add(
            String.format(
                Locale.ROOT,
                "Users needed rows of the %s beyond those the server had reserved %d times, and"
                    + " waited for its answer (the longest %.1f ms).",
                r.key(),
                r.waits(),
                r.longestWaitNanos() / 1e6));
      }
    }
    return notes;
  }

  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
