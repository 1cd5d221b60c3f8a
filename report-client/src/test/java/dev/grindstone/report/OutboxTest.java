package dev.grindstone.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery policy, over a scripted endpoint: what is sent, retried, spooled, given up and
 * counted.
 */
class OutboxTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** Items as spool lines: the text itself. */
  static final Outbox.Codec<String> LINES =
      new Outbox.Codec<>() {
        @Override
        public String encode(String item) {
          return item;
        }

        @Override
        public String decode(String line) {
          return line.startsWith("item-") ? line : null;
        }
      };

  /**
   * A server as the outbox sees it: answers from a script (then delivered), or down until told
   * otherwise; records every batch it was sent and every batch it took.
   */
  static final class ScriptedServer implements Outbox.Endpoint<String> {
    final List<List<String>> attempts = new CopyOnWriteArrayList<>();
    final List<String> taken = new CopyOnWriteArrayList<>();
    private final Deque<Outbox.Outcome> script = new ArrayDeque<>();
    volatile boolean down;
    volatile CountDownLatch hold = new CountDownLatch(0);

    ScriptedServer answer(Outbox.Outcome... outcomes) {
      synchronized (script) {
        script.addAll(List.of(outcomes));
      }
      return this;
    }

    @Override
    public Outbox.Outcome send(List<String> batch) throws InterruptedException {
      hold.await();
      attempts.add(batch);
      if (down) {
        return Outbox.Outcome.retry("ConnectException: Connection refused");
      }
      Outbox.Outcome o;
      synchronized (script) {
        o = script.isEmpty() ? Outbox.Outcome.delivered() : script.poll();
      }
      if (o.kind() == Outbox.Outcome.Kind.DELIVERED) {
        taken.addAll(batch);
      }
      return o;
    }
  }

  /** A listener that writes each failed batch and its reason into {@code into}. */
  static Outbox.Listener<String> failuresInto(List<String> into) {
    return new Outbox.Listener<>() {
      @Override
      public void failed(List<String> batch, String reason) {
        into.add(batch + " " + reason);
      }
    };
  }

  static List<String> items(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "item-" + i).toList();
  }

  static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting until " + what).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void items_are_delivered_in_order_in_batches_of_at_most_max_batch() throws Exception {
    ScriptedServer server = new ScriptedServer();
    server.hold = new CountDownLatch(1); // the first batch waits, so the rest queue up behind it
    try (Outbox<String> outbox = Outbox.builder(server).maxBatch(4).start()) {
      items(0, 10).forEach(outbox::offer);
      server.hold.countDown();
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(server.taken).containsExactlyElementsOf(items(0, 10));
      assertThat(server.attempts).allSatisfy(b -> assertThat(b).hasSizeBetween(1, 4));
      assertThat(outbox.counters()).isEqualTo(new Outbox.Counters(10, 0, 0, 0, 0));
    }
  }

  @Test
  void a_failed_attempt_is_retried_after_delays_that_double_up_to_the_maximum() throws Exception {
    List<Duration> sleeps = new CopyOnWriteArrayList<>();
    ScriptedServer server =
        new ScriptedServer()
            .answer(
                Outbox.Outcome.retry("HTTP 503"),
                Outbox.Outcome.retry("HTTP 503"),
                Outbox.Outcome.retry("HTTP 503"),
                Outbox.Outcome.retry("HTTP 503"));
    try (Outbox<String> outbox =
        Outbox.builder(server)
            .backoff(Duration.ofSeconds(1), Duration.ofSeconds(3))
            .sleeper(sleeps::add)
            .start()) {
      outbox.offer("item-0");
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(sleeps)
          .containsExactly(
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              Duration.ofSeconds(3),
              Duration.ofSeconds(3));
      assertThat(server.taken).containsExactly("item-0");
      assertThat(outbox.counters().retries()).isEqualTo(4);
      assertThat(outbox.counters().sent()).isEqualTo(1);
    }
  }

  @Test
  void without_a_spool_a_batch_out_of_attempts_is_given_up_and_reported_once() throws Exception {
    List<String> failures = new CopyOnWriteArrayList<>();
    ScriptedServer server = new ScriptedServer();
    server.down = true;
    try (Outbox<String> outbox =
        Outbox.builder(server)
            .maxAttempts(3)
            .sleeper(d -> {})
            .listener(failuresInto(failures))
            .start()) {
      outbox.offer("item-0");
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(server.attempts).hasSize(3);
      assertThat(failures).containsExactly("[item-0] ConnectException: Connection refused");
      assertThat(outbox.counters())
          .as("the last attempt is not retried")
          .isEqualTo(new Outbox.Counters(0, 1, 0, 0, 2));
    }
  }

  @Test
  void a_batch_the_server_refuses_is_given_up_at_once_and_the_next_one_goes() throws Exception {
    List<String> failures = new CopyOnWriteArrayList<>();
    List<Duration> sleeps = new CopyOnWriteArrayList<>();
    ScriptedServer server =
        new ScriptedServer().answer(Outbox.Outcome.refused("HTTP 400 {\"error\":\"no\"}"));
    try (Outbox<String> outbox =
        Outbox.builder(server)
            .sleeper(sleeps::add)
            .spool(dir.resolve("s.jsonl"), "k", LINES)
            .listener(failuresInto(failures))
            .start()) {
      outbox.offer("item-0");
      outbox.offer("item-1");
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(failures).containsExactly("[item-0] HTTP 400 {\"error\":\"no\"}");
      assertThat(server.taken).containsExactly("item-1");
      assertThat(sleeps).isEmpty();
      assertThat(outbox.counters()).isEqualTo(new Outbox.Counters(1, 1, 0, 0, 0));
    }
  }

  @Test
  void offers_never_wait_for_a_stuck_server_and_those_beyond_the_capacity_are_dropped()
      throws Exception {
    ScriptedServer server = new ScriptedServer();
    server.hold = new CountDownLatch(1);
    List<Integer> full = new CopyOnWriteArrayList<>();
    Outbox<String> outbox =
        Outbox.builder(server)
            .capacity(5)
            .listener(
                new Outbox.Listener<>() {
                  @Override
                  public void queueFull(int capacity) {
                    full.add(capacity);
                  }
                })
            .start();
    long accepted = items(0, 100).stream().filter(outbox::offer).count();
    // One batch may be in flight; five wait; the rest are dropped.
    assertThat(accepted).isBetween(5L, 6L);
    assertThat(outbox.counters().dropped()).isEqualTo(100 - accepted);
    assertThat(full).containsExactly(5);
    server.hold.countDown();
    outbox.close(WAIT);
    Outbox.Counters c = outbox.counters();
    assertThat(c.sent()).isEqualTo(accepted);
    assertThat(c.sent() + c.dropped()).isEqualTo(100);
    assertThat(outbox.offer("item-late")).as("closed").isFalse();
  }

  @Test
  void while_the_server_is_down_everything_pending_is_spooled_and_sent_in_order_when_it_is_back()
      throws Exception {
    ScriptedServer server = new ScriptedServer();
    server.down = true;
    Path spool = dir.resolve("run.jsonl");
    // Capacity 4: at most 2 items stay in memory while spooling; the rest wait on disk only.
    try (Outbox<String> outbox =
        Outbox.builder(server)
            .capacity(4)
            .spool(spool, "http://host:8080", LINES)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .start()) {
      List<String> all = items(0, 30);
      for (int i = 0; i < all.size(); i++) {
        outbox.offer(all.get(i));
        int onDisk = i + 1;
        // One at a time, so the bounded queue never overflows while the sender waits out a backoff.
        await(
            onDisk + " items on disk",
            () -> Files.exists(spool) && Spool.read(spool, LINES).size() == onDisk);
      }
      assertThat(outbox.flush(Duration.ofMillis(50))).as("nothing can be delivered").isFalse();
      assertThat(Spool.read(spool, LINES))
          .as("every pending item is on disk, in order")
          .containsExactlyElementsOf(items(0, 30));
      assertThat(Spool.server(spool)).isEqualTo("http://host:8080");
      assertThat(outbox.counters().pending()).isEqualTo(30);
      assertThat(outbox.counters().dropped()).isZero();

      server.down = false;
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(server.taken).containsExactlyElementsOf(items(0, 30));
      assertThat(spool).as("deleted once everything went").doesNotExist();
      assertThat(outbox.counters().sent()).isEqualTo(30);
      assertThat(outbox.counters().retries()).isPositive();
    }
  }

  @Test
  void what_one_outbox_leaves_in_its_spool_the_next_one_of_the_same_file_sends_first()
      throws Exception {
    Path spool = dir.resolve("left.jsonl");
    ScriptedServer down = new ScriptedServer();
    down.down = true;
    Outbox<String> first =
        Outbox.builder(down).spool(spool, "k", LINES).sleeper(d -> Thread.sleep(1)).start();
    items(0, 3).forEach(first::offer);
    assertThat(first.flush(Duration.ofMillis(100))).isFalse();
    first.close();
    assertThat(Spool.read(spool, LINES)).containsExactlyElementsOf(items(0, 3));
    assertThat(first.counters().pending()).as("kept, not dropped").isEqualTo(3);
    assertThat(first.counters().dropped()).isZero();

    ScriptedServer up = new ScriptedServer();
    try (Outbox<String> second = Outbox.builder(up).spool(spool, "k", LINES).start()) {
      second.offer("item-3");
      assertThat(second.flush(WAIT)).isTrue();
      assertThat(up.taken).containsExactlyElementsOf(items(0, 4));
      assertThat(spool).doesNotExist();
    }
  }

  @Test
  void a_spool_file_is_used_by_one_outbox_at_a_time() throws Exception {
    Path spool = dir.resolve("one.jsonl");
    List<String> problems = new CopyOnWriteArrayList<>();
    ScriptedServer server = new ScriptedServer();
    try (Outbox<String> first = Outbox.builder(server).spool(spool, "k", LINES).start();
        Outbox<String> second =
            Outbox.builder(server)
                .spool(spool, "k", LINES)
                .listener(
                    new Outbox.Listener<>() {
                      @Override
                      public void problem(String message) {
                        problems.add(message);
                      }
                    })
                .start()) {
      assertThat(problems)
          .singleElement()
          .asString()
          .contains(spool.toString(), "in use", "in memory only");
      second.offer("item-0");
      assertThat(second.flush(WAIT)).isTrue();
      assertThat(first.counters().sent()).isZero();
    }
  }

  @Test
  void without_a_spool_what_is_undelivered_at_close_is_counted_as_dropped() throws Exception {
    ScriptedServer server = new ScriptedServer();
    server.down = true;
    Outbox<String> outbox = Outbox.builder(server).sleeper(d -> Thread.sleep(1)).start();
    items(0, 5).forEach(outbox::offer);
    outbox.close(Duration.ofMillis(50));
    Outbox.Counters c = outbox.counters();
    assertThat(c.dropped()).isEqualTo(5);
    assertThat(c.pending()).isZero();
    assertThat(c.sent() + c.failed()).isZero();
  }

  @Test
  void under_stop_on_failure_the_first_failure_is_reported_once_and_the_rest_is_failed()
      throws Exception {
    List<String> failures = new CopyOnWriteArrayList<>();
    ScriptedServer server = new ScriptedServer().answer(Outbox.Outcome.retry("HTTP 500 boom"));
    server.hold = new CountDownLatch(1);
    try (Outbox<String> outbox =
        Outbox.builder(server)
            .maxAttempts(1)
            .stopOnFailure(true)
            .listener(failuresInto(failures))
            .start()) {
      items(0, 5).forEach(outbox::offer);
      server.hold.countDown();
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(outbox.offer("item-5")).isFalse();
      assertThat(failures).containsExactly("[item-0] HTTP 500 boom");
      assertThat(server.attempts).hasSize(1);
      assertThat(outbox.counters()).isEqualTo(new Outbox.Counters(0, 6, 0, 0, 0));
    }
  }

  @Test
  void a_failed_handshake_is_reported_as_a_failed_empty_batch() throws Exception {
    List<String> failures = new CopyOnWriteArrayList<>();
    List<List<String>> sent = new CopyOnWriteArrayList<>();
    Outbox.Endpoint<String> endpoint =
        new Outbox.Endpoint<>() {
          @Override
          public Outbox.Outcome open() {
            return Outbox.Outcome.retry("POST /contexts/ answered 500 instead of 201");
          }

          @Override
          public Outbox.Outcome send(List<String> batch) {
            sent.add(batch);
            return Outbox.Outcome.delivered();
          }
        };
    try (Outbox<String> outbox =
        Outbox.builder(endpoint).stopOnFailure(true).listener(failuresInto(failures)).start()) {
      await("the handshake", () -> !failures.isEmpty());
      outbox.offer("item-0");
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(failures).containsExactly("[] POST /contexts/ answered 500 instead of 201");
      assertThat(sent).isEmpty();
      assertThat(outbox.counters().failed()).isEqualTo(1);
    }
  }

  @Test
  void a_defect_in_the_endpoint_gives_up_the_batch_and_delivery_goes_on() throws Exception {
    List<String> failures = new CopyOnWriteArrayList<>();
    List<String> taken = new ArrayList<>();
    Outbox.Endpoint<String> endpoint =
        batch -> {
          if (batch.contains("item-0")) {
            throw new IllegalStateException("cannot encode");
          }
          synchronized (taken) {
            taken.addAll(batch);
          }
          return Outbox.Outcome.delivered();
        };
    try (Outbox<String> outbox =
        Outbox.builder(endpoint).listener(failuresInto(failures)).start()) {
      outbox.offer("item-0");
      outbox.offer("item-1");
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(failures)
          .containsExactly("[item-0] java.lang.IllegalStateException: cannot encode");
      synchronized (taken) {
        assertThat(taken).containsExactly("item-1");
      }
    }
  }

  @Test
  void many_offering_threads_lose_nothing_and_the_counters_add_up() throws Exception {
    ScriptedServer server = new ScriptedServer();
    try (Outbox<String> outbox = Outbox.builder(server).capacity(100_000).maxBatch(50).start()) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int from = t * 1000;
        threads.add(
            Thread.ofVirtual().start(() -> items(from, from + 1000).forEach(outbox::offer)));
      }
      for (Thread t : threads) {
        assertThat(t.join(WAIT)).isTrue();
      }
      assertThat(outbox.flush(WAIT)).isTrue();
      assertThat(server.taken).hasSize(8000).doesNotHaveDuplicates();
      assertThat(outbox.counters()).isEqualTo(new Outbox.Counters(8000, 0, 0, 0, 0));
    }
  }

  @Test
  void a_spool_file_in_a_folder_that_does_not_exist_yet_gets_its_folder() throws Exception {
    Path spool = dir.resolve("results").resolve("spool").resolve("x.jsonl");
    ScriptedServer server = new ScriptedServer();
    server.down = true;
    Outbox<String> outbox =
        Outbox.builder(server).spool(spool, "k", LINES).sleeper(d -> Thread.sleep(1)).start();
    outbox.offer("item-0");
    assertThat(outbox.flush(Duration.ofMillis(50))).isFalse();
    outbox.close();
    assertThat(Spool.read(spool, LINES)).containsExactly("item-0");
  }

  @Test
  void a_spool_and_stop_on_failure_are_refused_together() {
    assertThatThrownBy(
            () ->
                Outbox.builder(new ScriptedServer())
                    .stopOnFailure(true)
                    .spool(dir.resolve("x.jsonl"), "k", LINES)
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stopOnFailure and a spool");
    assertThatThrownBy(() -> Outbox.builder(new ScriptedServer()).capacity(0))
        .hasMessage("capacity: must be 1 or more, got 0");
  }

  @Test
  void close_waits_no_longer_than_it_is_told_for_a_server_that_never_answers() throws Exception {
    ScriptedServer server = new ScriptedServer();
    server.hold = new CountDownLatch(1); // never released: the send hangs until interrupted
    Outbox<String> outbox = Outbox.builder(server).start();
    outbox.offer("item-0");
    long t0 = System.nanoTime();
    outbox.close(Duration.ofMillis(100));
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
    assertThat(outbox.counters().dropped()).isEqualTo(1);
  }
}
