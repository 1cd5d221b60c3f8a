package dev.grindstone.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Streams one run to a Grindstone metrics server: creates the run, posts interval snapshots in
 * order and finishes it, from one background thread, with the JDK's HTTP client only.
 *
 * <p>While the server is down, delivery is retried with exponential backoff, and every
 * undelivered request is spooled to a JSON-lines file in the spool folder ({@code <run
 * id>__<agent>.jsonl}, see {@link Spool}), which names the server it is for. What is still there
 * when the reporter finishes is sent by a reporter started later for the same run and agent, by
 * {@link SpoolResender} (which later runs start), or by {@code grindstone upload}. The server treats
 * re-sent requests as idempotent (run id; agent and sequence number). A request the server rejects
 * with a 4xx is reported and dropped: retrying cannot fix it. The reporter holds its spool file's
 * lock while it runs, so nothing re-sends that file under it.
 *
 * <p>{@link #post} never blocks on the network and never throws for server faults. Thread-safe.
 */
public final class RunReporter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RunReporter.class.getName());

  /** Delivery counters. {@code pending} includes requests spooled to disk and not yet delivered. */
  public record Stats(long delivered, long pending, long dropped, long retries) {}

  private final RunSpec spec;
  private final Path spoolFile;
  private final String serverKey;
  private final Spool.Lease spoolLease; // null when another reporter of this run and agent holds it
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Delivery delivery;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<RunRequest> queue = new ArrayDeque<>();
  private boolean spooling; // while true, every queued item is also in the spool file
  private boolean finishing;
  private boolean closed;
  private long delivered;
  private long dropped;
  private long retries;
  private final Thread sender;

  private RunReporter(Builder b) {
    this.spec = b.spec;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.delivery = new Delivery(b.server, b.token, b.connectTimeout, b.requestTimeout);
    this.serverKey = Spool.serverKey(b.server);
    try {
      Files.createDirectories(b.spoolDir);
    } catch (IOException e) {
      throw new UncheckedIOException("spoolDir: cannot create " + b.spoolDir, e);
    }
    this.spoolFile = b.spoolDir.resolve(spec.id() + "__" + spec.agent().replaceAll("[^A-Za-z0-9._-]", "_")
        + Spool.EXTENSION);
    this.spoolLease = Spool.lease(spoolFile);
    lock.lock();
    try {
      if (Files.exists(spoolFile)) {
        queue.addAll(Spool.read(spoolFile));
      }
      spooling = !queue.isEmpty();
      enqueue(RunRequest.create(spec));
    } finally {
      lock.unlock();
    }
    this.sender = new Thread(this::sendLoop, "grindstone-run-reporter-" + spec.id());
    sender.setDaemon(true);
    sender.start();
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
    lock.lock();
    try {
      if (finishing || closed) {
        throw new IllegalStateException("the run " + spec.id() + " is finished; no more tests");
      }
      enqueue(RunRequest.create(new RunSpec(spec.id(), spec.name(), spec.agent(), spec.phases(), tests,
          spec.startMs())));
    } finally {
      lock.unlock();
    }
  }

  /** Queues one snapshot for delivery. */
  public void post(SnapshotPost snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    lock.lock();
    try {
      if (finishing || closed) {
        throw new IllegalStateException("the run " + spec.id() + " is finished; no more snapshots");
      }
      enqueue(RunRequest.snapshot(spec.id(), snapshot));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues the finish of this agent's part of the run and waits until everything is delivered or
   * {@code wait} has passed. What is still undelivered stays in the spool file.
   *
   * @return true when every request was delivered (or rejected by the server and dropped)
   */
  public boolean finish(long endMs, Duration wait) {
    lock.lock();
    try {
      if (!finishing) {
        finishing = true;
        enqueue(RunRequest.finish(spec.id(), spec.agent(), endMs));
      }
      long nanos = wait.toNanos();
      while (!queue.isEmpty() && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      boolean done = queue.isEmpty();
      if (!done) {
        spoolAll();
      }
      return done;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  public Stats stats() {
    lock.lock();
    try {
      return new Stats(delivered, queue.size(), dropped, retries);
    } finally {
      lock.unlock();
    }
  }

  /** The spool file of this run and agent (it exists only while something is undelivered). */
  public Path spoolFile() {
    return spoolFile;
  }

  /** Stops sending; undelivered requests stay in the spool file for a later reporter. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (!queue.isEmpty()) {
        spoolAll();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    sender.interrupt();
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (spoolLease != null) {
      spoolLease.close();
    }
  }

  // ---------------------------------------------------------------- internals (lock held)

  private void enqueue(RunRequest item) {
    queue.addLast(item);
    if (spooling) {
      try {
        Spool.append(spoolFile, serverKey, List.of(item));
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot spool undelivered run data to " + spoolFile + ": " + e.getMessage());
      }
    }
    changed.signalAll();
  }

  private void spoolAll() {
    try {
      Spool.write(spoolFile, serverKey, List.copyOf(queue));
      spooling = true;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot spool undelivered run data to " + spoolFile + ": " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- sender thread

  private void sendLoop() {
    long backoff = initialBackoff.toMillis();
    while (true) {
      RunRequest next;
      lock.lock();
      try {
        while (queue.isEmpty() && !closed) {
          changed.awaitUninterruptibly();
        }
        if (closed) {
          return;
        }
        next = queue.peekFirst();
      } finally {
        lock.unlock();
      }
      int status = delivery.send(next);
      lock.lock();
      try {
        if (Delivery.delivered(status) || Delivery.rejected(status)) {
          if (status >= 400) {
            dropped++;
            LOG.log(Level.WARNING, "the server rejected " + next.path() + " with " + status + "; dropped");
          } else {
            delivered++;
          }
          queue.pollFirst();
          backoff = initialBackoff.toMillis();
          if (queue.isEmpty() && spooling) {
            try {
              Spool.delete(spoolFile);
            } catch (IOException e) {
              LOG.log(Level.WARNING, "cannot delete " + spoolFile + ": " + e.getMessage());
            }
            spooling = false;
          }
          changed.signalAll();
          continue;
        }
        retries++;
        if (!spooling) {
          spoolAll();
        }
      } finally {
        lock.unlock();
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        if (closedNow()) {
          return;
        }
      }
      backoff = Math.min(maxBackoff.toMillis(), backoff * 2);
    }
  }

  private boolean closedNow() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** Options of a {@link RunReporter}; validated by {@link #start()}. Not thread-safe. */
  public static final class Builder {
    private final URI server;
    private final RunSpec spec;
    private Path spoolDir = Path.of(System.getProperty("java.io.tmpdir"), "grindstone-spool");
    private String token;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(10);

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

    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    public Builder timeouts(Duration connect, Duration request) {
      this.connectTimeout = connect;
      this.requestTimeout = request;
      return this;
    }

    public RunReporter start() {
      String scheme = server.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || server.getHost() == null) {
        throw new IllegalArgumentException("server: must be an http(s) URL like http://127.0.0.1:8080, got '" + server + "'");
      }
      if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("backoff: initial must be > 0 and max >= initial, got " + initialBackoff + " and " + maxBackoff);
      }
      return new RunReporter(this);
    }
  }
}
