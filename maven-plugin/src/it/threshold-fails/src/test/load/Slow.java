import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import java.time.Duration;

/** Every call takes about 5 ms: far above the run file's p99 threshold. */
public class Slow implements Scenario {
  static final Test CHECK_OUT = new Test(1, "Check out");

  @Override
  public void iteration(VirtualUser user) throws Exception {
    CHECK_OUT.record(() -> user.sleep(Duration.ofMillis(5)));
  }
}
