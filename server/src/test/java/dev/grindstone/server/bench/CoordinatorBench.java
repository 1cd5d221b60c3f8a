package dev.grindstone.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.MetricsServer;
import dev.grindstone.stats.latency.Histograms;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.HdrHistogram.Histogram;

/**
 * The coordinator's cost: N simulated agents of one distributed run, each posting one interval
 * snapshot of T tests (statistics and a compressed histogram per test) a second, spread over the
 * second, and, as agents do, a poll (its heartbeat) when the snapshot's answer does not carry what
 * a poll answers; and a controller reading the run's state and its new snapshots every 250 ms, all
 * over raw HTTP/1.1 keep-alive connections on loopback. Reports the server's CPU (this process's
 * CPU time minus the CPU time of the generator's own threads) as a share of one core, and the
 * snapshot posts' latency as the agents see it.
 *
 * <p>Usage: {@code CoordinatorBench [agents=100] [tests=20] [seconds=30] [full|snapshots|healthz]
 * [warmup=5]} (SQLite); {@code snapshots} leaves out the polls and the controller, for the cost of
 * the snapshots alone; {@code healthz} has each agent send {@code GET /healthz} (which reads no
 * store) instead of its snapshot, for the cost of the requests alone; {@code warmup} is how many
 * seconds of the same load come before the measured ones. At a hundred requests a second the
 * request path's methods reach the JIT's last tier only after a minute or two, so a short warm-up
 * measures mostly the JIT's warm-up.
 */
