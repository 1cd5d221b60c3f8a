package dev.grindstone.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: writes that arrive together share one transaction, and one bad write spoils none of
 * the others.
 */
class GroupCommitterTest {
  @TempDir Path dir;
  private Database db;

  @BeforeEach
  void open() {
    db = Database.open("jdbc:sqlite:" + dir.resolve("g.db"));
    db.write(h -> h.execute("CREATE TABLE T (K VARCHAR(16) PRIMARY KEY, V INTEGER NOT NULL)"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  private long rows(String key) {
    return db.read(
        h ->
            h.createQuery("SELECT COUNT(*) FROM T WHERE K = :k")
                .bind("k", key)
                .mapTo(Long.class)
                .one());
  }

  /**
   * Runs the writes while the writer is held by a write of its own, so they all wait and then share
   * one commit; returns each one's result or exception, by name.
   */
  private Map<String, Object> inOneCommit(Map<String, Supplier<Object>> writes) throws Exception {
    Map<String, Object> results = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    long batches;
    try (WriterHold hold = WriterHold.on(db)) {
      for (Map.Entry<String, Supplier<Object>> w : writes.entrySet()) {
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        results.put(w.getKey(), w.getValue().get());
                      } catch (RuntimeException e) {
                        results.put(w.getKey(), e);
                      }
                    }));
      }
      hold.awaitWaiting(writes.size());
      batches = db.commits().batches();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(db.commits().batches() - batches).as("one commit for all of them").isEqualTo(1);
    return results;
  }

  private Supplier<Object> insert(String key, AtomicInteger applied) {
    return () ->
        db.write(
            h -> {
              applied.incrementAndGet();
              return h.createUpdate("INSERT INTO T (K, V) VALUES (:k, 1)").bind("k", key).execute();
            });
  }

  @Test
  void a_write_refused_by_its_check_leaves_the_others_of_its_commit_alone() throws Exception {
    AtomicInteger applied = new AtomicInteger();
    Map<String, Supplier<Object>> writes = new java.util.LinkedHashMap<>();
    writes.put("a", insert("a", applied));
    writes.put(
        "refused",
        () ->
            db.write(
                h -> {
                  throw new IllegalArgumentException("unknown session");
                },
                (h, nothing) -> {
                  applied.incrementAndGet();
                  return h.createUpdate("INSERT INTO T (K, V) VALUES ('refused', 1)").execute();
                }));
    writes.put("b", insert("b", applied));
    long replays = db.commits().replays();

    Map<String, Object> results = inOneCommit(writes);

    assertThat(results.get("refused")).isInstanceOf(IllegalArgumentException.class);
    assertThat(results.get("a")).isEqualTo(1);
    assertThat(results.get("b")).isEqualTo(1);
    assertThat(applied).as("each good write ran once; the refused one never wrote").hasValue(2);
    assertThat(db.commits().replays()).as("nothing rolled back and run again").isEqualTo(replays);
    assertThat(rows("a") + rows("b")).isEqualTo(2);
    assertThat(rows("refused")).isZero();
  }

  @Test
  void a_check_sees_what_the_writes_before_it_in_the_same_commit_wrote() throws Exception {
    Map<String, Supplier<Object>> writes = new java.util.LinkedHashMap<>();
    writes.put("parent", insert("parent", new AtomicInteger()));
    Map<String, Object> results = inOneCommit(writes);
    assertThat(results.get("parent")).isEqualTo(1);
    // Now in one commit: a write and a check that depends on it (queued in this order).
    List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread first;
    Thread second;
    try (WriterHold hold = WriterHold.on(db)) {
      first =
          Thread.ofPlatform()
              .start(
                  () ->
                      seen.add(
                          db.write(
                              h ->
                                  h.createUpdate("INSERT INTO T (K, V) VALUES ('child', 2)")
                                      .execute())));
      hold.awaitWaiting(1);
      second =
          Thread.ofPlatform()
              .start(
                  () ->
                      seen.add(
                          db.write(
                              h ->
                                  h.createQuery("SELECT COUNT(*) FROM T WHERE K = 'child'")
                                      .mapTo(Long.class)
                                      .one(),
                              (h, found) -> "checked " + found)));
      hold.awaitWaiting(2);
    }
    first.join();
    second.join();
    assertThat(seen).contains("checked 1");
  }

  @Test
  void a_database_error_while_writing_rolls_back_the_commit_and_fails_only_the_faulty_write()
      throws Exception {
    AtomicInteger applied = new AtomicInteger();
    Map<String, Supplier<Object>> writes = new java.util.LinkedHashMap<>();
    writes.put("a", insert("a", applied));
    writes.put(
        "broken",
        () ->
            db.write(h -> h.createUpdate("INSERT INTO NO_SUCH_TABLE (K) VALUES ('x')").execute()));
    writes.put("b", insert("b", applied));
    long replays = db.commits().replays();

    Map<String, Object> results = inOneCommit(writes);

    assertThat(results.get("broken")).isInstanceOf(JdbiException.class);
    assertThat(results.get("a")).isEqualTo(1);
    assertThat(results.get("b")).isEqualTo(1);
    assertThat(db.commits().replays()).isEqualTo(replays + 1);
    assertThat(rows("a") + rows("b")).isEqualTo(2);
  }
}
