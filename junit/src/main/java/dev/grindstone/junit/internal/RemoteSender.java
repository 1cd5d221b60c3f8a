package dev.grindstone.junit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.grindstone.junit.ExecutionContext;
import dev.grindstone.junit.MonitorSession;
import dev.grindstone.junit.TestMetric;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends the session's context, session and metric rows to a metrics server over pytest-monitor's
 * protocol ({@code GET /contexts/<h>}, {@code POST /contexts/}, {@code POST /sessions/}, {@code
 * POST /metrics/}), from one daemon thread fed by a bounded queue, so a slow or dead server never
 * holds up a test. With {@code keepGoing} the first failure prints one warning and stops sending
 * (as pytest-monitor does); without it every row is tried and every failure reported.
 * {@link #offer} is thread-safe; {@link #close} is called once, by the thread that ends the run.
 */
public final class RemoteSender implements AutoCloseable {
  private static final JsonMapper JSON = new JsonMapper();
  private static final int QUEUE_CAPACITY = 100_000;
  private static final long POLL_NANOS = 20_000_000;

  private final URI base;
  private final Duration timeout;
  private final boolean keepGoing;
  private final Consumer<String> warn;
  private final ExecutionContext context;
  private final MonitorSession session;
  private final HttpClient http;
  private final Handoff<TestMetric> queue = new Handoff<>(QUEUE_CAPACITY, POLL_NANOS);
  private final AtomicBoolean active = new AtomicBoolean(true);
  private final AtomicBoolean queueFullWarned = new AtomicBoolean();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Thread thread;
  private volatile String serverContextH;
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
    this.keepGoing = keepGoing;
    this.warn = warn;
    this.context = context;
    this.session = session;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
    this.thread = Thread.ofPlatform().daemon().name("grindstone-monitor-sender").unstarted(this::run);
    thread.start();
  }

  /** Queues a row; never blocks. Rows beyond the queue's capacity are dropped with one warning. */
  public void offer(TestMetric m) {
    if (!active.get()) return;
    if (!queue.offer(m) && queueFullWarned.compareAndSet(false, true)) {
      warn.accept("metrics server " + base + " is not keeping up: " + QUEUE_CAPACITY
          + " rows are waiting; further rows are kept only in the local file");
    }
  }

  /** Rows the server accepted. */
  public long sent() {
    return sent.get();
  }

  /** Rows that could not be delivered (including those never sent after a failure). */
  public long failed() {
    return failed.get();
  }

  /**
   * Sends what is queued, waiting at most {@code maxWait}; rows still queued then are given up
   * with a warning.
   */
  public void close(Duration maxWait) {
    queue.close();
    try {
      thread.join(maxWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      active.set(false);
      thread.interrupt();
      int left = queue.size();
      warn.accept("metrics server " + base + " did not take the last rows within "
          + maxWait.toSeconds() + " s; " + left + " rows are kept only in the local file");
    }
  }

  @Override
  public void close() {
    close(timeout.multipliedBy(3));
  }

  private void run() {
    handshake();
    List<TestMetric> batch = new ArrayList<>();
    while (queue.drainTo(batch)) {
      for (TestMetric m : batch) {
        if (Thread.currentThread().isInterrupted()) return;
        sendMetric(m);
      }
      batch.clear();
    }
  }

  private void handshake() {
    try {
      if (serverContextH == null) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/contexts/" + context.hash())).GET());
        if (r.statusCode() == 200) {
          JsonNode found = JSON.readTree(r.body()).path("contexts").path(0).path("h");
          if (found.isTextual()) serverContextH = found.asText();
        }
        if (serverContextH == null) {
          HttpResponse<String> created = post("/contexts/", context.toJson());
          expect201("POST /contexts/", created);
          JsonNode h = JSON.readTree(created.body()).path("h");
          if (!h.isTextual()) {
            throw new ServerException("POST /contexts/ answered 201 without an \"h\" field in its JSON body");
          }
          serverContextH = h.asText();
        }
      }
      if (!sessionSent) {
        expect201("POST /sessions/", post("/sessions/", session.toJson()));
        sessionSent = true;
      }
    } catch (IOException | ServerException e) {
      fail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sendMetric(TestMetric m) {
    if (!active.get()) {
      failed.incrementAndGet();
      return;
    }
    if (serverContextH == null || !sessionSent) {
      handshake();
      if (serverContextH == null || !sessionSent) {
        failed.incrementAndGet();
        return;
      }
    }
    try {
      expect201("POST /metrics/", post("/metrics/", m.toJson(serverContextH)));
      sent.incrementAndGet();
    } catch (IOException | ServerException e) {
      failed.incrementAndGet();
      fail(e);
    } catch (InterruptedException e) {
      failed.incrementAndGet();
      Thread.currentThread().interrupt();
    }
  }

  private void fail(Exception e) {
    String why = e instanceof ServerException ? e.getMessage() : describe(e);
    if (keepGoing) {
      if (active.compareAndSet(true, false)) {
        warn.accept("metrics server " + base + " failed (" + why + "); no further rows are sent,"
            + " results stay in the local file");
        failed.addAndGet(queue.clear());
      }
    } else {
      warn.accept("metrics server " + base + " failed (" + why + ")");
    }
  }

  private static String describe(Exception e) {
    String type = e.getClass().getSimpleName();
    return e.getMessage() == null ? type : type + ": " + e.getMessage();
  }

  private HttpResponse<String> post(String path, Map<String, Object> body)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void expect201(String what, HttpResponse<String> r) throws ServerException {
    if (r.statusCode() != 201) {
      throw new ServerException(what + " answered " + r.statusCode() + " instead of 201");
    }
  }

  private URI uri(String path) {
    return URI.create(base.toString() + path);
  }

  private static final class ServerException extends Exception {
    ServerException(String message) {
      super(message, null, false, false);
    }
  }
}
