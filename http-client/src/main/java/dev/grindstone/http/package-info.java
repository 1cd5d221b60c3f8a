/**
 * Grindstone's HTTP client: a blocking HTTP/1.1 client for virtual users (with an asynchronous send
 * for several requests at once), with per-user cookie jars, TLS, and the timing breakdown and the
 * {@link dev.grindstone.http.HttpRequestListener} that the load plugin ({@code grindstone-http})
 * turns into The Grinder's {@code httpplugin.*} statistics. It knows no load-test engine and can be
 * used on its own.
 *
 * <h2>Cost model</h2>
 *
 * One Netty event loop (by default) serves every connection of the process. A request costs the
 * calling virtual thread: building the request once (its head is encoded on first use and cached in
 * the {@link dev.grindstone.http.HttpRequest}), taking a pooled connection (a semaphore permit and
 * a lock-free deque), copying the request into the connection's direct buffer, writing it to the
 * non-blocking socket itself (one system call; TLS, bodies over 64 KiB and the rest of a partial
 * write are handed to the event loop instead), and parking. The event loop decodes the response
 * into a byte array and unparks the thread; nothing on that path takes a lock, and the event loop
 * is neither handed a task nor woken up to send. Request deadlines are enforced by one periodic
 * task (every 10 ms) rather than a timed park, which would schedule a timer per request. Allocation
 * per request: the exchange, the response, its header block and body arrays, one {@code Timings};
 * the header map is built only when a caller asks for a header.
 *
 * <p>{@link dev.grindstone.http.HttpClient#sendAsync} takes the same steps on the calling thread up
 * to the write, and does not park: the event loop that reads the response puts the connection back,
 * tells the listener and completes the future itself, with no thread to wake. It allocates, beyond
 * {@code send}'s objects, the request's state (which carries its redirect hops and retry) and the
 * future; waiting for a free connection and opening one still run on a virtual thread.
 *
 * <p>A {@link dev.grindstone.http.WebSocket} has a connection of its own on the same event loops.
 * Sending hands the frame to the event loop and waits until it is written; the event loop decodes,
 * joins continuation frames, answers pings and queues whole messages, which the owner takes with a
 * timed poll.
 *
 * <h2>Thread-safety</h2>
 *
 * {@link dev.grindstone.http.HttpClient}, {@link dev.grindstone.http.HttpRequest} and {@link
 * dev.grindstone.http.HttpResponse} are thread-safe; an {@link dev.grindstone.http.HttpSession}
 * belongs to one virtual user.
 */
package dev.grindstone.http;
