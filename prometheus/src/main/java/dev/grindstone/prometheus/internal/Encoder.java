package dev.grindstone.prometheus.internal;

import dev.grindstone.prometheus.internal.prompb.RemoteWrite;
import dev.grindstone.prometheus.internal.prompb.RemoteWrite.MetricMetadata.MetricType;
import dev.grindstone.stats.latency.LatencyBuckets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes points as a remote write 1.0 request: labels sorted by name, {@code __name__} among them;
 * histograms as one native histogram series, or as classic {@code _bucket} (cumulative, with {@code
 * le}), {@code _count} and {@code _sum} series. Stateless.
 */
public final class Encoder {

  /** What each metric family is, sent along as metadata. */
  public record Family(String name, MetricType type, String help, String unit) {}

  private Encoder() {}

  public static RemoteWrite.WriteRequest encode(
      List<Point> points, boolean nativeHistograms, List<Family> families) {
    RemoteWrite.WriteRequest.Builder request = RemoteWrite.WriteRequest.newBuilder();
    for (Point p : points) {
      switch (p) {
        case Point.Value v ->
            request.addTimeseries(
                floatSeries(
                    v.name(), v.labels(), null, v.zeroAtMillis(), v.timestampMillis(), v.value()));
        case Point.Histogram h -> {
          if (nativeHistograms) {
            RemoteWrite.TimeSeries.Builder ts = RemoteWrite.TimeSeries.newBuilder();
            labels(ts, h.name(), h.labels(), null);
            if (h.zeroAtMillis() >= 0) {
              ts.addHistograms(new NativeBuckets().toMessage(0, h.zeroAtMillis()));
            }
            ts.addHistograms(h.nativeBuckets().toMessage(h.sumSeconds(), h.timestampMillis()));
            request.addTimeseries(ts);
          } else {
            long cumulative = 0;
            for (int i = 0; i < h.classic().length; i++) {
              cumulative += h.classic()[i];
              request.addTimeseries(
                  floatSeries(
                      h.name() + "_bucket",
                      h.labels(),
                      LatencyBuckets.label(i),
                      h.zeroAtMillis(),
                      h.timestampMillis(),
                      cumulative));
            }
            request.addTimeseries(
                floatSeries(
                    h.name() + "_count",
                    h.labels(),
                    null,
                    h.zeroAtMillis(),
                    h.timestampMillis(),
                    cumulative));
            request.addTimeseries(
                floatSeries(
                    h.name() + "_sum",
                    h.labels(),
                    null,
                    h.zeroAtMillis(),
                    h.timestampMillis(),
                    h.sumSeconds()));
          }
        }
      }
    }
    for (Family f : families) {
      request.addMetadata(
          RemoteWrite.MetricMetadata.newBuilder()
              .setType(f.type())
              .setMetricFamilyName(f.name())
              .setHelp(f.help())
              .setUnit(f.unit()));
    }
    return request.build();
  }

  private static RemoteWrite.TimeSeries floatSeries(
      String name,
      Map<String, String> labels,
      String le,
      long zeroAtMillis,
      long timestampMillis,
      double value) {
    RemoteWrite.TimeSeries.Builder ts = RemoteWrite.TimeSeries.newBuilder();
    labels(ts, name, labels, le);
    if (zeroAtMillis >= 0) {
      ts.addSamples(RemoteWrite.Sample.newBuilder().setTimestamp(zeroAtMillis).setValue(0));
    }
    ts.addSamples(RemoteWrite.Sample.newBuilder().setTimestamp(timestampMillis).setValue(value));
    return ts.build();
  }

  private static void labels(
      RemoteWrite.TimeSeries.Builder ts, String name, Map<String, String> labels, String le) {
    TreeMap<String, String> sorted = new TreeMap<>(labels);
    sorted.put("__name__", name);
    if (le != null) {
      sorted.put("le", le);
    }
    sorted.forEach((k, v) -> ts.addLabels(RemoteWrite.Label.newBuilder().setName(k).setValue(v)));
  }
}
