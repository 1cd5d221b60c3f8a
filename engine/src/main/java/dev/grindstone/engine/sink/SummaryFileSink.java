package dev.grindstone.engine.sink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes summary.txt: The Grinder's summary table and the percentile table, phases and notes. */
public final class SummaryFileSink implements Sink {

  private final Path file;

  public SummaryFileSink(Path directory) {
    this.file = directory.resolve("summary.txt");
  }

  @Override
  public void finish(RunSummary summary) throws Exception {
    Files.writeString(file, SummaryText.render(summary), StandardCharsets.UTF_8);
  }

  @Override
  public String name() {
    return "summary.txt";
  }
}
