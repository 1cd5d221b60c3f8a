package dev.grindstone.server.store;

import java.util.concurrent.CountDownLatch;

/**
 * Holds a store's writer with a write of its own, so that the writes submitted meanwhile wait and,
 * once it is released, share one commit.
 */
public final class WriterHold implements AutoCloseable {
  private final Database db;
  private final CountDownLatch release = new CountDownLatch(1);
  private final Thread holder;

  private WriterHold(Database db) throws InterruptedException {
    this.db = db;
    CountDownLatch holding = new CountDownLatch(1);
    this.holder =
        Thread.ofPlatform()
            .start(
                () ->
                    db.write(
                        h -> {
                          holding.countDown();
                          try {
                            release.await();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return null;
                        }));
    holding.await();
  }

  /** Returns once the writer is held. */
  public static WriterHold on(Database db) throws InterruptedException {
    return new WriterHold(db);
  }

  /** Waits until {@code n} writes wait for the writer (at most 30 s). */
  public void awaitWaiting(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (db.commits().waiting() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "only " + db.commits().waiting() + " of " + n + " writes came to the writer");
      }
      Thread.sleep(2);
    }
  }

  /** Lets the writer go on, and waits until its own write is done. */
  @Override
  public void close() throws InterruptedException {
    release.countDown();
    holder.join();
  }
}
