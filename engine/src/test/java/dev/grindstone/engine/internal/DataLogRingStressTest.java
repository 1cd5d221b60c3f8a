package dev.grindstone.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.stress.Stress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Many platform and virtual producers offer rows to a small {@link DataLogRing} while the one
 * consumer drains it, so the ring wraps and fills all the time. Checked: every accepted row is
 * drained exactly once and whole (all its fields belong to the same offer, its own statistics
 * included), each producer's rows come out in the order it offered them, and every refused row is
 * counted as dropped.
 */
class DataLogRingStressTest {

  /**
   * The standard statistics and two of a protocol plug-in's, as a call of a plug-in's run sets
   * them.
   */
  private static final StatisticsSchema SCHEMA =
      StatisticsSchema.builder()
          .standard()
          .registerLong("httpplugin.responseStatus")
          .registerLong("httpplugin.responseLength")
          .build();

  private static final SampleIndex TIMED = SCHEMA.sampleIndex(StatisticsSchema.TIMED_TESTS);
  private static final LongIndex ERRORS = SCHEMA.longIndex(StatisticsSchema.ERRORS);
  private static final LongIndex STATUS = SCHEMA.longIndex("httpplugin.responseStatus");
  private static final LongIndex LENGTH = SCHEMA.longIndex("httpplugin.responseLength");

  // Every field of a row is derived from (producer, sequence), so a row mixed from two offers or
  // read before it was complete does not add up.
  private static int test(int producer, long seq) {
    return (int) (seq % 997) + producer;
  }

  private static long start(int producer, long seq) {
    return 1_700_000_000_000L + seq * 7 + producer;
  }

  private static long micros(int producer, long seq) {
    return (seq * 31 + producer) & 0xFFFF_FFFFL;
  }

  private static boolean failed(long seq) {
    return seq % 5 == 0;
  }

  private static boolean hasStatistics(long seq) {
    return seq % 3 == 0;
  }

  private static long status(long seq) {
    return 100 + seq % 500;
  }

  @Test
  void every_accepted_row_is_drained_once_whole_and_in_its_producers_order() throws Exception {
    DataLogRing ring = new DataLogRing(SCHEMA, 64);
    int platform = 4;
    int virtual = 28;
    int producers = platform + virtual;
    long[] accepted = new long[producers];
    long[] acceptedSeqSum = new long[producers];
    long[] refused = new long[producers];
    long[] drained = new long[producers];
    long[] drainedSeqSum = new long[producers];
    long[] lastSeq = new long[producers];
    Arrays.fill(lastSeq, -1);
    List<String> problems = new ArrayList<>(); // the first few
    long[] problemCount = {0};

    Stress.run(
        platform,
        virtual,
        Duration.ofMillis(1500),
        (producer, running) -> {
          // Even producers wait for room, as a caller that must not lose rows would; odd ones
          // let the ring drop, as virtual users do.
          boolean waits = producer % 2 == 0;
          StatisticsSet call = new StatisticsSet(SCHEMA);
          long n = 0;
          long sum = 0;
          long drops = 0;
          for (long seq = 0; running.getAsBoolean(); seq++) {
            call.reset();
            StatisticsSet own = null;
            if (hasStatistics(seq)) {
              call.setLong(STATUS, status(seq));
              call.setLong(LENGTH, seq);
              own = call;
            } else if (seq % 2 == 0) {
              own = call; // untouched: carries no statistics of its own
            }
            boolean offered = offer(ring, producer, seq, own);
            while (!offered) {
              drops++; // the ring counts every refusal
              if (!waits || !running.getAsBoolean()) {
                break;
              }
              Stress.letOthersRun();
              offered = offer(ring, producer, seq, own);
            }
            if (offered) {
              n++;
              sum += seq;
            }
            if ((seq & 31) == 0) {
              Stress.letOthersRun();
            }
          }
          accepted[producer] = n; // published to the reader by the thread's end
          acceptedSeqSum[producer] = sum;
          refused[producer] = drops;
        },
        () ->
            ring.drain(
                row -> {
                  int p = row.thread;
                  long seq = row.run;
                  String problem;
                  if (p < 0 || p >= producers || seq < 0) {
                    problem = "a row from nowhere: thread " + p + ", run " + seq;
                  } else {
                    problem =
                        seq <= lastSeq[p] ? "came after row " + lastSeq[p] : torn(row, p, seq);
                    lastSeq[p] = Math.max(lastSeq[p], seq);
                    drained[p]++;
                    drainedSeqSum[p] += seq;
                  }
                  if (problem != null && problemCount[0]++ < 20) {
                    problems.add("producer " + p + ", row " + seq + ": " + problem);
                  }
                }));

    assertThat(problems)
        .as("rows out of order, mixed or incomplete (%d)", problemCount[0])
        .isEmpty();
    assertThat(ring.backlog()).as("rows left in the ring").isZero();
    long refusedTotal = 0;
    for (int p = 0; p < producers; p++) {
      assertThat(accepted[p]).as("rows accepted from producer %d", p).isPositive();
      assertThat(drained[p]).as("rows drained from producer %d", p).isEqualTo(accepted[p]);
      assertThat(drainedSeqSum[p])
          .as("sum of the sequence numbers drained from producer %d", p)
          .isEqualTo(acceptedSeqSum[p]);
      refusedTotal += refused[p];
    }
    assertThat(ring.dropped()).as("rows counted as dropped").isEqualTo(refusedTotal);
  }

  private static boolean offer(DataLogRing ring, int producer, long seq, StatisticsSet call) {
    return ring.offer(
        producer,
        seq,
        test(producer, seq),
        start(producer, seq),
        micros(producer, seq) * 1_000,
        call,
        failed(seq),
        DataLogRing.EVERY_LISTENER,
        null,
        null,
        0,
        0);
  }

  /** What does not match the offer the row claims to come from, or null when it all does. */
  private static String torn(DataLogRing.Row row, int p, long seq) {
    StatisticsSet s = row.statistics;
    if (row.test != test(p, seq)) {
      return "test " + row.test;
    }
    if (row.startNanos != start(p, seq)) {
      return "start " + row.startNanos;
    }
    if (s.getCount(TIMED) != 1 || s.getSum(TIMED) != micros(p, seq)) {
      return "time " + s.getSum(TIMED) + " over " + s.getCount(TIMED) + " calls";
    }
    if (s.getLong(ERRORS) != (failed(seq) ? 1 : 0)) {
      return "errors " + s.getLong(ERRORS);
    }
    long status = hasStatistics(seq) ? status(seq) : 0;
    long length = hasStatistics(seq) ? seq : 0;
    if (s.getLong(STATUS) != status || s.getLong(LENGTH) != length) {
      return "statistics status " + s.getLong(STATUS) + ", length " + s.getLong(LENGTH);
    }
    return null;
  }
}
