package dev.grindstone.http.load;

import dev.grindstone.engine.config.ConfigReader;
import dev.grindstone.engine.config.YamlNode;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.spi.Plugin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the HTTP plug-in reads in a run file beyond the engine's fields, and helpers to adapt a run
 * file's phases: scale them to another total length or peak of users.
 */
public final class HttpRunFiles {

  private HttpRunFiles() {}

  /** The phases stretched or shrunk so that together they last {@code total}. */
  public static List<Phase> scaleDuration(List<Phase> phases, Duration total) {
    long sum =
        phases.stream().mapToLong(p -> p.duration() == null ? 0 : p.duration().toMillis()).sum();
    if (sum == 0) {
      return phases;
    }
    double f = (double) total.toMillis() / sum;
    List<Phase> out = new ArrayList<>();
    for (Phase p : phases) {
      out.add(
          p.duration() == null
              ? p
              : p.withDuration(
                  Duration.ofMillis(Math.max(1, Math.round(p.duration().toMillis() * f)))));
    }
    return out;
  }

  /** The phases with their user counts scaled so that the largest is {@code users}. */
  public static List<Phase> scaleUsers(List<Phase> phases, int users) {
    int peak = phases.stream().mapToInt(p -> p.shape().peakUsers()).max().orElse(1);
    double f = (double) users / Math.max(1, peak);
    List<Phase> out = new ArrayList<>();
    for (Phase p : phases) {
      LoadShape s =
          switch (p.shape()) {
            case LoadShape.Constant c -> new LoadShape.Constant(scale(c.users(), f));
            case LoadShape.Ramp r -> new LoadShape.Ramp(scale(r.from(), f), scale(r.to(), f));
            default -> p.shape();
          };
      out.add(
          new Phase(
              p.name(),
              p.duration(),
              s,
              p.thinkTime(),
              p.initialSleep(),
              p.iterations(),
              p.expectedInterval(),
              p.pace()));
    }
    return out;
  }

  private static int scale(int n, double f) {
    return n == 0 ? 0 : Math.max(1, (int) Math.round(n * f));
  }

  /** The key that puts the HTTP plug-in in a run of a Java scenario: {@code http: true}. */
  public static final String HTTP = "http";

  /** The key that puts the WebSocket plug-in in a run of a Java scenario: {@code websocket: true}. */
  public static final String WEBSOCKET = "websocket";

  /**
   * The fields a run file may use beyond the engine's: the HTTP flow's, and {@code http} and
   * {@code websocket} (whether the run has the HTTP or the WebSocket plug-in's statistics and
   * columns even though its scenario is Java code).
   */
  public static Set<String> extraFields() {
    Set<String> fields = new HashSet<>(HttpFlow.FIELDS);
    fields.add(HTTP);
    fields.add(WEBSOCKET);
    return Set.copyOf(fields);
  }

  /**
   * The plug-ins a run file asks for beyond its scenario's own: the HTTP plug-in when it says
   * {@code http: true}, the WebSocket plug-in when it says {@code websocket: true}. A value that is
   * not a boolean is reported to {@code reader}'s problems.
   */
  public static List<Plugin> plugins(YamlNode.Mapping root, ConfigReader reader) {
    List<Plugin> plugins = new ArrayList<>();
    if (reader.bool(root.get(HTTP), false)) {
      plugins.add(HttpPlugin.INSTANCE);
    }
    if (reader.bool(root.get(WEBSOCKET), false)) {
      plugins.add(WebSocketPlugin.INSTANCE);
    }
    return List.copyOf(plugins);
  }
}
