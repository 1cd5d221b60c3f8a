package dev.grindstone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints JMH's JSON result file as a Markdown table: benchmark, parameters, threads, median and
 * mean ± error of the time per operation, and the bytes allocated per operation ({@code
 * gc.alloc.rate.norm}, from {@code -prof gc}).
 */
public final class JmhTable {

  private JmhTable() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: JmhTable RESULT.json");
      System.exit(2);
    }
    JsonNode results = new ObjectMapper().readTree(Path.of(args[0]).toFile());
    System.out.println(
        "| benchmark | params | threads | median | score ± error | unit | gc.alloc.rate.norm (B/op)"
            + " |");
    System.out.println("|---|---|---:|---:|---:|---|---:|");
    for (JsonNode r : results) {
      String name = r.get("benchmark").asText();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      List<String> params = new ArrayList<>();
      JsonNode p = r.get("params");
      if (p != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          params.add(e.getKey() + "=" + e.getValue().asText());
        }
      }
      JsonNode primary = r.get("primaryMetric");
      List<Double> raw = new ArrayList<>();
      for (JsonNode fork : primary.get("rawData")) {
        for (JsonNode v : fork) {
          raw.add(v.asDouble());
        }
      }
      raw.sort(null);
      double median =
          raw.isEmpty()
              ? Double.NaN
              : raw.size() % 2 == 1
                  ? raw.get(raw.size() / 2)
                  : (raw.get(raw.size() / 2 - 1) + raw.get(raw.size() / 2)) / 2;
      JsonNode alloc = r.path("secondaryMetrics").path("gc.alloc.rate.norm");
      System.out.println(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %.2f | %.2f ± %.2f | %s | %s |",
              name,
              String.join(", ", params),
              r.get("threads").asInt(),
              median,
              primary.get("score").asDouble(),
              primary.get("scoreError").asDouble(),
              primary.get("scoreUnit").asText(),
              alloc.isMissingNode()
                  ? "-"
                  : String.format(Locale.ROOT, "%.3f", alloc.get("score").asDouble())));
    }
  }
}
