package dev.grindstone.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Fails the build when a load test of this build failed a threshold or regressed against its
 * baseline, listing every failed rule with its actual and expected value. It reads the results
 * folders that grindstone:run wrote in this build, or those given in {@code results}.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public final class CheckMojo extends AbstractMojo {

  /** Results folders to check instead of those that grindstone:run wrote in this build. */
  @Parameter(property = "grindstone.results")
  List<File> results = new ArrayList<>();

  /** Skips the check. */
  @Parameter(property = "grindstone.skip")
  boolean skip;

  /** Skips the check as Failsafe's {@code skipITs} skips integration tests. */
  @Parameter(property = "skipITs")
  boolean skipITs;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip || skipITs) {
      getLog().info("Load test check skipped.");
      return;
    }
    List<Path> folders = new ArrayList<>();
    results.forEach(f -> folders.add(f.toPath()));
    if (folders.isEmpty()) {
      BuildRuns.of(project).forEach(f -> folders.add(Path.of(f)));
    }
    if (folders.isEmpty()) {
      getLog().info("No load test ran in this build (grindstone:run); nothing to check.");
      return;
    }
    List<String> failures = new ArrayList<>();
    for (Path folder : folders) {
      failures.addAll(check(folder));
    }
    if (!failures.isEmpty()) {
      throw new MojoFailureException(String.join("\n", failures));
    }
  }

  /**
   * The failures of one results folder, as lines of the build's failure message; empty when it
   * passed.
   */
  List<String> check(Path folder) throws MojoExecutionException {
    Path file = folder.resolve("results.json");
    JsonNode doc;
    try {
      doc = new ObjectMapper().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new MojoExecutionException(
          "Cannot read "
              + file
              + ": "
              + e.getMessage()
              + ". Is it a results folder that grindstone:run wrote?",
          e);
    }
    String run = "Load test " + doc.path("run").path("name").asText("?") + " (" + folder + ")";
    List<String> lines = new ArrayList<>();
    int passed = 0;
    for (JsonNode t : doc.path("thresholds")) {
      if (t.path("passed").asBoolean()) {
        passed++;
      } else {
        JsonNode actual = t.path("actual");
        lines.add(
            "  FAIL  "
                + t.path("threshold").asText()
                + "  "
                + t.path("scope").asText()
                + "  actual "
                + (actual.isNumber()
                    ? String.format(java.util.Locale.ROOT, "%.2f", actual.doubleValue())
                    : "-"));
      }
    }
    List<String> out = new ArrayList<>();
    if (!lines.isEmpty()) {
      out.add(
          run
              + ": "
              + lines.size()
              + " of "
              + (lines.size() + passed)
              + " threshold checks failed:");
      out.addAll(lines);
    }
    JsonNode baseline = doc.path("baseline");
    if (baseline.path("regressed").asBoolean(false)) {
      List<String> broken = new ArrayList<>();
      for (JsonNode r : baseline.path("tolerances")) {
        if (!r.path("passed").asBoolean()) {
          broken.add("  FAIL  " + r.path("rule").asText() + "  " + r.path("message").asText());
        }
      }
      out.add(
          run
              + ": regressed against its baseline "
              + baseline.path("a").path("source").asText()
              + ":");
      out.addAll(broken);
    }
    if (out.isEmpty()) {
      getLog()
          .info(
              run
                  + ": every threshold passed"
                  + (baseline.isMissingNode() ? "." : "; no regression."));
    }
    return out;
  }
}
