import dev.grindstone.engine.Grindstone;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ThinkTime;
import java.time.Duration;

/**
 * A scenario that needs no server: each iteration "computes" for a few milliseconds and "looks
 * something up", failing now and then. Run it with: ./grindstone run examples/Hello.java
 */
public class Hello implements Scenario {

  static final Test COMPUTE = new Test(1, "Compute");
  static final Test LOOK_UP = new Test(2, "Look up");

  public Hello() {
    // Columns of our own, in The Grinder's expression language.
    Grindstone.statistics()
        .registerSummaryExpression("Items (mean)", "(/ userLong0 (count timedTests))");
  }

  @Override
  public void configure(RunConfig.Builder run) {
    run.phase(Phase.ramp("ramp up", Duration.ofSeconds(3), 1, 8))
        .phase(
            Phase.hold("hold", Duration.ofSeconds(4), 8)
                .withThinkTime(new ThinkTime.Normal(Duration.ofMillis(20), 0.2)))
        .phase(Phase.ramp("ramp down", Duration.ofSeconds(3), 8, 0))
        .threshold("p99<500ms")
        .threshold("test 2: errors<20%");
  }

  @Override
  public void iteration(VirtualUser user) throws Exception {
    COMPUTE.record(
        () -> {
          user.sleep(Duration.ofMillis(2 + user.random().nextInt(4)));
          Grindstone.statistics()
              .getForCurrentTest()
              .addLong("userLong0", 1 + user.random().nextInt(3));
        });
    try {
      LOOK_UP.record(
          () -> {
            user.sleep(Duration.ofMillis(1));
            if (user.random().nextInt(20) == 0) {
              throw new IllegalStateException("not found");
            }
          });
    } catch (IllegalStateException notFound) {
      // counted as an error of test 2; the iteration goes on
    }
  }
}
