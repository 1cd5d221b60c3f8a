package dev.grindstone.prometheus.internal;

import dev.grindstone.prometheus.HistogramMode;
import dev.grindstone.prometheus.RemoteWriteReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.xerial.snappy.Snappy;

/**
 * Delivers periods' points to a remote-write receiver from a thread of its own, oldest first.
 *
 * <p>A period waits in a buffer bounded by samples. A failed request (no connection, a time-out, a
 * 5xx or 429 answer) is tried again after 0.1 s, then twice as long each time up to 5 s, while new
 * periods queue behind it; a full buffer drops its oldest periods not being sent, and counts their
 * samples. A 4xx answer other than 429 is final: the request's samples are dropped and counted.
 * Since every value is cumulative, a dropped period costs time resolution, and the totals a later
 * period carries still arrive. Backlogged periods go together, up to a request size.
 *
 * <p>Thread-safe: {@link #offer} from the run's sink thread, {@link #finish} once at the end.
 */
public final class Sender {

  /** One period's points, stamped with its end. */
  public record Batch(long endMillis, List<Point> points) {}

  private static final long FIRST_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private final URI url;
  private final String authorization;
  private final HttpClient client;
  private final Duration requestTimeout;
  private final int maxPendingSamples;
  private final int maxRequestSamples;
  private final List<Encoder.Family> families;
  private final Consumer<String> notices;
  private final boolean auto;
  private final Thread thread;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Batch> queue = new ArrayList<>();
  private int inFlight;
  private long pendingSamples;
  private boolean nativeHistograms;
  private boolean stopping;
  private long deadlineNanos;
  private long requests;
  private long samples;
  private long droppedSamples;
  private long droppedBatches;
  private String lastProblem;

  /**
   * @param authorization an {@code Authorization} header value, or null
   * @param notices told, once each, of what the run's user should know (a switch to classic
   *     buckets)
   */
  public Sender(
      URI url,
      String authorization,
      HistogramMode mode,
      Duration requestTimeout,
      int maxPendingSamples,
      int maxRequestSamples,
      List<Encoder.Family> families,
      Consumer<String> notices) {
    this.url = url;
    this.authorization = authorization;
    this.requestTimeout = requestTimeout;
    this.maxPendingSamples = maxPendingSamples;
    this.maxRequestSamples = maxRequestSamples;
    this.families = List.copyOf(families);
    this.notices = notices;
    this.auto = mode == HistogramMode.AUTO;
    this.nativeHistograms = mode != HistogramMode.CLASSIC;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.thread =
        Thread.ofPlatform().daemon().name("grindstone-remote-write").unstarted(this::loop);
  }

  public void start() {
    thread.start();
  }

