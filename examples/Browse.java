import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import java.time.Duration;

/**
 * A second scenario that needs no server, to run beside Hello.java: each iteration "browses" for a
 * millisecond or three. Run both with: ./grindstone run examples/scenarios.yaml
 */
public class Browse implements Scenario {

  static final Test BROWSE = new Test(3, "Browse");

  @Override
  public void iteration(VirtualUser user) throws Exception {
    BROWSE.record(() -> user.sleep(Duration.ofMillis(1 + user.random().nextInt(3))));
  }
}
