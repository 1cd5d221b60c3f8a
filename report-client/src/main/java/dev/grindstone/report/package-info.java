/**
 * The one client of the Grindstone metrics server: load runs ({@link
 * dev.grindstone.report.RunReporter}, {@link dev.grindstone.report.RunUpload}), LiveCheck's server
 * sink and the JUnit monitor's remote mode all reach the server through {@link
 * dev.grindstone.report.ServerConnection} and deliver through an {@link
 * dev.grindstone.report.Outbox}. The module needs the JDK (its HTTP client) and {@code
 * grindstone-stats} only: reporting brings no web server, database driver or JSON library into the
 * reporting process.
 *
 * <h2>The delivery policy</h2>
 *
 * <ul>
 *   <li><b>Never block or fail the caller.</b> Handing an item over ({@link
 *       dev.grindstone.report.Outbox#offer}) is lock-free: no I/O, no waiting for the sender
 *       thread, no exception for a server fault. A load test's virtual users, a production
 *       service's request threads and a build's test threads are never held up by the server.
 *   <li><b>A bounded queue.</b> At most {@code capacity} items that are not on disk wait to be
 *       sent. An item offered to a full queue is dropped and counted, and the client is told once.
 *       With a spool, what waits for a down server goes to disk, and memory keeps only the next
 *       {@code capacity / 2} items of it.
 *   <li><b>One sender thread, in order.</b> Items go in the order they were offered, in batches of
 *       up to {@code maxBatch} (LiveCheck posts up to 100 reports as one JSON array; a run's
 *       requests go one by one, as their order matters).
 *   <li><b>Retry with backoff.</b> An answer that may change later (no answer at all, a 5xx, 408,
 *       429, and 401 or 403, which a corrected token fixes) is retried after 100 ms, 200 ms, 400 ms
 *       and so on, doubling up to a maximum (5 s by default). A 4xx that says the request itself is
 *       wrong is never retried: the batch is given up and reported.
 *   <li><b>Spool to disk while the server is down.</b> With a spool file, the first failed attempt
 *       writes everything pending to it, and everything offered later is appended, until the server
 *       has taken it all; then the file is deleted. Nothing waiting on disk is given up. An outbox
 *       of the same file (the next run of the same agent, the service after a restart) sends first
 *       what an earlier one left; {@code grindstone upload} sends a run's spool by hand. The file
 *       is locked while its outbox runs, so nothing re-sends it underneath. Without a spool, a
 *       batch is given up after {@code maxAttempts}.
 *   <li><b>Counters</b> ({@link dev.grindstone.report.Outbox.Counters}): sent, failed (refused, or
 *       out of attempts), dropped (not taken, or left at close without a spool), pending, retries.
 *       Whatever is offered ends in exactly one of sent, failed, dropped, or stays pending.
 * </ul>
 *
 * <h2>The three clients</h2>
 *
 * <table>
 *   <caption>How each client sets the policy</caption>
 *   <tr><th>client</th><th>batch</th><th>attempts</th><th>spool</th><th>why</th></tr>
 *   <tr><td>{@code RunReporter} (load runs)</td><td>1</td><td>no limit</td><td>the results
 *       folder's {@code spool/}</td><td>a run's figures must all arrive: the server takes re-sent
 *       requests idempotently (run id; agent and sequence number; the finish by agent)</td></tr>
 *   <tr><td>LiveCheck's {@code ServerReportSink}</td><td>100</td><td>5 (no limit while
 *       spooled)</td><td>optional ({@code spool(Path)})</td><td>a production service must not fill
 *       its memory, nor its disk unless it chooses to</td></tr>
 *   <tr><td>the JUnit monitor's remote mode</td><td>1</td><td>1</td><td>none: the local {@code
 *       .jmon} file keeps every row</td><td>a build must not wait for the server; by default the
 *       first failure stops sending ({@code stopOnFailure}), as pytest-monitor does</td></tr>
 * </table>
 *
 * <p>A run's requests are idempotent; a LiveCheck report or a JUnit row whose answer was lost on
 * the way back (a timeout after the server stored it) is stored twice when it is sent again.
 *
 * <p>Thread-safety: every public type here is thread-safe unless its Javadoc says otherwise
 * (builders are not).
 */
package dev.grindstone.report;
