/**
 * Grindstone's HTTP load plugin: {@link dev.grindstone.http.load.HttpPlugin} adds The Grinder's
 * {@code httpplugin.*} statistics and columns to a run through the engine's plug-in SPI, and {@link
 * dev.grindstone.http.load.HttpStatistics} turns what the HTTP client reports about each request
 * into those statistics of the test in progress; {@link dev.grindstone.http.load.HttpFlow} reads
 * the {@code requests:} and {@code flow:} of a run file and {@link
 * dev.grindstone.http.load.HttpFlowScenario} runs it, each request step and each WebSocket step
 * ({@code ws_connect}, {@code ws_send}, {@code ws_receive}, {@code ws_close}) a Test; {@link
 * dev.grindstone.http.load.Check}s mark a response as an error.
 *
 * <h2>Thread-safety</h2>
 *
 * {@code HttpPlugin}, {@code HttpStatistics} and {@code Check} are thread-safe. One {@code
 * HttpFlowScenario} serves all the virtual users of a run; each user keeps its own cookies and
 * variables.
 */
package dev.grindstone.http.load;
