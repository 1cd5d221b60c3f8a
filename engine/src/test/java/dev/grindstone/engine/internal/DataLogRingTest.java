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

  /** The standard statistics and a protocol plug-in's status, as a call of a plug-in's run sets it. */
  private final StatisticsSchema schema =
      StatisticsSchema.builder().standard().registerLong("httpplugin.responseStatus").build();
  private final SampleIndex timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
  private final LongIndex errors = schema.longIndex(StatisticsSchema.ERRORS);
  private final LongIndex status = schema.longIndex("httpplugin.responseStatus");

  private record Seen(int thread, long run, int test, long start, long micros, long errors, long status) {}

  private List<Seen> drain(DataLogRing ring) {
    List<Seen> seen = new ArrayList<>();
    ring.drain(r -> seen.add(new Seen(r.thread, r.run, r.test, r.startEpochMillis,
        r.statistics.getSum(timed), r.statistics.getLong(errors), r.statistics.getLong(status))));
    return seen;
  }

  @Test
  void a_row_carries_who_when_its_time_its_error_flag_and_the_calls_own_statistics() {
    DataLogRing ring = new DataLogRing(schema, 8);
    StatisticsSet http = new StatisticsSet(schema);
    http.setLong(status, 404);
    ring.offer(7, 3, 12, 1_700_000_000_123L, http, 2_500, true);
    ring.offer(Integer.MAX_VALUE, Long.MAX_VALUE, 99, 5L, new StatisticsSet(schema), 3_600_000_000L, false);
    ring.offer(1, 1, 1, 6L, null, 0, false);
    assertThat(drain(ring)).containsExactly(
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
      ring.offer(1, i, 1, i, i % 2 == 0 ? http : null, 10, false);
      assertThat(drain(ring)).singleElement().extracting(Seen::status).isEqualTo(i % 2 == 0 ? 200L : 0L);
    }
  }

  @Test
  void a_full_ring_drops_and_counts_rows_and_keeps_the_ones_it_accepted() {
    DataLogRing ring = new DataLogRing(schema, 4);
    for (int i = 0; i < 6; i++) {
      ring.offer(1, i, 1, i, null, i, false);
    }
    assertThat(ring.dropped()).isEqualTo(2);
    assertThat(ring.backlog()).isEqualTo(4);
    assertThat(drain(ring)).extracting(Seen::run).containsExactly(0L, 1L, 2L, 3L);
    assertThat(ring.offer(1, 9, 1, 9, null, 9, false)).isTrue();
  }

  @Test
  void rows_from_many_threads_are_all_drained_once() throws InterruptedException {
    DataLogRing ring = new DataLogRing(schema, 1 << 10);
    int threads = 4;
    int perThread = 20_000;
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      writers.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < perThread; i++) {
          while (!ring.offer(id, i, 1, 0, null, i, false)) {
            Thread.yield();
          }
        }
      }));
    }
    long[] sums = new long[threads];
    long[] counts = new long[threads];
    while (writers.stream().anyMatch(Thread::isAlive) || ring.backlog() > 0) {
      ring.drain(r -> {
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
