package dev.grindstone.cli;

import dev.grindstone.stats.BadInputException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns the user's mistakes into one clear message and exit code 2; anything else is a defect and
 * keeps its stack trace (exit code 1).
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    if (e instanceof BadInputException
        || e instanceof UncheckedIOException
        || e instanceof IllegalArgumentException) {
      cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
      return Main.EXIT_BAD_INPUT;
    }
    cmd.getErr()
        .println("grindstone " + cmd.getCommandName() + ": unexpected failure, please report it:");
    e.printStackTrace(cmd.getErr());
    return 1;
  }
}
