package dev.grindstone.livecheck;

import java.time.Instant;

/**
 * One {@link Signal#send} travelling to the test that waits for it. Immutable.
 *
 * @param signalName the signal's name
 * @param caseName the case that declares the signal
 * @param key the waiter's key (the test id unless given)
 * @param testId the test during which it was sent, or {@code null} when forced outside a test;
 *     transports route by it so the event reaches the instance that runs the test
 * @param value the payload; after a hop between processes, its JSON form (a Jackson {@code
 *     JsonNode}), which {@link Signal#await} reads as the signal's type
 * @param expires after this instant an event nobody waits for is dropped
 */
public record SignalEvent(
    String signalName, String caseName, String key, String testId, Object value, Instant expires) {}
