package dev.grindstone.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one delivery policy of every client of the metrics server (see the {@linkplain
 * dev.grindstone.report package documentation}): a bounded queue that callers hand items to without
 * ever waiting, one sender thread that delivers them in order through an {@link Endpoint}, retries
 * with exponential backoff, an optional spool file that holds what is undelivered while the server
 * is down, and counters of what was sent, failed and dropped.
 *
 * <p>{@link #offer} is lock-free and never blocks, throws for a server fault, or does I/O; the
 * caller's thread is never held up by the server. Everything else is thread-safe too. Close the
 * outbox to stop its thread (and release its spool file).
 *
 * @param <T> what is delivered: a request of a run, a LiveCheck report, a JUnit monitor row
 */
public final class Outbox<T> implements AutoCloseable {

  /** Sends batches to the server; called on the outbox's sender thread only, one call at a time. */
  public interface Endpoint<T> {
    /**
     * Called once, before the first batch: a protocol's handshake, if it has one. A failure is
     * reported as a failed empty batch (and stops delivery under {@link Builder#stopOnFailure}).
     */
    default Outcome open() throws InterruptedException {
      return Outcome.delivered();
    }

    /** Sends one batch (at most {@link Builder#maxBatch} items, in queue order). */
    Outcome send(List<T> batch) throws InterruptedException;
  }

  /**
   * What became of a batch.
   *
   * @param reason why it was not delivered, e.g. {@code HTTP 400 {"error": ...}} or {@code
   *     ConnectException: Connection refused}; null when it was
   */
  public record Outcome(Kind kind, String reason) {
    /** How a batch ended. */
    public enum Kind {
      /** The server took it. */
      DELIVERED,
      /** The server refused it for good: sending it again cannot help. */
      REFUSED,
      /** The server could not take it now (unreachable, 5xx, 401, 403, 408, 429): try again. */
      RETRY
    }

    public Outcome {
      Objects.requireNonNull(kind, "kind");
    }

    public static Outcome delivered() {
      return new Outcome(Kind.DELIVERED, null);
    }

    public static Outcome refused(String reason) {
      return new Outcome(Kind.REFUSED, reason);
    }

    public static Outcome retry(String reason) {
      return new Outcome(Kind.RETRY, reason);
    }
  }

  /** Writes an item as one line of a spool file, and reads it back. */
  public interface Codec<T> {
    /** The item as one line, without a line break. */
    String encode(T item);

    /** The item of a line, or null when the line is not a whole item (a torn last line). */
    T decode(String line);
  }

  /** Waits out a backoff delay; tests pass one that only records the delay. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration delay) throws InterruptedException;
  }

  /**
   * Told what the outbox could not deliver. {@link #failed} and {@link #problem} are called with
   * the outbox's lock held, so that a {@link #flush} returns only once what it waited for is
   * reported: they must not block, and must not call {@link #flush} or {@link #close}.
   */
  public interface Listener<T> {
    /**
     * A batch was given up: refused by the server, or out of attempts without a spool. Called on
     * the sender thread; {@code batch} is empty for a failed {@link Endpoint#open}.
     */
    default void failed(List<T> batch, String reason) {}

    /** The first offer that found the queue full (called once, on the offering thread). */
    default void queueFull(int capacity) {}

    /** A problem of the outbox itself, such as a spool file that cannot be written. */
    default void problem(String message) {}
  }

  /**
   * What the outbox did with what it was given.
   *
   * @param sent items the server took
   * @param failed items given up: refused by the server, out of attempts without a spool, or
   *     discarded after a failure under {@link Builder#stopOnFailure}
   * @param dropped items not taken (the queue full, the outbox closed) or left undelivered at
   *     {@link #close} without a spool
   * @param pending items accepted and neither sent nor given up: queued, being sent, or in the
   *     spool file
   * @param retries failed attempts that were (or will be) tried again
   */
  public record Counters(long sent, long failed, long dropped, long pending, long retries) {}

  private final Endpoint<T> endpoint;
  private final Listener<T> listener;
  private final Sleeper sleeper;
  private final int capacity;
  private final int maxBatch;
  private final int maxAttempts;
  private final int memoryWhileSpooling;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final long pollNanos;
  private final boolean stopOnFailure;
  private final Path spoolFile;
  private final String serverKey;
  private final Codec<T> codec;
  private final Spool.Lease lease; // null without a spool, or when another process holds the file

  // The offering side: lock-free.
  private final ConcurrentLinkedQueue<T> incoming = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued =
      new AtomicInteger(); // items in RAM only: incoming + memory unless spooled
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong(); // accepted, then dropped
  private final AtomicLong retries = new AtomicLong();
  private final AtomicBoolean fullReported = new AtomicBoolean();
  private volatile boolean closed; // no more offers
  private volatile boolean halted; // the sender stops
  private volatile boolean stopped; // delivery stopped after a failure (stopOnFailure)
  private volatile boolean idle; // the sender is parked with nothing to do

  // The sending side: under the lock, which offers never take.
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();
  private final ArrayDeque<T> memory = new ArrayDeque<>();
  private List<T> inFlight; // the batch being sent or retried
  private int overflow; // items after memory's that are only in the spool file
  private boolean spooling; // while true, inFlight, memory and overflow are all in the spool file
  private final Thread sender;

  private Outbox(Builder<T> b) {
    this.endpoint = b.endpoint;
    this.listener = b.listener;
    this.sleeper = b.sleeper;
    this.capacity = b.capacity;
    this.maxBatch = b.maxBatch;
    this.maxAttempts = b.maxAttempts;
    this.memoryWhileSpooling = Math.max(b.maxBatch, b.capacity / 2);
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.pollNanos = b.pollInterval.toNanos();
    this.stopOnFailure = b.stopOnFailure;
    this.spoolFile = b.spoolFile;
    this.serverKey = b.serverKey;
    this.codec = b.codec;
    this.lease = spoolFile == null ? null : lease(spoolFile, listener);
    restoreSpool();
    this.sender =
        Thread.ofPlatform().daemon().name("grindstone-report-" + b.name).unstarted(this::run);
    sender.start();
  }

  /**
   * Takes the spool file's lock, creating its folder; null (and the listener told) when that fails.
   */
  private static Spool.Lease lease(Path file, Listener<?> listener) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
    } catch (IOException e) {
      listener.problem(
          "cannot create the spool folder "
              + file.getParent()
              + " ("
              + e.getMessage()
              + "); what the server cannot take is kept in memory only");
      return null;
    }
    Spool.Lease lease = Spool.lease(file);
    if (lease == null) {
      listener.problem(
          "the spool file "
              + file
              + " is in use by another outbox or re-sender (or cannot be"
              + " locked); what this one cannot deliver is kept in memory only");
    }
    return lease;
  }

  /** An outbox delivering through {@code endpoint}; nothing starts before {@link Builder#start}. */
  public static <T> Builder<T> builder(Endpoint<T> endpoint) {
    return new Builder<>(endpoint);
  }

  /**
   * Queues {@code item} for delivery. Never blocks, never throws for a server fault.
   *
   * @return false when the item was not taken: the queue is full or the outbox closed (counted as
   *     dropped), or delivery stopped after a failure (counted as failed)
   */
  public boolean offer(T item) {
    Objects.requireNonNull(item, "item");
    if (stopped) {
      accepted.incrementAndGet();
      failed.incrementAndGet();
      return false;
    }
    if (closed) {
      dropped.incrementAndGet();
      return false;
    }
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      if (fullReported.compareAndSet(false, true)) {
        listener.queueFull(capacity);
      }
      return false;
    }
    accepted.incrementAndGet();
    incoming.add(item);
    if (closed && incoming.remove(item)) {
      // Closed meanwhile, after close() took what was queued: this one would be stranded.
      queued.decrementAndGet();
      abandoned.incrementAndGet();
      dropped.incrementAndGet();
      return false;
    }
    if (idle) {
      LockSupport.unpark(sender);
    }
    return true;
  }

  /**
   * Waits until every item accepted so far is delivered or given up, at most {@code timeout}. When
   * some are still pending then and there is a spool, they are all written to it before this
   * returns. Does not stop delivery.
   *
   * @return true when nothing is pending
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    LockSupport.unpark(sender);
    lock.lock();
    try {
      while (pending() > 0 && nanos > 0) {
        nanos = progress.awaitNanos(nanos);
      }
      if (pending() > 0 && lease != null) {
        drainIncoming();
        spoolAll();
      }
      return pending() == 0;
    } finally {
      lock.unlock();
    }
  }

  /** The counters as they are now. */
  public Counters counters() {
    return new Counters(sent.get(), failed.get(), dropped.get(), pending(), retries.get());
  }

  /** The spool file, or null without one. It exists only while something is spooled. */
  public Path spoolFile() {
    return spoolFile;
  }

  /** Closes at once: {@link #close(Duration)} without waiting. */
  @Override
  public void close() {
    close(Duration.ZERO);
  }

  /**
   * Takes no more items, waits up to {@code wait} for what is pending to be delivered, then stops
   * the sender. What is still undelivered stays in the spool file for a later outbox of the same
   * file (or {@code grindstone upload}); without a spool it is counted as dropped.
   */
  public void close(Duration wait) {
    closed = true;
    try {
      if (!wait.isZero() && !wait.isNegative()) {
        flush(wait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      if (halted) {
        return;
      }
      halted = true;
      drainIncoming();
      spoolAll();
      if (!spooling) {
        int left = (inFlight == null ? 0 : inFlight.size()) + memory.size();
        abandoned.addAndGet(left);
        dropped.addAndGet(left);
        queued.addAndGet(-memory.size());
        memory.clear();
      }
      inFlight = null; // whatever answer the sender still gets is not counted again
      progress.signalAll();
    } finally {
      lock.unlock();
    }
    sender.interrupt();
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (lease != null) {
      lease.close();
    }
  }

  private long pending() {
    return accepted.get() - sent.get() - failed.get() - abandoned.get();
  }

  // ---------------------------------------------------------------- sender thread

  private void run() {
    Duration backoff = initialBackoff;
    int attempts = 0;
    open();
    while (!halted) {
      List<T> batch;
      lock.lock();
      try {
        drainIncoming();
        if (inFlight == null) {
          if (memory.isEmpty() && overflow > 0) {
            reload();
          }
          if (!memory.isEmpty()) {
            int n = Math.min(maxBatch, memory.size());
            inFlight = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
              inFlight.add(memory.pollFirst());
            }
            if (!spooling) {
              queued.addAndGet(-n);
            }
          }
        }
        batch = inFlight;
      } finally {
        lock.unlock();
      }
      if (batch == null) {
        idle = true;
        if (incoming.isEmpty() && !halted) {
          LockSupport.parkNanos(this, pollNanos);
        }
        idle = false;
        continue;
      }

      Outcome outcome;
      try {
        outcome = endpoint.send(List.copyOf(batch));
      } catch (InterruptedException e) {
        if (halted) {
          return;
        }
        outcome = Outcome.retry("interrupted");
      } catch (RuntimeException e) {
        // A defect in making or sending the batch: retrying would fail the same way.
        outcome = Outcome.refused(e.toString());
      }

      boolean wait = false;
      boolean gaveUp = false;
      lock.lock();
      try {
        if (inFlight != batch) {
          continue; // closed meanwhile: close() accounted for the batch
        }
        switch (outcome.kind()) {
          case DELIVERED -> {
            sent.addAndGet(batch.size());
            inFlight = null;
          }
          case REFUSED -> gaveUp = true;
          case RETRY -> {
            attempts++;
            if (lease != null) {
              spoolAll(); // nothing is given up while it can wait on disk
              wait = true;
            } else if (attempts >= maxAttempts) {
              gaveUp = true;
            } else {
              wait = true;
            }
            if (wait) {
              retries.incrementAndGet();
            }
          }
        }
        if (gaveUp) {
          failed.addAndGet(batch.size());
          inFlight = null;
          listener.failed(batch, outcome.reason());
          if (stopOnFailure) {
            stop();
          }
        }
        if (!wait) {
          attempts = 0;
          backoff = initialBackoff;
          settle();
        }
        progress.signalAll();
      } finally {
        lock.unlock();
      }
      if (wait) {
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException e) {
          if (halted) {
            return;
          }
        }
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
      }
    }
  }

  private void open() {
    Outcome o;
    try {
      o = endpoint.open();
    } catch (InterruptedException e) {
      return;
    } catch (RuntimeException e) {
      o = Outcome.refused(e.toString());
    }
    if (o.kind() != Outcome.Kind.DELIVERED) {
      lock.lock();
      try {
        listener.failed(List.of(), o.reason());
        if (stopOnFailure) {
          stop();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Stops delivery for good after a failure: what waits, and what comes, is failed. */
  private void stop() {
    lock.lock();
    try {
      stopped = true;
      drainIncoming();
      long discarded = memory.size() + overflow + (inFlight == null ? 0 : inFlight.size());
      queued.addAndGet(-memory.size());
      memory.clear();
      overflow = 0;
      inFlight = null;
      failed.addAndGet(discarded);
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- queue and spool (lock held)

  /** Moves what callers offered into the sender's queue (and, while spooling, onto disk). */
  private void drainIncoming() {
    T item;
    while ((item = incoming.poll()) != null) {
      if (stopped) {
        queued.decrementAndGet();
        failed.incrementAndGet();
        continue;
      }
      if (spooling) {
        if (!append(item)) {
          memory.addLast(item); // the spool is gone: spooling stopped, the item stays in RAM
          continue;
        }
        queued.decrementAndGet(); // safe on disk
        if (overflow > 0 || memory.size() >= memoryWhileSpooling) {
          overflow++; // on disk only, read back when memory runs dry
          continue;
        }
      }
      memory.addLast(item);
    }
  }

  private boolean append(T item) {
    try {
      Spool.append(spoolFile, serverKey, List.of(item), codec);
      return true;
    } catch (IOException | UncheckedIOException e) {
      spoolBroken(e);
      return false;
    }
  }

  /** Writes everything pending to the spool file, which then mirrors the queue. */
  private void spoolAll() {
    if (lease == null || spooling) {
      return;
    }
    List<T> all = new ArrayList<>(memory.size() + (inFlight == null ? 0 : inFlight.size()));
    if (inFlight != null) {
      all.addAll(inFlight);
    }
    all.addAll(memory);
    if (all.isEmpty()) {
      return;
    }
    try {
      Spool.write(spoolFile, serverKey, all, codec);
    } catch (IOException | UncheckedIOException e) {
      listener.problem("cannot spool undelivered items to " + spoolFile + ": " + e.getMessage());
      return;
    }
    spooling = true;
    queued.addAndGet(-memory.size()); // now safe on disk
    while (memory.size() > memoryWhileSpooling) {
      memory.pollLast();
      overflow++;
    }
  }

  /** Memory ran dry while items wait on disk: reads the next ones back and compacts the file. */
  private void reload() {
    List<T> onDisk;
    try {
      onDisk = Spool.read(spoolFile, codec);
    } catch (UncheckedIOException e) {
      spoolBroken(e);
      return;
    }
    List<T> rest = onDisk.subList(Math.max(0, onDisk.size() - overflow), onDisk.size());
    if (rest.size() < overflow) {
      long lost = overflow - rest.size();
      abandoned.addAndGet(lost);
      dropped.addAndGet(lost);
      listener.problem(
          lost + " items spooled to " + spoolFile + " could not be read back; dropped");
    }
    try {
      Spool.write(spoolFile, serverKey, rest, codec);
    } catch (IOException e) {
      listener.problem("cannot compact the spool file " + spoolFile + ": " + e.getMessage());
    }
    int n = Math.min(memoryWhileSpooling, rest.size());
    memory.addAll(rest.subList(0, n));
    overflow = rest.size() - n;
  }

  /** After an I/O error: what was only on disk is lost, and the outbox goes on without a spool. */
  private void spoolBroken(Exception e) {
    spooling = false;
    queued.addAndGet(memory.size());
    if (overflow > 0) {
      abandoned.addAndGet(overflow);
      dropped.addAndGet(overflow);
      overflow = 0;
    }
    listener.problem(
        "the spool file "
            + spoolFile
            + " failed ("
            + e.getMessage()
            + "); undelivered items are"
            + " kept in memory only");
  }

  /** Once nothing is pending, the spool file goes. */
  private void settle() {
    if (spooling && inFlight == null && memory.isEmpty() && overflow == 0 && incoming.isEmpty()) {
      try {
        Spool.delete(spoolFile);
        spooling = false;
      } catch (IOException e) {
        listener.problem("cannot delete " + spoolFile + ": " + e.getMessage());
      }
    }
  }

  /** What an earlier outbox of the same spool file left undelivered comes first. */
  private void restoreSpool() {
    if (lease == null || !Files.exists(spoolFile)) {
      return;
    }
    List<T> left;
    try {
      left = Spool.read(spoolFile, codec);
    } catch (UncheckedIOException e) {
      listener.problem("cannot read the spool file " + spoolFile + ": " + e.getMessage());
      return;
    }
    if (left.isEmpty()) {
      try {
        Spool.delete(spoolFile);
      } catch (IOException e) {
        listener.problem("cannot delete " + spoolFile + ": " + e.getMessage());
      }
      return;
    }
    accepted.addAndGet(left.size());
    spooling = true;
    int n = Math.min(memoryWhileSpooling, left.size());
    memory.addAll(left.subList(0, n));
    overflow = left.size() - n;
  }

  /** Options of an {@link Outbox}; checked by {@link #start}. Not thread-safe. */
  public static final class Builder<T> {
    private final Endpoint<T> endpoint;
    private String name = "outbox";
    private int capacity = 10_000;
    private int maxBatch = 1;
    private int maxAttempts = Integer.MAX_VALUE;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Duration pollInterval = Duration.ofMillis(200);
    private boolean stopOnFailure;
    private Path spoolFile;
    private String serverKey;
    private Codec<T> codec;
    private Sleeper sleeper = delay -> Thread.sleep(delay);
    private Listener<T> listener = new Listener<>() {};

    private Builder(Endpoint<T> endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /** Names the sender thread ({@code grindstone-report-<name>}). */
    public Builder<T> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Items held in memory at most, waiting to be sent (default 10,000); more are dropped. */
    public Builder<T> capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity: must be 1 or more, got " + capacity);
      }
      this.capacity = capacity;
      return this;
    }

    /** Items sent together at most (default 1). */
    public Builder<T> maxBatch(int maxBatch) {
      if (maxBatch < 1) {
        throw new IllegalArgumentException("maxBatch: must be 1 or more, got " + maxBatch);
      }
      this.maxBatch = maxBatch;
      return this;
    }

    /**
     * Attempts per batch before it is given up (default: no limit). With a spool nothing is given
     * up: a batch waits on disk until the server takes it.
     */
    public Builder<T> maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts: must be 1 or more, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The delay after a first failed attempt, doubled after each further one up to {@code max}. */
    public Builder<T> backoff(Duration initial, Duration max) {
      if (initial == null
          || initial.isNegative()
          || initial.isZero()
          || max == null
          || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "backoff: initial must be > 0 and max >= initial, got " + initial + " and " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** How often an idle sender looks for work it was not woken for (default 200 ms). */
    public Builder<T> pollInterval(Duration interval) {
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("pollInterval: must be > 0, got " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * When true, the first batch given up stops delivery: what is queued and what comes later is
     * counted as failed, and the caller has one failure to report (as pytest-monitor does).
     */
    public Builder<T> stopOnFailure(boolean stop) {
      this.stopOnFailure = stop;
      return this;
    }

    /**
     * Spools what is undelivered to {@code file} while the server cannot take it, and first sends
     * what an earlier outbox of the same file left there. The file is locked while the outbox runs.
     *
     * @param serverKey the server the items are for, recorded beside the file ({@link
     *     Spool#serverKey})
     */
    public Builder<T> spool(Path file, String serverKey, Codec<T> codec) {
      this.spoolFile = Objects.requireNonNull(file, "spool file");
      this.serverKey = serverKey;
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /** What waits out backoff delays (default {@link Thread#sleep}). */
    public Builder<T> sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    public Builder<T> listener(Listener<T> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Starts the sender thread. */
    public Outbox<T> start() {
      if (stopOnFailure && spoolFile != null) {
        throw new IllegalArgumentException(
            "stopOnFailure and a spool exclude each other: a spool keeps what the server cannot"
                + " take");
      }
      return new Outbox<>(this);
    }
  }
}
