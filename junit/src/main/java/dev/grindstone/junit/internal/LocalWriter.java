package dev.grindstone.junit.internal;

import dev.grindstone.junit.ExecutionContext;
import dev.grindstone.junit.MonitorSession;
import dev.grindstone.junit.TestMetric;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes rows to the local file from one daemon thread, each batch of queued rows in one
 * transaction, so a test never waits for a disk sync. {@link #add} waits only when a very large
 * backlog builds up (rows already measured are never dropped). Thread-safe.
 */
public final class LocalWriter {
  private static final int CAPACITY = 100_000;
  private static final long POLL_NANOS = 20_000_000;

  private final Path file;
  private final Consumer<String> warn;
  private final Handoff<TestMetric> queue = new Handoff<>(CAPACITY, POLL_NANOS);
  private final Thread thread;
  private volatile boolean broken;
  private long written;

  public LocalWriter(
      Path file, ExecutionContext context, MonitorSession session, Consumer<String> warn) {
    this.file = file;
    this.warn = warn;
    this.thread =
        Thread.ofPlatform()
            .daemon()
            .name("grindstone-monitor-writer")
            .unstarted(() -> run(context, session));
    thread.start();
  }

  /** Queues a row for the file. */
  public void add(TestMetric m) {
    if (!broken) queue.put(m);
  }

  /** Writes what is queued and closes the file; returns the number of rows written. */
  public long close(Duration maxWait) {
    queue.close();
    try {
      thread.join(maxWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      warn.accept(
          "writing "
              + file
              + " took longer than "
              + maxWait.toSeconds()
              + " s; "
              + queue.size()
              + " rows may be missing from it");
    }
    return written;
  }

  private void run(ExecutionContext context, MonitorSession session) {
    LocalStore store;
    try {
      store = LocalStore.open(file);
      store.begin(context, session);
    } catch (SQLException e) {
      broken = true;
      queue.clear();
      warn.accept(
          "cannot write "
              + file.toAbsolutePath()
              + " ("
              + e.getMessage()
              + "); results of this run are not stored locally");
      return;
    }
    try (store) {
      List<TestMetric> rows = new ArrayList<>();
      while (queue.drainTo(rows)) {
        if (!rows.isEmpty()) {
          store.write(rows);
          written += rows.size();
        }
        rows.clear();
      }
    } catch (SQLException e) {
      broken = true;
      queue.clear();
      warn.accept(
          "cannot write "
              + file.toAbsolutePath()
              + " ("
              + e.getMessage()
              + "); later results of this run are not stored locally");
    }
  }
}
