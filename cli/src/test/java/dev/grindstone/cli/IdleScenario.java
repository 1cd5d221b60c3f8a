package dev.grindstone.cli;

import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import java.time.Duration;

/** A scenario on the test class path, run by name: one test that waits a millisecond. */
public class IdleScenario implements Scenario {
  static final Test WAIT = new Test(1, "Wait");

  @Override
  public void iteration(VirtualUser user) {
    WAIT.record(() -> user.sleep(Duration.ofMillis(1)));
  }
}
