package dev.grindstone.livecheck.transport;

import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.TestExecution;

/**
 * How the instances of one LiveCheck app talk: test executions and signal events are published
 * and delivered to exactly one member of the app's group (the one that owns the test id, like a
 * Kafka partition keyed by test id), and one member at a time is the leader (it runs the
 * fake-request loops). {@link InMemoryTransport} connects instances inside one JVM; a Kafka
 * transport maps this onto the {@code livecheck} and {@code livecheck-bus} topics and the consumer
 * group. Implementations are thread-safe and must pass {@code TransportContract} in the tests.
 */
public interface Transport {

  /** Joins the group of {@code app}; leadership and deliveries start at once. */
  Membership join(String app, Member member);

  /** Publishes a test to the member that owns {@code execution.id()}. */
  void publishExecution(String app, TestExecution execution);

  /** Publishes a signal to the member that owns its test id (or key when sent outside a test). */
  void publishSignal(String app, SignalEvent event);

  /** One app instance, as the transport sees it. Callbacks must not block for long. */
  interface Member {
    void onExecution(TestExecution execution);

    void onSignal(SignalEvent event);

    /** Told when this member becomes the leader ({@code true}) or stops being it. */
    void onLeadership(boolean leader);
  }

  /** A member's place in the group; closing it leaves the group (leadership moves on). */
  interface Membership extends AutoCloseable {
    boolean isLeader();

    @Override
    void close();
  }
}
