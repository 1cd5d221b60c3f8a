package dev.grindstone.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Streams one run to a Grindstone metrics server: creates the run, posts interval snapshots in
 * order and finishes it, through an {@link Outbox} (one background thread, the JDK's HTTP client
 * only).
 *
 * <p>While the server is down, delivery is retried with exponential backoff, and every undelivered
 * request is spooled to a JSON-lines file in the spool folder ({@code <run id>__<agent>.jsonl}, see
 * {@link Spool}), which names the server it is for. What is still there when the reporter finishes
 * is sent by a reporter started later for the same run and agent, by {@link RunUpload} (which later
 * runs start), or by {@code grindstone upload}. The server treats re-sent requests as idempotent
 * (run id; agent and sequence number). A request the server rejects with a 4xx is reported and
 * dropped: retrying cannot fix it. The reporter holds its spool file's lock while it runs, so
 * nothing re-sends that file under it.
 *
 * <p>{@link #post} never blocks on the network and never throws for server faults. Thread-safe.
 */
public final class RunReporter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RunReporter.class.getName());

  /**
   * Delivery counters.
   *
   * @param delivered requests the server took
   * @param pending requests neither delivered nor dropped: queued, being sent, or spooled to disk
   * @param dropped requests the server refused (a 4xx) or that were lost (see {@link
   *     Outbox.Counters#dropped})
   * @param retries failed attempts that were tried again
   */
  public record Stats(long delivered, long pending, long dropped, long retries) {}

  private final RunSpec spec;
  private final Outbox<RunRequest> outbox;
  private final Object lock = new Object();
  private boolean finishing; // guarded by lock

  private RunReporter(Builder b) {
    this.spec = b.spec;
    Consumer<String> snapshotAnswers = b.snapshotAnswers;
    ServerConnection server =
        ServerConnection.builder(b.server)
            .token(b.token)
            .timeouts(b.connectTimeout, b.requestTimeout)
            .build();
    try {
      Files.createDirectories(b.spoolDir);
    } catch (IOException e) {
      throw new UncheckedIOException("spoolDir: cannot create " + b.spoolDir, e);
    }
    Path spoolFile =
        b.spoolDir.resolve(
            spec.id() + "__" + spec.agent().replaceAll("[^A-Za-z0-9._-]", "_") + Spool.EXTENSION);
    this.outbox =
        Outbox.<RunRequest>builder(
                batch -> {
                  RunRequest request = batch.get(0);
                  ServerConnection.Response r = server.post(request.path(), request.body());
                  if (r.delivered() && request.path().endsWith("/snapshots")) {
                    snapshotAnswers.accept(r.body());
                  }
                  return r.outcome();
                })
            .name("run-reporter-" + spec.id())
            .capacity(b.queueCapacity)
            .backoff(b.initialBackoff, b.maxBackoff)
            .spool(spoolFile, Spool.serverKey(b.server), RunRequest.CODEC)
            .listener(
                new Outbox.Listener<>() {
                  @Override
                  public void failed(List<RunRequest> batch, String reason) {
                    LOG.log(
                        Level.WARNING,
                        "the server rejected "
                            + batch.get(0).path()
                            + " ("
                            + reason
                            + "); dropped");
                  }

                  @Override
                  public void queueFull(int capacity) {
                    LOG.log(
                        Level.WARNING,
                        capacity
                            + " requests of run "
                            + spec.id()
                            + " wait for the server;"
                            + " further ones are dropped");
                  }

                  @Override
                  public void problem(String message) {
                    LOG.log(Level.WARNING, message);
                  }
                })
            .start();
    outbox.offer(RunRequest.create(spec));
  }

  /**
   * @param server the server's base URL, e.g. {@code http://127.0.0.1:8080} (a {@code /t/<token>}
   *     prefix is kept)
   */
  public static Builder builder(URI server, RunSpec spec) {
    return new Builder(server, spec);
  }

  public String runId() {
    return spec.id();
  }

  /**
   * Tells the server about tests (number and description) that appeared after the run was created:
   * the run's creation is re-sent with them, which the server merges (it is idempotent).
   */
  public void describeTests(List<RunSpec.TestInfo> tests) {
    synchronized (lock) {
      if (finishing) {
        throw new IllegalStateException("the run " + spec.id() + " is finished; no more tests");
      }
      outbox.offer(
          RunRequest.create(
              new RunSpec(
                  spec.id(), spec.name(), spec.agent(), spec.phases(), tests, spec.startMs())));
    }
  }

  /** Queues one snapshot for delivery. */
  public void post(SnapshotPost snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    synchronized (lock) {
      if (finishing) {
        throw new IllegalStateException("the run " + spec.id() + " is finished; no more snapshots");
      }
      outbox.offer(RunRequest.snapshot(spec.id(), snapshot));
    }
  }

  /**
   * Queues the finish of this agent's part of the run and waits until everything is delivered or
   * {@code wait} has passed. What is still undelivered stays in the spool file.
   *
   * @return true when every request was delivered (or rejected by the server and dropped)
   */
  public boolean finish(long endMs, Duration wait) {
    synchronized (lock) {
      if (!finishing) {
        finishing = true;
        outbox.offer(RunRequest.finish(spec.id(), spec.agent(), endMs));
      }
    }
    try {
      return outbox.flush(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public Stats stats() {
    Outbox.Counters c = outbox.counters();
    return new Stats(c.sent(), c.pending(), c.failed() + c.dropped(), c.retries());
  }

  /** The spool file of this run and agent (it exists only while something is undelivered). */
  public Path spoolFile() {
    return outbox.spoolFile();
  }

  /** Stops sending; undelivered requests stay in the spool file for a later reporter. */
  @Override
  public void close() {
    outbox.close();
  }

  /** Options of a {@link RunReporter}; validated by {@link #start()}. Not thread-safe. */
  public static final class Builder {
    private final URI server;
    private final RunSpec spec;
    private Path spoolDir = Path.of(System.getProperty("java.io.tmpdir"), "grindstone-spool");
    private String token;
    private int queueCapacity = 256;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Consumer<String> snapshotAnswers = body -> {};

    private Builder(URI server, RunSpec spec) {
      this.server = Objects.requireNonNull(server, "server");
      this.spec = Objects.requireNonNull(spec, "spec");
    }

    public Builder spoolDir(Path dir) {
      this.spoolDir = Objects.requireNonNull(dir, "spoolDir");
      return this;
    }

    /** Sent as {@code Authorization: Bearer <token>}. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /**
     * Requests held in memory at most (default 256); while the server is down, the rest wait in the
     * spool file only.
     */
    public Builder queueCapacity(int n) {
      this.queueCapacity = n;
      return this;
    }

    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Called with the body of each snapshot the server took, on the sending thread (default: none).
     * A coordinating server's answer to an agent of a distributed run carries what the agent's poll
     * would answer, under {@code poll}.
     */
    public Builder snapshotAnswers(Consumer<String> answers) {
      this.snapshotAnswers = Objects.requireNonNull(answers, "answers");
      return this;
    }

    public Builder timeouts(Duration connect, Duration request) {
      this.connectTimeout = connect;
      this.requestTimeout = request;
      return this;
    }

    /**
     * Checks the options and starts sending.
     *
     * @throws IllegalArgumentException naming the option at fault (e.g. a server URL that is not
     *     http or https)
     */
    public RunReporter start() {
      if (initialBackoff.isNegative()
          || initialBackoff.isZero()
          || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "backoff: initial must be > 0 and max >= initial, got "
                + initialBackoff
                + " and "
                + maxBackoff);
      }
      if (queueCapacity < 1) {
        throw new IllegalArgumentException(
            "queueCapacity: must be 1 or more, got " + queueCapacity);
      }
      return new RunReporter(this);
    }
  }
}
