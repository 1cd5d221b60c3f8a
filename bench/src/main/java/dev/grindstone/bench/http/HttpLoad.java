package dev.grindstone.bench.http;

import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpFailure;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpResponse;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Grindstone's side of {@code bench/compare-http.sh}: a closed loop of virtual users, each sending one request
 * after the other through one {@link HttpClient}, every request's time recorded in an HdrHistogram
 * {@link Recorder}. A status of 400 or more, an empty body or a failure counts as an error. After a warm-up it measures a window: requests, errors, the process's CPU time from
 * {@code /proc/self/stat}, and the bytes the whole process allocated on the heap per request. Prints one {@code RESULT key=value ...} line.
 *
 * <p>Usage: {@code HttpLoad <url> [users=50] [seconds=20] [warmupSeconds=5] [eventLoops=1]}. Loopback targets only.
 */
public final class HttpLoad {
    private HttpLoad() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: HttpLoad <url> [users=50] [seconds=20] [warmupSeconds=5] [eventLoops=1]");
            System.exit(2);
        }
        String url = args[0];
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int loops = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        HttpRequest request = HttpRequest.get(url).build();
        String host = request.host();
        if (!(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1"))) {
            System.err.println("HttpLoad sends load to loopback targets only, not to " + host);
            System.exit(2);
        }
        Recorder recorder = new Recorder(3_600_000_000L, 3);
        LongAdder errors = new LongAdder();
        LongAdder requests = new LongAdder();
        try (HttpClient client = HttpClient.builder().eventLoops(loops).maxConnectionsPerHost(users)
                .requestTimeout(Duration.ofSeconds(10)).build()) {
            long end = System.nanoTime() + (long) (warmup + seconds) * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                threads.add(Thread.ofVirtual().name("user-" + u).start(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse r = client.send(request);
                            if (r.status() >= 400 || r.bodyLength() == 0) {
                                errors.increment();
                            }
                        } catch (HttpFailure f) {
                            errors.increment();
                        }
                        recorder.recordValue((System.nanoTime() - t0) / 1000);
                        requests.increment();
                    }
                }));
            }
            Thread.sleep(warmup * 1000L);
            long cpu0 = cpuTicks();
            long alloc0 = allocatedBytes();
            long n0 = requests.sum();
            long e0 = errors.sum();
            long t0 = System.nanoTime();
            recorder.getIntervalHistogram(); // drop the warm-up's latencies
            Thread.sleep(seconds * 1000L);
            long t1 = System.nanoTime();
            long n1 = requests.sum();
            long e1 = errors.sum();
            long cpu1 = cpuTicks();
            long alloc1 = allocatedBytes();
            Histogram h = recorder.getIntervalHistogram();
            for (Thread t : threads) {
                t.join();
            }
            double window = (t1 - t0) / 1e9;
            double cpu = (cpu1 - cpu0) / 100.0; // USER_HZ is 100 on Linux
            long n = n1 - n0;
            System.out.printf(Locale.ROOT, "RESULT requests=%d errors=%d seconds=%.3f rps=%.0f cpuSeconds=%.2f"
                            + " perCpuSecond=%.0f allocBytesPer=%.0f p50us=%d p99us=%d maxus=%d connections=%d%n",
                    n, e1 - e0, window, n / window, cpu, cpu > 0 ? n / cpu : 0.0,
                    n > 0 ? (double) (alloc1 - alloc0) / n : 0.0,
                    h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue(), client.openConnections());
        }
    }

    /**
     * Bytes allocated on the heap by every thread of the process so far (virtual threads included: they
     * allocate in their carriers' buffers), or -1 when the JVM cannot tell.
     */
    static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** utime + stime of this process, in clock ticks. */
    static long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
