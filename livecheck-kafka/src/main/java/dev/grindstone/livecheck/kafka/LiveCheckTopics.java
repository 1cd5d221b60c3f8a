package dev.grindstone.livecheck.kafka;

import java.util.Objects;

/**
 * The topics LiveCheck uses, with Faust LiveCheck's names as defaults: {@code livecheck} (test
 * executions), {@code livecheck-bus} (signal events) and {@code livecheck-report} (reports), each
 * keyed by test id; plus {@code livecheck-leader}, a one-partition topic whose owner in each app's
 * consumer group leads the fake requests (Faust elects its leader otherwise). A prefix makes
 * several sets live on one cluster. The consumer groups are named after the app, with the same
 * prefix. Immutable.
 *
 * @param prefix put before every topic and group name ({@code ""} for none)
 */
public record LiveCheckTopics(String prefix) {
  /** Faust's names, no prefix. */
  public static final LiveCheckTopics DEFAULT = new LiveCheckTopics("");

  public LiveCheckTopics {
    Objects.requireNonNull(prefix, "prefix");
    if (!prefix.isEmpty() && !prefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "topic prefix = \""
              + prefix
              + "\": Kafka names allow only letters, digits, '.', '_' and '-'");
    }
  }

  /** Test executions, keyed by test id. */
  public String tests() {
    return prefix + "livecheck";
  }

  /** Signal events, keyed by test id; every instance reads every partition. */
  public String bus() {
    return prefix + "livecheck-bus";
  }

  /** Test reports, keyed by test id (suite reports have no key). */
  public String reports() {
    return prefix + "livecheck-report";
  }

  /** One partition; its owner in an app's leader group is that app's leader. */
  public String leader() {
    return prefix + "livecheck-leader";
  }

  /** The consumer group that shares the test executions of {@code app}. */
  public String testGroup(String app) {
    return prefix + "livecheck-" + app;
  }

  /** The consumer group whose owner of the leader topic leads {@code app}. */
  public String leaderGroup(String app) {
    return prefix + "livecheck-" + app + "-leader";
  }
}
