/**
 * The JUnit monitor: {@link dev.grindstone.junit.MonitorListener} measures each test's wall time,
 * CPU time, memory, allocation and GC time, in pytest-monitor's schema and protocol.
 *
 * <p>Cost model. On the test thread, per test: two readings of the thread's CPU clock, one of its
 * allocation counter and of the GC counters at start and at end, a read of the thread's user time
 * from {@code /proc} at most once per millisecond of the thread's CPU, a map entry and a row handed
 * to the writer through a lock-free queue: about 11 µs in the median (see BENCHMARKS.md). Off the
 * test thread: one sampler thread reads the process's resident set size every 10 ms; one writer
 * thread commits rows to SQLite in batches; one sender thread posts them to the server. None of
 * these can block a test, except the writer when 100,000 rows wait (a stalled disk).
 */
package dev.grindstone.junit;
