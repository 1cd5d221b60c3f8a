package dev.grindstone.engine;

import dev.grindstone.engine.internal.WorkerContext;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A numbered, described unit of timed work. Every call made through a test's {@link #wrap wrapper}
 * or {@link #record record} method is timed and counted, with The Grinder's semantics:
 *
 * <ul>
 *   <li>a call that throws is an error (counted in {@code errors} only) and the exception
 *       propagates;
 *   <li>a test re-entered on the same virtual user records only the outermost call;
 *   <li>a test that calls another test becomes <em>composite</em>: shown in parentheses and left
 *       out of the totals.
 * </ul>
 *
 * <p>Test numbers are unique within a run: two {@code Test} objects with the same number are the
 * same test, and the first description used in the run wins. Tests may be created anywhere (often
 * in static fields); they can be called only from a virtual user. Immutable and thread-safe. Which
 * call listeners take a test's records ({@link #listeners}) does not change which test it is.
 */
public final class Test {

  private final int number;
  private final String description;
  private final List<String> listeners; // null: every call listener of the run

  public Test(int number, String description) {
    this(number, description, null);
  }

  private Test(int number, String description, List<String> listeners) {
    if (number < 0) {
      throw new IllegalArgumentException("A test number must be zero or more, got " + number);
    }
    this.number = number;
    this.description = description == null ? "" : description;
    this.listeners = listeners;
  }

  /**
   * The same test, whose calls' records go only to the named {@linkplain
   * dev.grindstone.engine.spi.CallListener call listeners} of the run (gradual's {@code
   * persist_stats(adapters=...)}); none names no listener at all. The figures and the data log are
   * the same either way. A name the run has no listener of is named in the run's notes.
   *
   * <pre>{@code
   * Test checkout = new Test(3, "Checkout").listeners("orders-db");
   * }</pre>
   */
  public Test listeners(String... names) {
    List<String> list = List.of(names); // rejects null names
    for (String n : list) {
      if (n.isBlank()) {
        throw new IllegalArgumentException(
            "A listener name must not be blank, got " + list + " for " + this);
      }
    }
    return new Test(number, description, list);
  }

  /**
   * The call listeners this test's calls' records go to, by name, or null for every listener of the
   * run.
   */
  public List<String> listenerNames() {
    return listeners;
  }

  public int number() {
    return number;
  }

  public String description() {
    return description;
  }

  /** Grinder's name for {@link #number()}. */
  public int getNumber() {
    return number;
  }

  /** Grinder's name for {@link #description()}. */
  public String getDescription() {
    return description;
  }

  /** A runnable whose every run is a call of this test. Wrapping once and calling often is free. */
  public Runnable wrap(Runnable target) {
    Objects.requireNonNull(target, "target");
    return () -> WorkerContext.require(this).run(this, target);
  }

  /** A callable whose every call is a call of this test. */
  public <T> Callable<T> wrap(Callable<T> target) {
    Objects.requireNonNull(target, "target");
    return () -> WorkerContext.require(this).call(this, target);
  }

  /**
   * A proxy for {@code target} through {@code type} (an interface): every method call is a call of
   * this test. (Reflection allocates an argument array per call; for the lowest overhead wrap a
   * {@link Runnable} or {@link Callable}.)
   */
  public <T> T wrap(Class<T> type, T target) {
    Objects.requireNonNull(target, "target");
    if (!type.isInterface()) {
      throw new IllegalArgumentException(
          "Test.wrap(type, target) needs an interface type, got the class "
              + type.getName()
              + "; wrap a Runnable or Callable around the call instead");
    }
    InvocationHandler h =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args, target);
          }
          return WorkerContext.require(this).call(this, () -> invoke(method, target, args));
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
  }

  private static Object objectMethod(Object proxy, Method m, Object[] args, Object target)
      throws Exception {
    return switch (m.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "Test proxy for " + target;
    };
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Exception {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Runs {@code work} now as one call of this test. */
  public void record(Runnable work) {
    WorkerContext.require(this).run(this, work);
  }

  /** Calls {@code work} now as one call of this test and returns its result. */
  public <T> T record(Callable<T> work) throws Exception {
    return WorkerContext.require(this).call(this, work);
  }

  /**
   * In an iteration that runs as stages ({@link StagedScenario#startIteration}): starts one call of
   * this test now and returns at once. The call ends when the stage {@code start} returns
   * completes: {@code finish} then runs inside the call, on the thread that completed the stage,
   * and may check the result, update the statistics of the test in progress or throw to make the
   * call an error. The call is timed from before {@code start} to after {@code finish}; a stage
   * that completes exceptionally is an error. The returned future completes with what {@code
   * finish} returns, or exceptionally with the stage's failure (unwrapped from a {@link
   * java.util.concurrent.CompletionException}) or what {@code finish} threw. Stages added to it
   * without an executor run as a staged iteration does: they may call tests again.
   *
   * <pre>{@code
   * return fetch.recordAsync(() -> client.sendAsync(request), HttpResponse::status);
   * }</pre>
   *
   * @throws InvalidContextException off a staged iteration: on a user's thread a call's time is
   *     taken with {@link #record}
   */
  public <R, T> CompletableFuture<T> recordAsync(
      Supplier<? extends CompletionStage<R>> start, Function<? super R, ? extends T> finish) {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(finish, "finish");
    return WorkerContext.requireStaged(this).callAsync(this, start, finish);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Test t && t.number == number;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(number);
  }

  @Override
  public String toString() {
    return "Test " + number + (description.isEmpty() ? "" : " \"" + description + "\"");
  }
}
