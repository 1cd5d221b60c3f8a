package dev.grindstone.prometheus.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real Prometheus server for tests: the {@code prometheus} binary (the one on the {@code PATH},
 * or {@code $PROMETHEUS_BINARY}) started on a free loopback port with a temporary data folder,
 * stopped and deleted by {@link #close()}. Not thread-safe.
 */
public final class PrometheusProcess implements AutoCloseable {

  /** Why a test is skipped when there is no binary. */
  public static final String MISSING =
      "no prometheus binary on the PATH (nor $PROMETHEUS_BINARY): install Debian's 'prometheus'"
          + " package, as .ci/run does";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path folder;
  private final URI url;

  private PrometheusProcess(Process process, Path folder, URI url) {
    this.process = process;
    this.folder = folder;
    this.url = url;
  }

  /** The binary, when there is one. */
  public static Optional<Path> binary() {
    String given = System.getenv("PROMETHEUS_BINARY");
    if (given != null && !given.isBlank()) {
      return Optional.of(Path.of(given)).filter(Files::isExecutable);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "prometheus"))) {
        return Optional.of(Path.of(dir, "prometheus"));
      }
    }
    return Optional.empty();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The server's base URL, e.g. {@code http://127.0.0.1:41234}. */
  public URI url() {
    return url;
  }

  /** Where runs remote-write to. */
  public URI remoteWriteUrl() {
    return url.resolve("/api/v1/write");
  }

  /**
   * An instant query through the HTTP API at {@code timeSeconds} (epoch seconds; NaN for now): the
   * {@code data.result} array of a successful answer.
   *
   * @throws AssertionError when Prometheus answers with an error
   */
  public JsonNode query(String promql, double timeSeconds) {
    String q =
        "query="
            + URLEncoder.encode(promql, StandardCharsets.UTF_8)
            + (Double.isNaN(timeSeconds)
                ? ""
                : "&time=" + String.format(Locale.ROOT, "%.3f", timeSeconds));
    JsonNode answer = get("/api/v1/query?" + q);
    if (!"success".equals(answer.path("status").asText())) {
      throw new AssertionError("query " + promql + " failed: " + answer);
    }
    return answer.path("data").path("result");
  }

  /** The one value of an instant vector query with a single float result, or NaN when empty. */
  public double scalar(String promql, double timeSeconds) {
    JsonNode result = query(promql, timeSeconds);
    if (result.isEmpty()) {
      return Double.NaN;
    }
    if (result.size() != 1) {
      throw new AssertionError("expected one series from " + promql + ", got " + result);
    }
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  /** The scrape targets' health and last errors, for messages. */
  public JsonNode targets() {
    return get("/api/v1/targets");
  }

  /** Prometheus's own log so far, for messages. */
  public String log() {
    try {
      return Files.readString(folder.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(url.resolve(pathAndQuery))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the server (it is gone when this returns) and leaves its data folder in place. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> walk = Files.walk(folder)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary folder left behind is no test failure.
    }
  }

  /** What to start. */
  public static final class Builder {
    private boolean nativeHistograms;
    private final List<String> scrapeTargets = new ArrayList<>();
    private Duration scrapeInterval = Duration.ofMillis(250);

    private Builder() {}

    /** {@code --enable-feature=native-histograms}. */
    public Builder nativeHistograms() {
      this.nativeHistograms = true;
      return this;
    }

    /** Scrapes {@code host:port} (its {@code /metrics}) every {@link #scrapeInterval}. */
    public Builder scrape(String hostPort) {
      scrapeTargets.add(hostPort);
      return this;
    }

    public Builder scrapeInterval(Duration interval) {
      this.scrapeInterval = interval;
      return this;
    }

    /** Starts the server with the remote-write receiver on, and waits until it is ready. */
    public PrometheusProcess start() throws IOException, InterruptedException {
      Path binary = binary().orElseThrow(() -> new IllegalStateException(MISSING));
      Path folder = Files.createTempDirectory("grindstone-prometheus");
      StringBuilder config =
          new StringBuilder(
              "global:\n  scrape_interval: "
                  + scrapeInterval.toMillis()
                  + "ms\n"
                  + "  scrape_timeout: "
                  + scrapeInterval.toMillis()
                  + "ms\n");
      if (!scrapeTargets.isEmpty()) {
        config.append(
            "scrape_configs:\n  - job_name: grindstone\n    static_configs:\n      - targets: [");
        config
            .append(String.join(", ", scrapeTargets.stream().map(t -> "'" + t + "'").toList()))
            .append("]\n");
      }
      Files.writeString(folder.resolve("prometheus.yml"), config);
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      List<String> command =
          new ArrayList<>(
              List.of(
                  binary.toString(),
                  "--config.file=" + folder.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + folder.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--web.enable-remote-write-receiver",
                  "--log.level=warn"));
      if (nativeHistograms) {
        command.add("--enable-feature=native-histograms");
      }
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(folder.resolve("prometheus.log").toFile())
              .start();
      PrometheusProcess p =
          new PrometheusProcess(process, folder, URI.create("http://127.0.0.1:" + port));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        if (!process.isAlive()) {
          String log = p.log();
          p.close();
          throw new IllegalStateException(
              "prometheus exited with " + process.exitValue() + ":\n" + log);
        }
        try {
          HttpResponse<String> r =
              HTTP.send(
                  HttpRequest.newBuilder(p.url.resolve("/-/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return p;
          }
        } catch (IOException e) {
          // Not listening yet.
        }
        if (System.nanoTime() > deadline) {
          String log = p.log();
          p.close();
          throw new IllegalStateException("prometheus was not ready within 30 s:\n" + log);
        }
        Thread.sleep(50);
      }
    }
  }
}
