package dev.grindstone.cli;

import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import java.time.Duration;

/**
 * A scenario on the test class path for distributed runs: a timed wait, and a call that fails one
 * time in ten.
 */
public class ShardedScenario implements Scenario {
  static final Test WAIT = new Test(1, "Wait");
  static final Test FLAKY = new Test(2, "Flaky");

  @Override
  public void iteration(VirtualUser user) {
    WAIT.record(() -> user.sleep(Duration.ofMillis(1 + user.random().nextInt(3))));
    try {
      FLAKY.record(
          () -> {
            if (user.random().nextInt(10) == 0) {
              throw new IllegalStateException("flaky");
            }
          });
    } catch (IllegalStateException expected) {
      // counted as an error of test 2
    }
  }
}
