package dev.grindstone.livecheck.sink;

import dev.grindstone.livecheck.Durations;
import dev.grindstone.livecheck.ReportSink;
import dev.grindstone.livecheck.TestReport;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Writes one line per report: {@code livecheck orders.place_order PASS test=abc runtime=0.120s
 * signals=order_shipped:0.050s failures=0/3}. Thread-safe when the line consumer is.
 */
public final class LogReportSink implements ReportSink {
  private final Consumer<String> out;

  public LogReportSink(Consumer<String> out) {
    this.out = out;
  }

  /** The line written for {@code r}. */
  public static String line(TestReport r) {
    StringBuilder b =
        new StringBuilder("livecheck ").append(r.caseName()).append(' ').append(r.state());
    if (r.execution() == null) {
      b.append(" suite");
    } else {
      b.append(" test=").append(r.execution().id());
    }
    if (r.runtime() != null) {
      b.append(" runtime=")
          .append(String.format(java.util.Locale.ROOT, "%.3fs", Durations.seconds(r.runtime())));
    }
    if (!r.signalLatency().isEmpty()) {
      b.append(" signals=");
      String sep = "";
      for (Map.Entry<String, Duration> e : new TreeMap<>(r.signalLatency()).entrySet()) {
        b.append(sep)
            .append(e.getKey())
            .append(':')
            .append(String.format(java.util.Locale.ROOT, "%.3fs", Durations.seconds(e.getValue())));
        sep = ",";
      }
    }
    b.append(" failures=").append(r.consecutiveFailures()).append('/').append(r.totalFailures());
    if (r.suiteFailed()) {
      b.append(" suite_failed");
    }
    if (r.error() != null) {
      b.append(" error=\"").append(r.error().replace('\n', ' ').replace("\"", "'")).append('"');
    }
    return b.toString();
  }

  @Override
  public void accept(TestReport report) {
    out.accept(line(report));
  }

  @Override
  public String toString() {
    return "LogReportSink";
  }
}
