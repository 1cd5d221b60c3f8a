package dev.grindstone.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * One writer thread that commits the writes waiting at the same moment in one transaction (group
 * commit). If one of them fails, the batch is rolled back and each write is run again in its own
 * transaction, so only the faulty write fails and its caller gets its exception. A caller returns only after the commit that holds its
 * write, so an acknowledged write is durable as far as the store's settings make it.
 *
 * <p>Why: a commit costs far more than an insert (a WAL append, or an fsync on PostgreSQL), so
 * sharing it among concurrent requests multiplies ingest throughput. Thread-safe.
 */
final class GroupCommitter implements AutoCloseable {
  private static final int MAX_BATCH = 256;

  private record Task<T>(Function<Handle, T> work, CompletableFuture<T> result) {}

  private final Jdbi jdbi;
  private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  GroupCommitter(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.thread = new Thread(this::loop, "grindstone-db-writer");
    thread.setDaemon(true);
    thread.start();
  }

  <T> T submit(Function<Handle, T> work) {
    if (closed) {
      throw new IllegalStateException("the store is closed");
    }
    Task<T> task = new Task<>(work, new CompletableFuture<>());
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

  private void loop() {
    List<Task<?>> batch = new ArrayList<>(MAX_BATCH);
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
    Task<?> t;
    while ((t = queue.poll()) != null) {
      t.result.completeExceptionally(new IllegalStateException("the store is closed"));
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void run(List<Task<?>> batch) {
    Object[] values = new Object[batch.size()];
    Throwable[] errors = new Throwable[batch.size()];
    if (!runTogether(batch, values)) {
      // One write failed and took the shared transaction with it: run each alone, so only the
      // faulty one fails. Rare (bad input that passed validation), so its cost does not matter.
      for (int i = 0; i < batch.size(); i++) {
        values[i] = null;
        try (Handle h = jdbi.open()) {
          values[i] = h.inTransaction(batch.get(i).work::apply);
        } catch (RuntimeException | Error e) {
          errors[i] = e;
        }
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      CompletableFuture f = batch.get(i).result;
      if (errors[i] != null) {
        f.completeExceptionally(errors[i]);
      } else {
        f.complete(values[i]);
      }
    }
  }

  /** Runs the whole batch in one transaction; false (rolled back) if any write failed. */
  private boolean runTogether(List<Task<?>> batch, Object[] values) {
    try (Handle h = jdbi.open()) {
      h.begin();
      try {
        for (int i = 0; i < batch.size(); i++) {
          values[i] = batch.get(i).work.apply(h);
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
