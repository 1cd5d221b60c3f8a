package dev.grindstone.cli;

import dev.grindstone.compare.ResultsFolder;
import dev.grindstone.compare.RunResults;
import dev.grindstone.compare.ServerRuns;
import dev.grindstone.stats.BadInputException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** A run named on the command line: a results folder, or a run on a metrics server. */
final class RunReference {
  private RunReference() {}

  /**
   * Reads {@code ref}: a results folder (or its results.json) when one is there, otherwise, with a
   * server, the run with that id or else the baseline of runs with that name.
   */
  static RunResults read(String ref, URI server, String option) {
    Path path = null;
    try {
      path = Path.of(ref);
    } catch (InvalidPathException e) {
      // not a path: a run id
    }
    if (path != null && Files.exists(path)) {
      return ResultsFolder.read(path);
    }
    if (server == null) {
      throw new BadInputException(
          option
              + " '"
              + ref
              + "' is not a results folder (no such file or folder). Give a folder that grindstone"
              + " run wrote, or --server URL to read a run by id, or the baseline of a run name,"
              + " from a metrics server.");
    }
    return new ServerRuns(server).readIdOrBaseline(ref);
  }
}
