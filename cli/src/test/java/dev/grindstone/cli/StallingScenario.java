package dev.grindstone.cli;

import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import java.time.Duration;

/**
 * A scenario on the test class path whose calls stall: one call in ten takes 100 ms instead of 1
 * ms, so a paced phase holds back the calls a stall delays (coordinated omission).
 */
public class StallingScenario implements Scenario {
  static final Test STEP = new Test(3, "Step");

  @Override
  public void iteration(VirtualUser user) {
    STEP.record(() -> user.sleep(Duration.ofMillis(user.random().nextInt(10) == 0 ? 100 : 1)));
  }
}
