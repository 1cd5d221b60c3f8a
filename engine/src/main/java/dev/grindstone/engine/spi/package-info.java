/**
 * The plug-in SPI: what a protocol plug-in (HTTP, WebSocket, a database driver) needs to add its
 * own figures to a run.
 *
 * <ul>
 *   <li>{@link dev.grindstone.engine.spi.Plugin}: the plug-in's statistics ({@link
 *       dev.grindstone.engine.spi.PluginStatistic}), its summary-table columns ({@link
 *       dev.grindstone.engine.spi.SummaryColumn}) and data-log columns ({@link
 *       dev.grindstone.engine.spi.DataLogColumn}), and a {@link
 *       dev.grindstone.engine.spi.PluginListener} told of the run's start and end and of each
 *       virtual user's.
 *   <li>{@link dev.grindstone.engine.spi.TestStatistics#current()}: the statistics of the test in
 *       progress on the calling virtual user, which the plug-in updates while the call runs (an
 *       HTTP request adds its response length, say).
 *   <li>{@link dev.grindstone.engine.spi.CallListener}: receives every call's {@link
 *       dev.grindstone.engine.spi.CallRecord}, made off the virtual users' threads from the call's
 *       data-log row; a plug-in tells a call's request with {@link
 *       dev.grindstone.engine.spi.TestStatistics#request}.
 *   <li>{@link dev.grindstone.engine.spi.PluginSchema}: the statistics schema and the columns a
 *       list of plug-ins makes; a run builds one from its plug-ins, and {@code grindstone analyze}
 *       from the plug-ins whose data-log columns it knows.
 * </ul>
 *
 * <p>A run takes its plug-ins from {@link dev.grindstone.engine.Scenario#plugins()} and {@link
 * dev.grindstone.engine.Run#plugin}. Plug-ins are immutable values shared by every run; cost on the
 * hot path: {@link dev.grindstone.engine.spi.TestStatistics#current()} is one thread-local read,
 * and an update one array read and one array write, without allocating.
 */
package dev.grindstone.engine.spi;
