package dev.grindstone.livecheck.transport;

import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.TestExecution;
import java.time.Duration;
import java.util.Optional;

/**
 * How the instances of one LiveCheck app talk. Each published test execution is delivered to one
 * member of the app's group; each signal event reaches at least the member that runs its test (a
 * transport may route it there, or broadcast it to every member); one member at a time is the
 * leader (it runs the fake-request loops). {@link InMemoryTransport} connects instances inside one
 * JVM; the Kafka transport (module livecheck-kafka) maps this onto the {@code livecheck} and {@code
 * livecheck-bus} topics, a consumer group and a leader topic. Implementations are thread-safe and
 * must pass {@code TransportContract} in the tests.
 */
public interface Transport {

  /** Joins the group of {@code app}; deliveries start at once, leadership when granted. */
  Membership join(String app, Member member);

  /** Publishes a test to one member of the app's group. */
  void publishExecution(String app, TestExecution execution);

  /** Publishes a signal so that it reaches the member that runs its test. */
  void publishSignal(String app, SignalEvent event);

  /**
   * How long a member keeps a signal event that no test waits for yet, at most; empty leaves it to
   * the app (3 h, bounded by the test's expiry). A transport that broadcasts signals bounds it:
   * every member receives every event and claims few.
   */
  default Optional<Duration> signalRetention() {
    return Optional.empty();
  }

  /** One app instance, as the transport sees it. Callbacks must not block for long. */
  interface Member {
    /**
     * A test to run. The member calls {@code done} once the test's report was delivered to every
     * report sink, or the test was dropped; only then may the transport consider the execution
     * handled (the Kafka transport commits its offset then). {@code done} may run on any thread.
     */
    void onExecution(TestExecution execution, Runnable done);

    void onSignal(SignalEvent event);

    /** Told when this member becomes the leader ({@code true}) or stops being it. */
    void onLeadership(boolean leader);
  }

  /** A member's place in the group; closing it leaves the group (leadership moves on). */
  interface Membership extends AutoCloseable {
    /**
     * Whether this member leads now. The app asks before each fake request, so an implementation
     * answers from its latest knowledge of the group, not from a flag set long ago.
     */
    boolean isLeader();

    @Override
    void close();
  }
}
