package dev.grindstone.livecheck.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.livecheck.ReportSink;
import dev.grindstone.livecheck.TestReport;
import dev.grindstone.livecheck.time.TimeSource;
import dev.grindstone.report.Outbox;
import dev.grindstone.report.ServerConnection;
import dev.grindstone.report.Spool;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Sends reports to the metrics server: {@code POST <server>/api/v1/livecheck/reports} with a JSON
 * array of up to {@code batchSize} reports (see {@link ReportJson}), through the reporting client's
 * delivery policy ({@link Outbox}).
 *
 * <p>{@link #accept} never blocks: it puts the report in a bounded queue and returns; when the
 * queue is full the report is dropped and counted ({@link #dropped()}). One daemon thread sends
 * batches; a failed POST (connection error, 401, 403, 408, 429, 5xx) is retried with doubling
 * delays up to {@code maxAttempts}, then the batch is counted as failed. Any other 4xx answer is
 * not retried. With a {@linkplain Builder#spool spool file}, reports the server cannot take wait on
 * disk instead, however long it is down, and are sent first by the next sink of the same file
 * (after a restart). {@link #close()} sends what is queued, within {@code closeTimeout}.
 * Thread-safe.
 */
public final class ServerReportSink implements ReportSink {
  /** The path reports are posted to, under the server's base URL. */
  public static final String PATH = "/api/v1/livecheck/reports";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reports as spool lines: one JSON object each; a torn line is not one. */
  private static final Outbox.Codec<String> LINES =
      new Outbox.Codec<>() {
        @Override
        public String encode(String report) {
          return report;
        }

        @Override
        public String decode(String line) {
          try {
            return JSON.readTree(line).isObject() ? line : null;
          } catch (JsonProcessingException e) {
            return null;
          }
        }
      };

  private final URI endpoint;
  private final Duration closeTimeout;
  private final Outbox<String> outbox;

  private ServerReportSink(Builder b) {
    String base = b.server.toString();
    this.endpoint =
        URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
    this.closeTimeout = b.closeTimeout;
    ServerConnection.Builder connection =
        ServerConnection.builder(b.server)
            .token(b.token)
            .timeouts(b.requestTimeout, b.requestTimeout);
    if (b.client != null) {
      connection.httpClient(b.client);
    }
    ServerConnection server = connection.build();
    Consumer<String> log = b.log;
    Outbox.Builder<String> outbox =
        Outbox.<String>builder(
                batch -> server.post(PATH, "[" + String.join(",", batch) + "]").outcome())
            .name("livecheck-report-sender")
            .capacity(b.queueCapacity)
            .maxBatch(b.batchSize)
            .maxAttempts(b.maxAttempts)
            .backoff(
                b.retryDelay,
                b.maxRetryDelay.compareTo(b.retryDelay) < 0 ? b.retryDelay : b.maxRetryDelay)
            .pollInterval(b.flushInterval)
            .sleeper(b.time::sleep)
            .listener(
                new Outbox.Listener<>() {
                  @Override
                  public void failed(List<String> batch, String reason) {
                    log.accept(
                        "livecheck report sink: "
                            + batch.size()
                            + " report(s) not stored at "
                            + endpoint
                            + ": "
                            + reason);
                  }

                  @Override
                  public void problem(String message) {
                    log.accept("livecheck report sink: " + message);
                  }
                });
    if (b.spoolFile != null) {
      outbox.spool(b.spoolFile, Spool.serverKey(b.server), LINES);
    }
    this.outbox = outbox.start();
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
    outbox.offer(ReportJson.toJson(report).toString());
  }

  /** Reports the server accepted. */
  public long sent() {
    return outbox.counters().sent();
  }

  /** Reports given up after {@code maxAttempts} or refused by the server. */
  public long failed() {
    return outbox.counters().failed();
  }

  /** Reports dropped because the queue was full (or the sink closed). */
  public long dropped() {
    return outbox.counters().dropped();
  }

  /**
   * Waits until every report accepted so far was sent or given up, at most {@code timeout}.
   *
   * @return whether that happened in time
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    return outbox.flush(timeout);
  }

  /** Sends what is queued (within {@code closeTimeout}) and stops the sender. */
  @Override
  public void close() {
    outbox.close(closeTimeout);
  }

  @Override
  public String toString() {
    return "ServerReportSink[" + endpoint + "]";
  }

  /** Configures a {@link ServerReportSink}. Not thread-safe. */
  public static final class Builder {
    private final URI server;
    private String token;
    private int queueCapacity = 10_000;
    private int batchSize = 100;
    private Duration flushInterval = Duration.ofMillis(200);
    private int maxAttempts = 5;
    private Duration retryDelay = Duration.ofMillis(500);
    private Duration maxRetryDelay = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private Path spoolFile;
    private TimeSource time = TimeSource.system();
    private HttpClient client;
    private Consumer<String> log =
        line -> System.getLogger("dev.grindstone.livecheck").log(System.Logger.Level.WARNING, line);

    private Builder(URI server) {
      Objects.requireNonNull(server, "server");
      if (!server.isAbsolute()
          || !("http".equals(server.getScheme()) || "https".equals(server.getScheme()))) {
        throw new IllegalArgumentException(
            "server = "
                + server
                + ": must be an absolute http:// or https:// URL, e.g. http://127.0.0.1:8080");
      }
      this.server = server;
    }

    /**
     * The server's write token, sent as {@code Authorization: Bearer <token>} (needed beyond
     * loopback).
     */
    public Builder token(String token) {
      this.token = token;
      return this;
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

    /** How often an idle sender looks for reports it was not woken for (default 200 ms). */
    public Builder flushInterval(Duration d) {
      flushInterval = positive("flushInterval", d);
      return this;
    }

    /** Attempts per batch (default 5); without limit while a spool file holds the batch. */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts = " + n + ": must be >= 1");
      }
      maxAttempts = n;
      return this;
    }

    /** First retry delay, doubled each time up to {@link #maxRetryDelay} (default 500 ms). */
    public Builder retryDelay(Duration d) {
      retryDelay = positive("retryDelay", d);
      return this;
    }

    /** The longest retry delay (default 30 s). */
    public Builder maxRetryDelay(Duration d) {
      maxRetryDelay = positive("maxRetryDelay", d);
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

    /**
     * Keeps reports the server cannot take in this JSON-lines file (locked while the sink runs)
     * until it takes them, and sends first what an earlier sink of the same file left there.
     * Default: none, reports wait in memory only.
     */
    public Builder spool(Path file) {
      spoolFile = Objects.requireNonNull(file, "spool");
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