  /**
   * Queues a period; when the buffer is then over its bound, the oldest periods not being sent go.
   */
  public void offer(Batch batch) {
    lock.lock();
    try {
      queue.add(batch);
      pendingSamples += samples(batch);
      while (pendingSamples > maxPendingSamples && queue.size() > inFlight + 1) {
        drop(queue.remove(inFlight));
        lastProblem =
            lastProblem == null
                ? "the buffer of " + maxPendingSamples + " samples was full"
                : lastProblem;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Delivers what is queued for up to {@code wait}, then stops; what is still queued is dropped and
   * counted.
   */
  public RemoteWriteReport finish(Duration wait) {
    lock.lock();
    try {
      stopping = true;
      deadlineNanos = System.nanoTime() + wait.toNanos();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(wait.toMillis() + 200);
      if (thread.isAlive()) {
        thread.interrupt(); // a request still in flight at the deadline
        thread.join(2_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      if (!queue.isEmpty()) {
        lastProblem =
            (lastProblem == null ? "" : lastProblem + "; ")
                + "not delivered within "
                + wait.toMillis()
                + " ms of the run's end";
        while (!queue.isEmpty()) {
          drop(queue.removeFirst());
        }
      }
      return new RemoteWriteReport(
          requests,
          samples,
          droppedSamples,
          droppedBatches,
          nativeHistograms ? HistogramMode.NATIVE : HistogramMode.CLASSIC,
          lastProblem);
    } finally {
      lock.unlock();
    }
  }

  private int samples(Batch b) {
    int n = 0;
    for (Point p : b.points()) {
      n += p.samples(nativeHistograms);
    }
    return n;
  }

  private void drop(Batch b) {
    int n = samples(b);
    pendingSamples -= n;
    droppedSamples += n;
    droppedBatches++;
  }

  private void loop() {
    long backoff = FIRST_BACKOFF_MILLIS;
    while (true) {
      List<Batch> sending = new ArrayList<>();
      boolean asNative;
      lock.lock();
      try {
        while (queue.isEmpty() && !stopping) {
          changed.awaitUninterruptibly();
        }
        if (queue.isEmpty() || (stopping && System.nanoTime() - deadlineNanos >= 0)) {
          return;
        }
        int n = 0;
        for (Batch b : queue) {
          int s = samples(b);
          if (!sending.isEmpty() && n + s > maxRequestSamples) {
            break;
          }
          sending.add(b);
          n += s;
        }
        inFlight = sending.size();
        asNative = nativeHistograms;
      } finally {
        lock.unlock();
      }
      List<Point> points = new ArrayList<>();
      for (Batch b : sending) {
        points.addAll(b.points());
      }
      Outcome outcome = post(Encoder.encode(points, asNative, families).toByteArray());
      lock.lock();
      try {
        inFlight = 0;
        switch (outcome) {
          case Outcome.Delivered d -> {
            for (Batch b : sending) {
              int s = samples(b);
              pendingSamples -= s;
              samples += s;
            }
            queue
                .subList(0, sending.size())
                .clear(); // still the head: offer() never drops what is in flight
            requests++;
            backoff = FIRST_BACKOFF_MILLIS;
          }
          // Prometheus without native histograms answers 500 "native histograms are disabled" and
          // stores nothing of the request: the same periods go again, as classic buckets.
          case Outcome.Failed r when auto && asNative && refusesNativeHistograms(r.why()) ->
              fallBackToClassic(r.why());
          case Outcome.Refused r when auto && asNative && refusesNativeHistograms(r.why()) ->
              fallBackToClassic(r.why());
          case Outcome.Refused r -> {
            lastProblem = r.why();
            for (Batch b : sending) {
              drop(b);
            }
            queue.subList(0, sending.size()).clear();
          }
          case Outcome.Failed f -> {
            lastProblem = f.why();
            long waitNanos = TimeUnit.MILLISECONDS.toNanos(backoff);
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            while (waitNanos > 0 && !(stopping && System.nanoTime() - deadlineNanos >= 0)) {
              if (stopping) {
                waitNanos = Math.min(waitNanos, deadlineNanos - System.nanoTime());
              }
              try {
                waitNanos = changed.awaitNanos(Math.max(0, waitNanos));
              } catch (InterruptedException e) {
                return;
              }
            }
          }
        }
      } finally {
        lock.unlock();
      }
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }

  private static boolean refusesNativeHistograms(String why) {
    return why.startsWith("HTTP ") && why.toLowerCase(Locale.ROOT).contains("native histogram");
  }

  /** Under the lock. */
  private void fallBackToClassic(String why) {
    nativeHistograms = false;
    pendingSamples = 0;
    for (Batch b : queue) {
      pendingSamples += samples(b);
    }
    notices.accept(
        "the receiver does not take native histograms ("
            + why
            + "); sending classic buckets instead");
  }

  /** How one request went. */
  private sealed interface Outcome {
    record Delivered() implements Outcome {}

    /** Final: the same request would be refused again. */
    record Refused(String why) implements Outcome {}

    /** Worth trying again. */
    record Failed(String why) implements Outcome {}
  }

  private Outcome post(byte[] protobuf) {
    byte[] body;
    try {
      body = Snappy.compress(protobuf);
    } catch (IOException e) {
      return new Outcome.Refused("snappy compression failed: " + e.getMessage());
    }
    Duration timeout = requestTimeout;
    lock.lock();
    try {
      if (stopping) {
        long left = deadlineNanos - System.nanoTime();
        timeout =
            Duration.ofNanos(
                Math.max(TimeUnit.MILLISECONDS.toNanos(100), Math.min(timeout.toNanos(), left)));
      }
    } finally {
      lock.unlock();
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("User-Agent", "grindstone-remote-write")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      int status = response.statusCode();
      if (status / 100 == 2) {
        return new Outcome.Delivered();
      }
      String text = new String(response.body(), StandardCharsets.UTF_8).strip();
      String why =
          "HTTP "
              + status
              + (text.isEmpty()
                  ? ""
                  : ": " + (text.length() > 300 ? text.substring(0, 300) + "…" : text));
      return status == 429 || status >= 500 ? new Outcome.Failed(why) : new Outcome.Refused(why);
    } catch (HttpTimeoutException e) {
      return new Outcome.Failed("no answer within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      String m = e.getMessage();
      return new Outcome.Failed(
          e.getClass().getSimpleName()
              + (m == null || m.isBlank() ? "" : ": " + m)
              + " (is the receiver up at "
              + redacted(url)
              + "?)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome.Failed("stopped at the run's end while a request was in flight");
    }
  }

  /** The URL without any user and password. */
  public static String redacted(URI url) {
    if (url.getUserInfo() == null) {
      return url.toString();
    }
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null ? "" : url.getRawPath())
        + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
  }
}
