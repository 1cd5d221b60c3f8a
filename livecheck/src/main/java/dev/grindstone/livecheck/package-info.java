/**
 * LiveCheck: live tests that run inside production services, with Faust LiveCheck's semantics.
 *
 * <p>A {@link dev.grindstone.livecheck.LiveCheck} app holds {@link dev.grindstone.livecheck.Case}s.
 * Production code triggers tests ({@code maybeTrigger}/{@code trigger}); a runner executes each on
 * its own virtual thread; the test waits for {@link dev.grindstone.livecheck.Signal}s that the
 * service sends as the request moves through it; every outcome becomes a {@link
 * dev.grindstone.livecheck.TestReport} handed to the {@link dev.grindstone.livecheck.ReportSink}s.
 *
 * <h2>Cost model</h2>
 *
 * Code that is not in a test pays one thread-local read per {@code Signal.send} or instrumented
 * HTTP call. A test costs one virtual thread, one waiter slot per signal it waits for (a map entry
 * and a future, removed when the wait ends) and one scheduled timeout per wait that is not already
 * resolved. Events sent before anyone waits are kept until their test expires, at most {@code
 * maxPendingSignals} of them. Reports leave the test thread through bounded queues.
 *
 * <h2>Time</h2>
 *
 * Every time-based rule reads one {@link dev.grindstone.livecheck.time.TimeSource}: tests use
 * {@link dev.grindstone.livecheck.time.FakeTimeSource} and advance it instead of sleeping.
 */
package dev.grindstone.livecheck;