public final class CoordinatorBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CoordinatorBench() {}

  public static void main(String[] args) throws Exception {
    int agents = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int tests = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    String mode = args.length > 3 ? args[3] : "full";
    if (!List.of("full", "snapshots", "healthz").contains(mode)) {
      throw new IllegalArgumentException("mode: full, snapshots or healthz, got '" + mode + "'");
    }
    int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    try (BenchStore db = BenchStore.open("sqlite");
        MetricsServer server = MetricsServer.builder().port(0).jdbcUrl(db.jdbcUrl()).start()) {
      run(URI.create(server.url()), agents, tests, seconds, mode, warmup);
    }
  }

  private static void run(
      URI url, int agents, int tests, int seconds, String mode, int warmupSeconds)
      throws Exception {
    boolean full = mode.equals("full");
    boolean healthz = mode.equals("healthz");
    Raw setup = new Raw(url);
    String runId =
        setup
            .json(
                "POST",
                "/api/v1/distributed?name=bench&agents="
                    + agents
                    + "&runFile=run.yaml"
                    + "&lossTimeoutMs=60000",
                bundle(),
                "application/zip")
            .get("id")
            .asText();
    String[] ids = new String[agents];
    String[] names = new String[agents];
    for (int i = 0; i < agents; i++) {
      ids[i] =
          setup
              .json(
                  "POST",
                  "/api/v1/agents",
                  ("{\"name\":\"sim-" + i + "\",\"attempt\":\"a" + i + "\"}")
                      .getBytes(StandardCharsets.UTF_8),
                  "application/json")
              .get("id")
              .asText();
      JsonNode r =
          setup
              .json("POST", "/api/v1/agents/" + ids[i] + "/poll", new byte[0], "application/json")
              .get("run");
      for (JsonNode m : r.get("members")) {
        if (m.get("agentId").asText().equals(ids[i])) {
          names[i] = m.get("reportAs").asText();
        }
      }
      setup.json(
          "POST",
          "/api/v1/runs",
          ("{\"id\":\"" + runId + "\",\"name\":\"bench\",\"agent\":\"" + names[i] + "\"}")
              .getBytes(StandardCharsets.UTF_8),
          "application/json");
    }
    for (int i = 0; i < agents; i++) {
      setup.json(
          "POST",
          "/api/v1/agents/" + ids[i] + "/ready",
          "{\"clockOffsetMs\":0,\"clockRttMs\":0.5}".getBytes(StandardCharsets.UTF_8),
          "application/json");
    }
    String testsJson = tests(tests);
    long warmup = warmupSeconds * 1_000_000_000L;
    long start = System.nanoTime();
    long measureFrom = start + warmup;
    long end = measureFrom + seconds * 1_000_000_000L;
    // The load goes on a second past the measured span, so that every generator thread is alive
    // when its CPU time is read at the end (a finished thread's reads as none).
    long stop = end + 1_000_000_000L;
    Histogram latency = new Histogram(3_600_000_000L, 3);
    AtomicLong failures = new AtomicLong();
    AtomicLong posted = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      int a = i;
      threads.add(
          Thread.ofPlatform()
              .name("sim-agent-" + i)
              .start(
                  () -> {
                    try {
                      Raw raw = new Raw(url);
                      long next = start + (1_000_000_000L / agents) * a; // spread over the second
                      for (long seq = 0; ; seq++) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        if (System.nanoTime() > stop) {
                          return;
                        }
                        long t = System.currentTimeMillis();
                        byte[] body =
                            ("{\"agent\":\""
                                    + names[a]
                                    + "\",\"seq\":"
                                    + seq
                                    + ",\"phase\":\"hold\",\"startMs\":"
                                    + (t - 1000)
                                    + ",\"endMs\":"
                                    + t
                                    + ",\"activeUsers\":10,\"tests\":"
                                    + testsJson
                                    + "}")
                                .getBytes(StandardCharsets.UTF_8);
                        long s0 = System.nanoTime();
                        Raw.Response answer =
                            healthz
                                ? raw.send("GET", "/healthz", null, null)
                                : raw.send(
                                    "POST",
                                    "/api/v1/runs/" + runId + "/snapshots",
                                    body,
                                    "application/json");
                        long took = System.nanoTime() - s0;
                        int status = answer.status;
                        if (status != (healthz ? 200 : 201)) {
                          failures.incrementAndGet();
                        } else if (s0 > measureFrom && s0 <= end) {
                          synchronized (latency) {
                            latency.recordValue(took / 1000);
                          }
                          posted.incrementAndGet();
                        }
                        // As an agent does: a snapshot whose answer carries what a poll would
                        // answer stands for that second's poll.
                        if (full && (status != 201 || !answers(answer.body, "\"poll\":{"))) {
                          raw.send(
                              "POST",
                              "/api/v1/agents/" + ids[a] + "/poll",
                              new byte[0],
                              "application/json");
                        }
                        next += 1_000_000_000L;
                      }
                    } catch (IOException | InterruptedException e) {
                      failures.incrementAndGet();
                    }
                  }));
    }
    threads.add(
        Thread.ofPlatform()
            .name("sim-controller")
            .start(
                () -> {
                  if (!full) {
                    return;
                  }
                  try {
                    Raw raw = new Raw(url);
                    long ordinal = 0;
                    while (System.nanoTime() < stop) {
                      raw.json("GET", "/api/v1/distributed/" + runId, null, null);
                      JsonNode page =
                          raw.json(
                              "GET",
                              "/api/v1/distributed/" + runId + "/snapshots?after=" + ordinal,
                              null,
                              null);
                      for (JsonNode s : page.get("snapshots")) {
                        ordinal = Math.max(ordinal, s.get("ordinal").asLong());
                      }
                      Thread.sleep(250);
                    }
                  } catch (IOException | InterruptedException e) {
                    failures.incrementAndGet();
                  }
                }));
    while (System.nanoTime() < measureFrom) {
      Thread.sleep(10);
    }
    var threadsBean = ManagementFactory.getThreadMXBean();
    long cpu0 = processCpuNanos();
    long gen0 = 0;
    for (Thread t : threads) {
      gen0 += Math.max(0, threadsBean.getThreadCpuTime(t.threadId()));
    }
    long wall0 = System.nanoTime();
    while (System.nanoTime() < end) {
      Thread.sleep(50);
    }
    long gen1 = 0;
    for (Thread t : threads) {
      gen1 += Math.max(0, threadsBean.getThreadCpuTime(t.threadId()));
    }
    long cpu1 = processCpuNanos();
    long wall = System.nanoTime() - wall0;
    for (Thread t : threads) {
      t.join();
    }
    double server = (cpu1 - cpu0 - (gen1 - gen0)) / (double) wall;
    System.out.printf(
        Locale.ROOT,
        "coordinator mode=%s agents=%d tests=%d seconds=%d warmup=%d s %s/s=%.1f failures=%d"
            + " serverCpu=%.1f%% of one core (process %.1f%%, generator %.1f%%) %s p50=%.1f"
            + " ms p99=%.1f ms max=%.1f ms load=%.1f%n",
        mode,
        agents,
        tests,
        seconds,
        warmupSeconds,
        healthz ? "requests" : "snapshots",
        posted.get() / (double) seconds,
        failures.get(),
        server * 100,
        (cpu1 - cpu0) * 100.0 / wall,
        (gen1 - gen0) * 100.0 / wall,
        healthz ? "request" : "snapshot",
        latency.getValueAtPercentile(50) / 1000.0,
        latency.getValueAtPercentile(99) / 1000.0,
        latency.getMaxValue() / 1000.0,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /** T tests of one interval: about 2,000 calls each, their times in a compressed histogram. */
  private static String tests(int tests) {
    Random random = new Random(42);
    StringBuilder b = new StringBuilder("[");
    for (int t = 1; t <= tests; t++) {
      Histogram h = Histograms.newHistogram();
      long sum = 0;
      long min = Long.MAX_VALUE;
      long max = 0;
      int n = 2000;
      for (int i = 0; i < n; i++) {
        long v = (long) Math.exp(7 + random.nextGaussian() * 0.6);
        h.recordValue(v);
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      b.append(t > 1 ? "," : "")
          .append("{\"number\":")
          .append(t)
          .append(",\"statistics\":{\"errors\":0,\"untimedTests\":0,")
          .append("\"timedTests\":{\"count\":")
          .append(n)
          .append(",\"sum\":")
          .append(sum)
          .append(",\"variance\":1234.5,\"min\":")
          .append(min)
          .append(",\"max\":")
          .append(max)
          .append("}},\"histogram\":\"")
          .append(Histograms.encode(h))
          .append("\",\"errorHistogram\":\"")
          .append(Histograms.encode(Histograms.newHistogram()))
          .append("\"}");
    }
    return b.append(']').toString();
  }

  /** Whether the bytes hold {@code text} (ASCII). */
  private static boolean answers(byte[] bytes, String text) {
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + t.length <= bytes.length; i++) {
      for (int k = 0; k < t.length; k++) {
        if (bytes[i + k] != t[k]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] bundle() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("run.yaml"));
      zip.write("name: bench\n".getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One raw HTTP/1.1 keep-alive connection: the generator must cost far less than the server. */
  private static final class Raw {
    record Response(int status, byte[] body) {}

    private final URI uri;
    private final OutputStream out;
    private final InputStream in;

    Raw(URI uri) throws IOException {
      this.uri = uri;
      Socket socket = new Socket(uri.getHost(), uri.getPort());
      socket.setTcpNoDelay(true);
      this.out = new BufferedOutputStream(socket.getOutputStream(), 16384);
      this.in = new BufferedInputStream(socket.getInputStream(), 16384);
    }

    JsonNode json(String method, String path, byte[] body, String type) throws IOException {
      Response r = send(method, path, body, type);
      if (r.status >= 300) {
        throw new IOException(
            method
                + " "
                + path
                + ": "
                + r.status
                + " "
                + new String(r.body, StandardCharsets.UTF_8));
      }
      return JSON.readTree(r.body);
    }

    Response send(String method, String path, byte[] body, String type) throws IOException {
      StringBuilder h =
          new StringBuilder(method)
              .append(' ')
              .append(path)
              .append(" HTTP/1.1\r\nHost: ")
              .append(uri.getHost())
              .append(':')
              .append(uri.getPort())
              .append("\r\n");
      if (body != null) {
        h.append("Content-Type: ")
            .append(type)
            .append("\r\nContent-Length: ")
            .append(body.length)
            .append("\r\n");
      }
      out.write(h.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      String status = line();
      int length = 0;
      boolean chunked = false;
      for (String l = line(); !l.isEmpty(); l = line()) {
        int colon = l.indexOf(':');
        String name = colon > 0 ? l.substring(0, colon).trim() : "";
        if (name.equalsIgnoreCase("content-length")) {
          length = Integer.parseInt(l.substring(colon + 1).trim());
        } else if (name.equalsIgnoreCase("transfer-encoding")
            && l.toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
        }
      }
      if (!chunked) {
        return new Response(Integer.parseInt(status.split(" ")[1]), in.readNBytes(length));
      }
      ByteArrayOutputStream chunks = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line().trim(), 16);
          size > 0;
          size = Integer.parseInt(line().trim(), 16)) {
        chunks.write(in.readNBytes(size));
        line(); // the CRLF after the chunk
      }
      line(); // the CRLF after the last chunk
      return new Response(Integer.parseInt(status.split(" ")[1]), chunks.toByteArray());
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
  }
}
