package dev.grindstone.engine;

import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A long run in a child process, for {@link SignalTest}: stops on SIGINT and writes its results.
 */
public final class SignalChild {
  public static void main(String[] args) {
    Runnable call = new Test(1, "work").wrap(() -> RunTest.sleepMillis(1));
    RunConfig config =
        RunConfig.builder("signalled")
            .phase(Phase.hold("hold", Duration.ofSeconds(60), 4))
            .outputRoot(Path.of(args[0]))
            .period(Duration.ofMillis(200))
            .build();
    Run.of(config, user -> call.run()).stopOnSignals(System.err).execute();
    System.out.println("finished");
  }
}
