package dev.grindstone.bench.scale;

import dev.grindstone.engine.Run;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Many virtual users on one machine: USERS users (default 100,000), each making a no-op test call
 * then thinking for 1 s, for SECONDS seconds (default 60). Prints heap used (peak, and after GC),
 * TPS achieved against intended, and how late iterations started (p50, p99, max), over the run and
 * in its two phases: the first 15 s (start-up) and the rest, and in which seconds iterations
 * started more than 10 ms late. With RAMP seconds (default 0), the users are instead started by a
 * linear ramp over that time, and then held.
 *
 * <p>Run with {@code bench/scale.sh [users] [seconds] [heap] [ramp]}.
 */
public final class ScaleBenchmark {

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int ramp = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    if (ramp < 0 || ramp >= seconds) {
      throw new IllegalArgumentException(
          "The ramp ("
              + ramp
              + " s) must be at least 0 and shorter than the run ("
              + seconds
              + " s): give e.g. 100000 60 10 for a 10 s ramp in a 60 s run.");
    }
    Runnable call = new Test(1, "no-op").wrap(() -> {});
    // Two phases of the same users, so start-up (creating the users, the JIT and the collector
    // warming up) and steady state are reported apart as well as together.
    int startSeconds = Math.min(15, seconds / 2);
    ThinkTime think = new ThinkTime.Constant(Duration.ofSeconds(1));
    RunConfig.Builder builder = RunConfig.builder("scale");
    if (ramp > 0) {
      builder
          .phase(Phase.ramp("ramp", Duration.ofSeconds(ramp), 0, users).withThinkTime(think))
          .phase(
              Phase.hold("steady", Duration.ofSeconds(seconds - ramp), users).withThinkTime(think));
    } else {
      builder
          .phase(
              Phase.hold("start", Duration.ofSeconds(startSeconds), users)
                  .withThinkTime(think)
                  .withInitialSleep(Duration.ofSeconds(1)))
          .phase(
              Phase.hold("steady", Duration.ofSeconds(seconds - startSeconds), users)
                  .withThinkTime(think));
    }
    // When the late starts happened: seconds into the run -> iterations more than 10 ms late.
    Map<Long, Long> lateBySecond = new ConcurrentSkipListMap<>();
    Sink lateness =
        new Sink() {
          @Override
          public void interval(IntervalSnapshot i) {
            if (i.lateStarts() > 0) {
              lateBySecond.merge(i.elapsedMillis() / 1000, i.lateStarts(), Long::sum);
            }
          }
        };
    RunConfig config = builder.outputRoot(null).console(false).dataLog(false).build();
    long[] peakHeap = {0};
    Thread sampler =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (true) {
                    long used = 0;
                    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                      if (pool.getType() == MemoryType.HEAP) {
                        used += pool.getUsage().getUsed();
                      }
                    }
                    peakHeap[0] = Math.max(peakHeap[0], used);
                    try {
                      Thread.sleep(200);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    long cpuBefore =
        ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
            .getProcessCpuTime();
    RunSummary s = Run.of(config, user -> call.run()).sink(lateness).execute();
    long cpu =
        ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
                .getProcessCpuTime()
            - cpuBefore;
    sampler.interrupt();
    System.gc();
    long afterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    double runSeconds = (s.endEpochMillis() - s.info().startEpochMillis()) / 1000.0;
    // Without a ramp, the first second is the users' spread-out start (initial sleep up to 1 s);
    // during a ramp, half the users are running on average.
    double intended = ramp > 0 ? users * (runSeconds - ramp / 2.0) : users * (runSeconds - 1);
    var late = s.lateness();
    System.out.printf(
        Locale.ROOT,
        "users %d, %d s: %d calls, TPS %.0f (intended ~%.0f, %.1f%%)%n",
        users,
        seconds,
        s.totals().tests(),
        s.totals().tests() / runSeconds,
        intended / runSeconds,
        100.0 * s.totals().tests() / intended);
    System.out.printf(
        Locale.ROOT,
        "heap used: peak %.0f MiB, after GC at the end %.0f MiB (max heap %.0f MiB)%n",
        peakHeap[0] / 1048576.0,
        afterGc / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576.0);
    System.out.printf(
        Locale.ROOT,
        "start lateness: p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d starts > 10 ms late%n",
        late.getValueAtPercentile(50) / 1000.0,
        late.getValueAtPercentile(99) / 1000.0,
        late.getMaxValue() / 1000.0,
        s.lateStarts());
    for (RunSummary.PhaseResult p : s.phases()) {
      var h = p.lateness();
      System.out.printf(
          Locale.ROOT,
          "  phase %-6s (%4.1f s): %d starts, lateness p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          p.name(),
          (p.endEpochMillis() - p.startEpochMillis()) / 1000.0,
          h.getTotalCount(),
          h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0,
          h.getMaxValue() / 1000.0);
    }
    System.out.printf(
        Locale.ROOT,
        "process CPU: %.1f s over %.1f s (%.2f cores)%n",
        cpu / 1e9,
        runSeconds,
        cpu / 1e9 / runSeconds);
    StringBuilder bySecond = new StringBuilder();
    lateBySecond.forEach((second, n) -> bySecond.append(' ').append(second).append("s:").append(n));
    System.out.println(
        "starts > 10 ms late, by second of the run:" + (bySecond.isEmpty() ? " none" : bySecond));
  }
}
