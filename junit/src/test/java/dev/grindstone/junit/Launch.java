package dev.grindstone.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs sample classes on an in-process JUnit Platform with only the given monitor listening. */
final class Launch {
  private Launch() {}

  /** Returns the warnings the monitor printed. */
  static List<String> run(
      Map<String, String> params, Map<String, String> env, Class<?>... classes) {
    return run(Clock.systemDefaultZone(), params, env, classes);
  }

  static List<String> run(
      Clock clock, Map<String, String> params, Map<String, String> env, Class<?>... classes) {
    List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    MonitorListener listener = new MonitorListener(clock, env, warnings::add);
    LauncherConfig config =
        LauncherConfig.builder()
            .enableTestExecutionListenerAutoRegistration(false)
            .addTestExecutionListeners(listener)
            .build();
    LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
    for (Class<?> c : classes) request.selectors(selectClass(c));
    // Samples are tagged to keep them out of the normal run; here they are what we run.
    request.configurationParameters(params);
    LauncherDiscoveryRequest built = request.build();
    Launcher launcher = LauncherFactory.create(config);
    launcher.execute(built);
    return List.copyOf(warnings);
  }
}
