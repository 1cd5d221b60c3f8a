package dev.grindstone.stats.latency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.stats.stress.Stress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many platform and virtual writers update plain fields under {@link StripeLocks} while one reader
 * drains them. Checked: no two holders of a stripe at once; what a writer stored under a stripe is
 * whole when the next holder takes it (the release publishes every plain store before it); and
 * every update is drained exactly once, none lost and none counted twice.
 */
class StripeLocksStressTest {

  /**
   * Per stripe, plain fields as a recorder keeps them: a count, a sum, and a mirror of the sum that
   * every update keeps at {@code -sum}, so a half-done update shows as {@code sum + mirror != 0}.
   */
  private static final class Stripes {
    final long[] count;
    final long[] sum;
    final long[] mirror;
    final AtomicIntegerArray holders;

    Stripes(int n) {
      count = new long[n];
      sum = new long[n];
      mirror = new long[n];
      holders = new AtomicIntegerArray(n);
    }
  }

  @Test
  void plain_updates_under_the_stripes_are_exclusive_whole_and_drained_exactly_once()
      throws Exception {
    StripeLocks locks = new StripeLocks(4);
    Stripes s = new Stripes(locks.stripes());
    int platform = 4;
    int virtual = 32;
    long[] writtenCount = new long[platform + virtual];
    long[] writtenSum = new long[platform + virtual];
    AtomicLong overlaps = new AtomicLong();
    AtomicLong tornReads = new AtomicLong();
    long[] drainedCount = {0};
    long[] drainedSum = {0};

    Stress.run(
        platform,
        virtual,
        Duration.ofMillis(1500),
        (index, running) -> {
          long n = 0;
          long total = 0;
          while (running.getAsBoolean()) {
            long value = index + 1 + (n & 0xFF);
            int i = locks.acquire();
            try {
              if (s.holders.incrementAndGet(i) != 1) {
                overlaps.incrementAndGet();
              }
              s.count[i]++;
              s.sum[i] += value;
              s.mirror[i] -= value;
              s.holders.decrementAndGet(i);
            } finally {
              locks.release(i);
            }
            n++;
            total += value;
            if ((n & 63) == 0) {
              Stress.letOthersRun();
            }
          }
          writtenCount[index] = n; // published to the reader by the thread's end
          writtenSum[index] = total;
        },
        () -> {
          for (int i = 0; i < s.count.length; i++) {
            locks.acquire(i);
            try {
              if (s.holders.incrementAndGet(i) != 1) {
                overlaps.incrementAndGet();
              }
              if (s.sum[i] + s.mirror[i] != 0) {
                tornReads.incrementAndGet();
              }
              drainedCount[0] += s.count[i];
              drainedSum[0] += s.sum[i];
              s.count[i] = 0;
              s.sum[i] = 0;
              s.mirror[i] = 0;
              s.holders.decrementAndGet(i);
            } finally {
              locks.release(i);
            }
          }
        });

    assertThat(overlaps).as("times two threads held one stripe").hasValue(0);
    assertThat(tornReads).as("drains that saw a half-done update").hasValue(0);
    long count = 0;
    long sum = 0;
    for (int w = 0; w < writtenCount.length; w++) {
      assertThat(writtenCount[w]).as("updates by writer %d", w).isPositive();
      count += writtenCount[w];
      sum += writtenSum[w];
    }
    assertThat(drainedCount[0]).as("updates drained").isEqualTo(count);
    assertThat(drainedSum[0]).as("sum drained").isEqualTo(sum);
  }
}
