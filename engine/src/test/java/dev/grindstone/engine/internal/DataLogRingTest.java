package dev.grindstone.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLogRingTest {

  /**
   * The standard statistics and a protocol plug-in's status, as a call of a plug-in's run sets it.
   */
  private final StatisticsSchema schema =
      StatisticsSchema.builder().standard().registerLong("httpplugin.responseStatus").build();

  private final SampleIndex timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
  private final LongIndex errors = schema.longIndex(StatisticsSchema.ERRORS);
  private final LongIndex status = schema.longIndex("httpplugin.responseStatus");

  private record Seen(
      int thread, long run, int test, long start, long micros, long errors, long status) {}

  private List<Seen> drain(DataLogRing ring) {
    List<Seen> seen = new ArrayList<>();
    ring.drain(
        r ->
            seen.add(
                new Seen(
                    r.thread,
                    r.run,
                    r.test,
                    r.startNanos,
                    r.statistics.getSum(timed),
                    r.statistics.getLong(errors),
                    r.statistics.getLong(status))));
    return seen;
  }

  /** Offers a call timed in µs, routed to every listener, that told no request. */
  private static boolean offer(
      DataLogRing ring,
      int thread,
      long run,
      int test,
      long startNanos,
      StatisticsSet call,
      long micros,
      boolean failed) {
    return ring.offer(
        thread,
        run,
        test,
        startNanos,
        micros * 1_000,
        call,
        failed,
        DataLogRing.EVERY_LISTENER,
        null,
        null,
        0,
        0);
  }

  @Test
  void
      a_row_carries_its_route_and_time_in_nanoseconds_and_its_request_when_the_ring_carries_requests() {
    DataLogRing ring = new DataLogRing(schema, 4, true);
    ring.offer(
        2,
        5,
        3,
        1_000L,
        1_234_567L,
        null,
        false,
        DataLogRing.route(7, 1, 0b101),
        "GET",
        "http://127.0.0.1/a?b=c",
        200,
        12);
    ring.offer(2, 6, 3, 2_000L, 999L, null, true, DataLogRing.route(-1, 0, 0), null, null, 0, 0);
    List<String> seen = new ArrayList<>();
    ring.drain(
        r ->
            seen.add(
                r.elapsedNanos
                    + " "
                    + r.micros
                    + " "
                    + r.phase
                    + " "
                    + r.scenario
                    + " "
                    + Integer.toBinaryString(r.listeners)
                    + " "
                    + r.method
                    + " "
                    + r.url
                    + " "
                    + r.status
                    + " "
                    + r.bytes));
    assertThat(seen)
        .containsExactly(
            "1234567 1234 7 1 101 GET http://127.0.0.1/a?b=c 200 12", "999 0 -1 0 0 null null 0 0");
  }

  @Test
  void a_ring_that_does_not_carry_requests_leaves_them_out() {
    DataLogRing ring = new DataLogRing(schema, 4);
    ring.offer(
        2,
        5,
        3,
        1_000L,
        1_000L,
        null,
        false,
        DataLogRing.EVERY_LISTENER,
        "GET",
        "http://x/",
        200,
        12);
    List<String> seen = new ArrayList<>();
    ring.drain(r -> seen.add(r.method + " " + r.status + " " + Integer.toHexString(r.listeners)));
    assertThat(seen).containsExactly("null 0 ffffffff");
  }

  @Test
  void a_row_carries_who_when_its_time_its_error_flag_and_the_calls_own_statistics() {
    DataLogRing ring = new DataLogRing(schema, 8);
    StatisticsSet http = new StatisticsSet(schema);
    http.setLong(status, 404);
    offer(ring, 7, 3, 12, 1_700_000_000_123L, http, 2_500, true);
    offer(
        ring,
        Integer.MAX_VALUE,
        Long.MAX_VALUE,
        99,
        5L,
        new StatisticsSet(schema),
        3_600_000_000L,
        false);
    offer(ring, 1, 1, 1, 6L, null, 0, false);
    assertThat(drain(ring))
        .containsExactly(
            new Seen(7, 3, 12, 1_700_000_000_123L, 2_500, 1, 404),
            new Seen(Integer.MAX_VALUE, Long.MAX_VALUE, 99, 5L, 3_600_000_000L, 0, 0),
            new Seen(1, 1, 1, 6L, 0, 0, 0));
  }

  @Test
  void a_row_without_statistics_after_one_with_them_reads_as_zeros() {
    DataLogRing ring = new DataLogRing(schema, 2);
    StatisticsSet http = new StatisticsSet(schema);
    http.setLong(status, 200);
    for (int i = 0; i < 4; i++) {
      offer(ring, 1, i, 1, i, i % 2 == 0 ? http : null, 10, false);
      assertThat(drain(ring))
          .singleElement()
          .extracting(Seen::status)
          .isEqualTo(i % 2 == 0 ? 200L : 0L);
    }
  }

  @Test
  void a_full_ring_drops_and_counts_rows_and_keeps_the_ones_it_accepted() {
    DataLogRing ring = new DataLogRing(schema, 4);
    for (int i = 0; i < 6; i++) {
      offer(ring, 1, i, 1, i, null, i, false);
    }
    assertThat(ring.dropped()).isEqualTo(2);
    assertThat(ring.backlog()).isEqualTo(4);
    assertThat(drain(ring)).extracting(Seen::run).containsExactly(0L, 1L, 2L, 3L);
    assertThat(offer(ring, 1, 9, 1, 9, null, 9, false)).isTrue();
  }

  @Test
  void rows_from_many_threads_are_all_drained_once() throws InterruptedException {
    DataLogRing ring = new DataLogRing(schema, 1 << 10);
    int threads = 4;
    int perThread = 20_000;
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      writers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < perThread; i++) {
                      while (!offer(ring, id, i, 1, 0, null, i, false)) {
                        Thread.yield();
                      }
                    }
                  }));
    }
    long[] sums = new long[threads];
    long[] counts = new long[threads];
    while (writers.stream().anyMatch(Thread::isAlive) || ring.backlog() > 0) {
      ring.drain(
          r -> {
            sums[r.thread] += r.run;
            counts[r.thread]++;
          });
    }
    for (int t = 0; t < threads; t++) {
      assertThat(counts[t]).isEqualTo(perThread);
      assertThat(sums[t]).isEqualTo((long) perThread * (perThread - 1) / 2);
    }
  }

  @Test
  void the_capacity_must_be_a_power_of_two() {
    assertThatThrownBy(() -> new DataLogRing(schema, 1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two ≥ 2, got 1000");
  }
}
