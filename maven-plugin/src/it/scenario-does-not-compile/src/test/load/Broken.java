import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.VirtualUser;

public class Broken implements Scenario {
  @Override
  public void iteration(VirtualUser user) {
    String answer = 42;
  }
}
