package dev.grindstone.junit.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.grindstone.junit.ExecutionContext;
import dev.grindstone.junit.MonitorSession;
import dev.grindstone.junit.TestMetric;
import dev.grindstone.report.Outbox;
import dev.grindstone.report.ServerConnection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sends the session's context, session and metric rows to a metrics server over pytest-monitor's
 * protocol ({@code GET /contexts/<h>}, {@code POST /contexts/}, {@code POST /sessions/}, {@code
 * POST /metrics/}), through the reporting client's delivery policy ({@link Outbox}): a bounded
 * queue and one daemon thread, so a slow or dead server never holds up a test. Each row is tried
 * once: the local file keeps every row, and a build must not wait for a server. With {@code
 * keepGoing} the first failure prints one warning and stops sending (as pytest-monitor does);
 * without it every row is tried and every failure reported. {@link #offer} is thread-safe; {@link
 * #close} is called once, by the thread that ends the run.
 */
public final class RemoteSender implements AutoCloseable {
  private static final JsonMapper JSON = new JsonMapper();
  private static final int QUEUE_CAPACITY = 100_000;
  private static final Duration POLL = Duration.ofMillis(20);

  private final URI base;
  private final Duration timeout;
  private final Consumer<String> warn;
  private final ExecutionContext context;
  private final MonitorSession session;
  private final ServerConnection server;
  private final Outbox<TestMetric> outbox;
  // The handshake's results; the outbox's sender thread alone reads and writes them.
  private String serverContextH;
  private boolean sessionSent;

  public RemoteSender(
      URI base,
      Duration timeout,
      boolean keepGoing,
      Consumer<String> warn,
      ExecutionContext context,
      MonitorSession session) {
    this.base = base;
    this.timeout = timeout;
    this.warn = warn;
    this.context = context;
    this.session = session;
    this.server = ServerConnection.builder(base).timeouts(timeout, timeout).build();
    this.outbox =
        Outbox.builder(
                new Outbox.Endpoint<TestMetric>() {
                  @Override
                  public Outbox.Outcome open() throws InterruptedException {
                    return handshake();
                  }

                  @Override
                  public Outbox.Outcome send(List<TestMetric> batch) throws InterruptedException {
                    return sendMetric(batch.get(0));
                  }
                })
            .name("monitor-sender")
            .capacity(QUEUE_CAPACITY)
            .maxAttempts(1)
            .stopOnFailure(keepGoing)
            .pollInterval(POLL)
            .listener(
                new Outbox.Listener<>() {
                  @Override
                  public void failed(List<TestMetric> batch, String why) {
                    warn.accept(
                        keepGoing
                            ? "metrics server "
                                + base
                                + " failed ("
                                + why
                                + "); no further rows are sent,"
                                + " results stay in the local file"
                            : "metrics server " + base + " failed (" + why + ")");
                  }

                  @Override
                  public void queueFull(int capacity) {
                    warn.accept(
                        "metrics server "
                            + base
                            + " is not keeping up: "
                            + capacity
                            + " rows are waiting; further rows are kept only in the local file");
                  }
                })
            .start();
  }

  /** Queues a row; never blocks. Rows beyond the queue's capacity are dropped with one warning. */
  public void offer(TestMetric m) {
    outbox.offer(m);
  }

  /** Rows the server accepted. */
  public long sent() {
    return outbox.counters().sent();
  }

  /** Rows that could not be delivered (including those never sent after a failure). */
  public long failed() {
    return outbox.counters().failed();
  }

  /**
   * Sends what is queued, waiting at most {@code maxWait}; rows still queued then are given up with
   * a warning.
   */
  public void close(Duration maxWait) {
    boolean done;
    try {
      done = outbox.flush(maxWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    long left = outbox.counters().pending();
    outbox.close();
    if (!done) {
      warn.accept(
          "metrics server "
              + base
              + " did not take the last rows within "
              + maxWait.toSeconds()
              + " s; "
              + left
              + " rows are kept only in the local file");
    }
  }

  @Override
  public void close() {
    close(timeout.multipliedBy(3));
  }

  private Outbox.Outcome handshake() throws InterruptedException {
    try {
      if (serverContextH == null) {
        ServerConnection.Response r = server.get("/contexts/" + context.hash());
        if (r.failure() != null) {
          return Outbox.Outcome.retry(r.failure());
        }
        if (r.status() == 200) {
          JsonNode found = JSON.readTree(r.body()).path("contexts").path(0).path("h");
          if (found.isTextual()) serverContextH = found.asText();
        }
        if (serverContextH == null) {
          ServerConnection.Response created = post("/contexts/", context.toJson());
          Outbox.Outcome o = expect201("POST /contexts/", created);
          if (o != null) return o;
          JsonNode h = JSON.readTree(created.body()).path("h");
          if (!h.isTextual()) {
            return Outbox.Outcome.refused(
                "POST /contexts/ answered 201 without an \"h\" field in its JSON body");
          }
          serverContextH = h.asText();
        }
      }
      if (!sessionSent) {
        Outbox.Outcome o = expect201("POST /sessions/", post("/sessions/", session.toJson()));
        if (o != null) return o;
        sessionSent = true;
      }
      return Outbox.Outcome.delivered();
    } catch (JsonProcessingException e) {
      return Outbox.Outcome.retry(describe(e));
    }
  }

  private Outbox.Outcome sendMetric(TestMetric m) throws InterruptedException {
    if (serverContextH == null || !sessionSent) {
      Outbox.Outcome o = handshake();
      if (o.kind() != Outbox.Outcome.Kind.DELIVERED) return o;
    }
    try {
      Outbox.Outcome o = expect201("POST /metrics/", post("/metrics/", m.toJson(serverContextH)));
      return o != null ? o : Outbox.Outcome.delivered();
    } catch (JsonProcessingException e) {
      return Outbox.Outcome.refused(describe(e));
    }
  }

  private static String describe(Exception e) {
    String type = e.getClass().getSimpleName();
    return e.getMessage() == null ? type : type + ": " + e.getMessage();
  }

  private ServerConnection.Response post(String path, Map<String, Object> body)
      throws JsonProcessingException, InterruptedException {
    return server.post(path, JSON.writeValueAsString(body));
  }

  /** Null for a 201; else why not, as pytest-monitor's server must answer 201. */
  private static Outbox.Outcome expect201(String what, ServerConnection.Response r) {
    if (r.failure() != null) {
      return Outbox.Outcome.retry(r.failure());
    }
    if (r.status() != 201) {
      return Outbox.Outcome.retry(what + " answered " + r.status() + " instead of 201");
    }
    return null;
  }
}
