package dev.grindstone.livecheck.sink;

import dev.grindstone.livecheck.ReportSink;
import dev.grindstone.livecheck.TestReport;
import dev.grindstone.livecheck.time.TimeSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends reports to the metrics server: {@code POST <server>/api/livecheck/reports} with a JSON
 * array of up to {@code batchSize} reports (see {@link ReportJson}).
 *
 * <p>{@link #accept} never blocks: it puts the report in a bounded queue and returns; when the
 * queue is full the report is dropped and counted ({@link #dropped()}). One daemon thread sends
 * batches; a failed POST (connection error, 408, 429, 5xx) is retried with doubling delays up to
 * {@code maxAttempts}, then the batch is counted as failed. A 4xx answer is not retried. {@link
 * #close()} sends what is queued, within {@code closeTimeout}. Thread-safe.
 */
public final class ServerReportSink implements ReportSink {
  /** The path reports are posted to, under the server's base URL. */
  public static final String PATH = "/api/livecheck/reports";

  private final URI endpoint;
  private final BlockingQueue<TestReport> queue;
  private final int batchSize;
  private final Duration flushInterval;
  private final int maxAttempts;
  private final Duration retryDelay;
  private final Duration requestTimeout;
  private final Duration closeTimeout;
  private final TimeSource time;
  private final HttpClient client;
  private final Consumer<String> log;
  private final Thread sender;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Object progress = new Object();
  private volatile boolean closing;

  private ServerReportSink(Builder b) {
    String base = b.server.toString();
    this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    this.batchSize = b.batchSize;
    this.flushInterval = b.flushInterval;
    this.maxAttempts = b.maxAttempts;
    this.retryDelay = b.retryDelay;
    this.requestTimeout = b.requestTimeout;
    this.closeTimeout = b.closeTimeout;
    this.time = b.time;
    this.client = b.client != null ? b.client : HttpClient.newBuilder().connectTimeout(b.requestTimeout).build();
    this.log = b.log;
    this.sender = new Thread(this::sendLoop, "livecheck-report-sender");
    sender.setDaemon(true);
    sender.start();
  }

  /**
   * A builder posting to {@code server} (its base URL, e.g. {@code http://127.0.0.1:8080}).
   *
   * @throws IllegalArgumentException when it is not an absolute http(s) URL
   */
  public static Builder builder(URI server) {
    return new Builder(server);
  }

  /** The full URL reports are posted to. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void accept(TestReport report) {
    if (closing || !queue.offer(report)) {
      dropped.incrementAndGet();
      return;
    }
    accepted.incrementAndGet();
  }

  /** Reports the server accepted. */
  public long sent() {
    return sent.get();
  }

  /** Reports given up after {@code maxAttempts} or refused by the server. */
  public long failed() {
    return failed.get();
  }

  /** Reports dropped because the queue was full (or the sink closed). */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Waits until every report accepted so far was sent or given up, at most {@code timeout}.
   *
   * @return whether that happened in time
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    long target = accepted.get();
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (sent.get() + failed.get() < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        progress.notifyAll();
        TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, 50_000_000L));
      }
    }
    return true;
  }

  /** Sends what is queued (within {@code closeTimeout}) and stops the sender. */
  @Override
  public void close() {
    closing = true;
    try {
      flush(closeTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.interrupt();
  }

  @Override
  public String toString() {
    return "ServerReportSink[" + endpoint + "]";
  }

  private void sendLoop() {
    List<TestReport> batch = new ArrayList<>(batchSize);
    while (true) {
      try {
        TestReport first = queue.poll(flushInterval.toNanos(), TimeUnit.NANOSECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, batchSize - 1);
        send(batch);
      } catch (InterruptedException e) {
        if (closing) {
          return;
        }
      } catch (RuntimeException e) {
        // A defect in sending must not stop reporting for good.
        log.accept("livecheck report sink: " + e);
        failed.addAndGet(batch.size());
      } finally {
        batch.clear();
        synchronized (progress) {
          progress.notifyAll();
        }
      }
    }
  }

  private void send(List<TestReport> batch) throws InterruptedException {
    String body = ReportJson.toJsonArray(batch);
    Duration delay = retryDelay;
    String lastError = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        HttpRequest req =
            HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
        int code = resp.statusCode();
        if (code >= 200 && code < 300) {
          sent.addAndGet(batch.size());
          return;
        }
        lastError = "HTTP " + code + " " + abbreviate(resp.body());
        if (code < 500 && code != 408 && code != 429) {
          break; // the server refuses this content; sending it again changes nothing
        }
      } catch (IOException e) {
        lastError = e.toString();
      }
      if (attempt < maxAttempts) {
        time.sleep(delay);
        delay = delay.multipliedBy(2);
      }
    }
    log.accept("livecheck report sink: " + batch.size() + " report(s) not stored at " + endpoint + ": " + lastError);
    failed.addAndGet(batch.size());
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  /** Configures a {@link ServerReportSink}. Not thread-safe. */
  public static final class Builder {
    private final URI server;
    private int queueCapacity = 10_000;
    private int batchSize = 100;
    private Duration flushInterval = Duration.ofMillis(200);
    private int maxAttempts = 5;
    private Duration retryDelay = Duration.ofMillis(500);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private TimeSource time = TimeSource.system();
    private HttpClient client;
    private Consumer<String> log = line -> System.getLogger("dev.grindstone.livecheck").log(System.Logger.Level.WARNING, line);

    private Builder(URI server) {
      Objects.requireNonNull(server, "server");
      if (!server.isAbsolute() || !("http".equals(server.getScheme()) || "https".equals(server.getScheme()))) {
        throw new IllegalArgumentException(
            "server = " + server + ": must be an absolute http:// or https:// URL, e.g. http://127.0.0.1:8080");
      }
      this.server = server;
    }

    /** Reports held while the server is slow or away (default 10,000); more are dropped. */
    public Builder queueCapacity(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("queueCapacity = " + n + ": must be >= 1");
      }
      queueCapacity = n;
      return this;
    }

    /** Reports per POST at most (default 100). */
    public Builder batchSize(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("batchSize = " + n + ": must be >= 1");
      }
      batchSize = n;
      return this;
    }

    /** How long the sender waits for a first report before checking for close (default 200 ms). */
    public Builder flushInterval(Duration d) {
      flushInterval = positive("flushInterval", d);
      return this;
    }

    /** Attempts per batch (default 5). */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts = " + n + ": must be >= 1");
      }
      maxAttempts = n;
      return this;
    }

    /** First retry delay, doubled each time (default 500 ms). */
    public Builder retryDelay(Duration d) {
      retryDelay = positive("retryDelay", d);
      return this;
    }

    public Builder requestTimeout(Duration d) {
      requestTimeout = positive("requestTimeout", d);
      return this;
    }

    public Builder closeTimeout(Duration d) {
      closeTimeout = positive("closeTimeout", d);
      return this;
    }

    /** The clock whose {@code sleep} times retry delays (tests pass a fake one). */
    public Builder time(TimeSource t) {
      time = Objects.requireNonNull(t);
      return this;
    }

    public Builder httpClient(HttpClient c) {
      client = Objects.requireNonNull(c);
      return this;
    }

    /** Where problems are logged. */
    public Builder log(Consumer<String> log) {
      this.log = Objects.requireNonNull(log);
      return this;
    }

    public ServerReportSink build() {
      return new ServerReportSink(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " = " + d + ": must be > 0");
      }
      return d;
    }
  }
}
