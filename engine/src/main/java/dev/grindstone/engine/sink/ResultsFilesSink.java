package dev.grindstone.engine.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes results.json (the run, phases, per-test totals and the per-interval series) and
 * report.html: one self-contained file (no network needed) with charts of TPS, errors and active
 * users over time, latency percentiles over time, how late iterations started over time, the
 * latency distribution, and the per-test table, phases marked. Both come from one results document,
 * kept once; the HTML embeds it as JSON and draws it as SVG with a small inline script that inserts
 * every string as text, never as markup.
 */
public final class ResultsFilesSink implements Sink {

  private final Path json;
  private final Path html;
  private final ResultsDocument document = new ResultsDocument();

  public ResultsFilesSink(Path directory) {
    this.json = directory.resolve("results.json");
    this.html = directory.resolve("report.html");
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
    String text = document.toJson(summary);
    Files.writeString(json, text, StandardCharsets.UTF_8);
    Files.writeString(html, render(text), StandardCharsets.UTF_8);
  }

  static String render(String json) throws IOException {
    String template;
    try (InputStream in = ResultsFilesSink.class.getResourceAsStream("report.html")) {
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // Inside <script> only "</" could end the element early; JSON allows "<\/" for it.
    String safe = json.replace("</", "<\\/").replace("<!--", "<\\!--");
    return template.replace("/*RESULTS*/null", safe);
  }

  @Override
  public String name() {
    return "results.json and report.html";
  }
}
