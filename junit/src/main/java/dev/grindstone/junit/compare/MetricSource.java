package dev.grindstone.junit.compare;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Where stored sessions and their measurements are read from: a local file or a metrics server. */
public interface MetricSource {

  /** Every stored session, in any order. */
  List<SessionRecord> sessions();

  /** Every measurement of one session. */
  List<MetricRecord> metrics(String sessionH);

  /** A {@code .jmon} or {@code .pymon} file. The file must exist and hold the monitor's tables. */
  static MetricSource sqlite(Path file) {
    return new SqliteSource(file);
  }

  /**
   * A metrics server speaking pytest-monitor's query API: {@code /api/v1/sessions/} and {@code
   * /api/v1/sessions/<h>/metrics}, paged. {@code base} may or may not end with {@code /api/v1}.
   */
  static MetricSource server(URI base, Duration timeout) {
    return new ServerSource(
        base,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build(),
        timeout);
  }
}
