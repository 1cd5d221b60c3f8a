package dev.grindstone.livecheck;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * Which LiveCheck test the current code works for. {@link Case#maybeTrigger}, the runner and the
 * HTTP filters open a {@link Scope}; signals, the HTTP client wrapper and {@link
 * LiveCheck#current()} read it.
 *
 * <h2>How it travels between threads</h2>
 *
 * The context lives in an {@link InheritableThreadLocal}: a thread started inside a scope sees the
 * test too. Thread pools are the trap: a pooled thread keeps whatever it inherited when it was
 * created. Two rules make that safe:
 *
 * <ul>
 *   <li>A scope, once closed, is invisible everywhere, including in threads that inherited it; so a
 *       pooled thread created during a test does not report that test forever after.
 *   <li>Work handed to an executor carries the test explicitly: wrap it with {@link
 *       #wrap(Runnable)} or wrap the executor with {@link #propagating(Executor)}. The wrapped task
 *       opens its own scope on the worker thread and closes it when done, so it sees the test even
 *       after the submitting scope closed.
 * </ul>
 *
 * ({@code ScopedValue} would be the natural carrier but is a preview API in Java 21.) Thread-safe.
 */
public final class TestContext {
  private static final InheritableThreadLocal<Frame> CURRENT = new InheritableThreadLocal<>();

  private TestContext() {}

  /** The test the calling code works for, if any. */
  public static Optional<TestExecution> current() {
    Frame f = top();
    return f == null ? Optional.empty() : Optional.of(f.execution);
  }

  /**
   * The runner of the test whose own code runs on this thread (Faust's {@code current_execution}):
   * empty in a service that only carries a test along (a request with LiveCheck headers).
   */
  public static Optional<TestRunner> currentExecution() {
    return Optional.ofNullable(currentRunner());
  }

  /** The runner executing the current test on this thread, if the code runs inside a case. */
  static TestRunner currentRunner() {
    for (Frame f = CURRENT.get(); f != null; f = f.parent) {
      if (!f.closed) {
        return f.runner;
      }
    }
    return null;
  }

  /**
   * Makes {@code execution} current on this thread (and threads it starts) until the scope is
   * closed. Close it on the same thread, in a try-with-resources block.
   */
  public static Scope enter(TestExecution execution) {
    return enter(execution, null);
  }

  static Scope enter(TestExecution execution, TestRunner runner) {
    Frame f = new Frame(execution, runner, CURRENT.get());
    CURRENT.set(f);
    return f;
  }

  /** {@code task} running in the test current now, wherever it later runs. */
  @SuppressWarnings("try") // the scope is used for its effect on the thread's context
  public static Runnable wrap(Runnable task) {
    Frame f = top();
    if (f == null) {
      return task;
    }
    TestExecution ex = f.execution;
    TestRunner runner = f.runner;
    return () -> {
      try (Scope s = enter(ex, runner)) {
        task.run();
      }
    };
  }

  /** {@code task} running in the test current now, wherever it later runs. */
  @SuppressWarnings("try") // the scope is used for its effect on the thread's context
  public static <T> Callable<T> wrap(Callable<T> task) {
    Frame f = top();
    if (f == null) {
      return task;
    }
    TestExecution ex = f.execution;
    TestRunner runner = f.runner;
    return () -> {
      try (Scope s = enter(ex, runner)) {
        return task.call();
      }
    };
  }

  /** An executor that runs every task in the test that was current when it was submitted. */
  public static Executor propagating(Executor executor) {
    return task -> executor.execute(wrap(task));
  }

  private static Frame top() {
    Frame f = CURRENT.get();
    while (f != null && f.closed) {
      f = f.parent;
    }
    return f;
  }

  /** An open test context; closing it restores the previous one. */
  public sealed interface Scope extends AutoCloseable permits Frame {
    /** The test this scope makes current. */
    TestExecution execution();

    @Override
    void close();
  }

  private static final class Frame implements Scope {
    final TestExecution execution;
    final TestRunner runner;
    final Frame parent;
    volatile boolean closed;

    Frame(TestExecution execution, TestRunner runner, Frame parent) {
      this.execution = execution;
      this.runner = runner;
      this.parent = parent;
    }

    @Override
    public TestExecution execution() {
      return execution;
    }

    @Override
    public void close() {
      closed = true;
      if (CURRENT.get() == this) {
        Frame p = parent;
        while (p != null && p.closed) {
          p = p.parent;
        }
        if (p == null) {
          CURRENT.remove();
        } else {
          CURRENT.set(p);
        }
      }
    }
  }
}
