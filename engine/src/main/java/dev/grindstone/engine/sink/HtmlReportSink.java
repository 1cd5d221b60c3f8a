package dev.grindstone.engine.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes report.html: one self-contained file (no network needed) with charts of TPS, errors and
 * active users over time, latency percentiles over time, the latency distribution, and the
 * per-test table, phases marked. The results document is embedded as JSON and drawn as SVG by a
 * small inline script; every string is inserted as text, never as markup.
 */
public final class HtmlReportSink implements Sink {

  private final Path file;
  private final ResultsDocument document = new ResultsDocument();

  public HtmlReportSink(Path directory) {
    this.file = directory.resolve("report.html");
  }

  @Override
  public void start(RunInfo run) {
    document.period(run.period().toMillis());
  }

  @Override
  public void interval(IntervalSnapshot interval) {
    document.add(interval);
  }

  @Override
  public void finish(RunSummary summary) throws Exception {
    Files.writeString(file, render(document.toJson(summary)), StandardCharsets.UTF_8);
  }

  static String render(String json) throws IOException {
    String template;
    try (InputStream in = HtmlReportSink.class.getResourceAsStream("report.html")) {
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // Inside <script> only "</" could end the element early; JSON allows "<\/" for it.
    String safe = json.replace("</", "<\\/").replace("<!--", "<\\!--");
    return template.replace("/*RESULTS*/null", safe);
  }

  @Override
  public String name() {
    return "report.html";
  }
}
