package dev.grindstone.engine.sink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes results.json: the run, phases, per-test totals and the per-interval series. */
public final class JsonResultsSink implements Sink {

  private final Path file;
  private final ResultsDocument document = new ResultsDocument();

  public JsonResultsSink(Path directory) {
    this.file = directory.resolve("results.json");
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
    Files.writeString(file, document.toJson(summary), StandardCharsets.UTF_8);
  }

  @Override
  public String name() {
    return "results.json";
  }
}
