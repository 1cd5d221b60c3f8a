package dev.grindstone.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * One writer thread that commits the writes waiting at the same moment in one transaction (group
 * commit). A caller returns only after the commit that holds its write, so an acknowledged write is
 * durable as far as the store's settings make it.
 *
 * <p>Each write comes in two steps: a <em>check</em> that reads what the request depends on (does
 * the session exist, would the totals overflow) and refuses it by throwing, and an <em>apply</em>
 * that writes. A check writes nothing, so a refused request leaves nothing to undo: its caller gets
 * the exception and the other writes of the batch go on in the same transaction, neither rolled
 * back nor run again. Only a failure the checks could not foresee (an error from the database
 * itself, in a check or while writing) rolls the batch back; then each write is run again in its
 * own transaction, so only the faulty one fails.
 *
 * <p>Why: a commit costs far more than an insert (a WAL append, or an fsync on PostgreSQL), so
 * sharing it among concurrent requests multiplies ingest throughput. Thread-safe.
 */
final class GroupCommitter implements AutoCloseable {
  private static final int MAX_BATCH = 256;

  private record Task<P, T>(
      Function<Handle, P> check, BiFunction<Handle, P, T> apply, CompletableFuture<T> result) {
    T run(Handle h) {
      return apply.apply(h, check.apply(h));
    }
  }

  private final Jdbi jdbi;
  private final BlockingQueue<Task<?, ?>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong replays = new AtomicLong();
  private volatile boolean closed;

  GroupCommitter(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.thread = new Thread(this::loop, "grindstone-db-writer");
    thread.setDaemon(true);
    thread.start();
  }

  <P, T> T submit(Function<Handle, P> check, BiFunction<Handle, P, T> apply) {
    if (closed) {
      throw new IllegalStateException("the store is closed");
    }
    Task<P, T> task = new Task<>(check, apply, new CompletableFuture<>());
    queue.add(task);
    try {
      return task.result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the commit", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** What the writer did so far (see {@link Database#commits()}). */
  Database.Commits commits() {
    return new Database.Commits(
        batches.get(), writes.get(), failed.get(), replays.get(), queue.size());
  }

  private void loop() {
    List<Task<?, ?>> batch = new ArrayList<>(MAX_BATCH);
    while (!closed) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      run(batch);
      batch.clear();
    }
    Task<?, ?> t;
    while ((t = queue.poll()) != null) {
      t.result.completeExceptionally(new IllegalStateException("the store is closed"));
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void run(List<Task<?, ?>> batch) {
    batches.incrementAndGet();
    writes.addAndGet(batch.size());
    Object[] values = new Object[batch.size()];
    Throwable[] errors = new Throwable[batch.size()];
    if (!runTogether(batch, values, errors)) {
      // The database failed and took the shared transaction with it: run each write alone, so
      // only the faulty one fails. Rare (bad input the checks did not foresee, or a broken
      // connection), so its cost does not matter.
      replays.incrementAndGet();
      for (int i = 0; i < batch.size(); i++) {
        values[i] = null;
        errors[i] = null;
        Task<?, ?> task = batch.get(i);
        try (Handle h = jdbi.open()) {
          values[i] = h.inTransaction(task::run);
        } catch (RuntimeException | Error e) {
          errors[i] = e;
        }
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      CompletableFuture f = batch.get(i).result;
      if (errors[i] != null) {
        failed.incrementAndGet();
        f.completeExceptionally(errors[i]);
      } else {
        f.complete(values[i]);
      }
    }
  }

  /**
   * Runs the whole batch in one transaction; a write refused by its check is left out (its error
   * recorded) and the others go on. False (rolled back) when the database failed.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private boolean runTogether(List<Task<?, ?>> batch, Object[] values, Throwable[] errors) {
    try (Handle h = jdbi.open()) {
      h.begin();
      try {
        for (int i = 0; i < batch.size(); i++) {
          Task task = batch.get(i);
          Object plan;
          try {
            plan = task.check.apply(h);
          } catch (JdbiException e) {
            throw e; // the database failed: the transaction may be unusable
          } catch (RuntimeException e) {
            errors[i] = e; // refused before it wrote anything: nothing to undo
            continue;
          }
          values[i] = task.apply.apply(h, plan);
        }
        h.commit();
        return true;
      } catch (RuntimeException e) {
        h.rollback();
        return false;
      }
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
