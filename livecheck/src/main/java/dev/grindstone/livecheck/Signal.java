package dev.grindstone.livecheck;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.livecheck.internal.SignalWaiters;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * An event a test waits for, sent by the service under test when it reaches a step: "order
 * shipped". Declared on a case with {@link Case#signal(String, Class)}.
 *
 * <p>{@link #send} is called by production code; outside a LiveCheck test it does nothing (unless
 * forced), so the call can stay in the service permanently. {@link #await} is called by the case's
 * test and blocks until the event for its key arrives or the timeout passes (then the test ends as
 * TIMEOUT). Each (case, signal, key) has at most one waiter, and only that waiter is woken.
 *
 * <p>Thread-safe.
 *
 * @param <T> the payload type
 */
public final class Signal<T> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Case owner;
  private final String name;
  private final Class<T> type;

  Signal(Case owner, String name, Class<T> type) {
    this.owner = owner;
    this.name = name;
    this.type = type;
  }

  /** The signal's name (report key of its latency). */
  public String name() {
    return name;
  }

  /** The payload type. */
  public Class<T> type() {
    return type;
  }

  /**
   * Sends {@code value} keyed by the current test's id; does nothing outside a test of this case.
   */
  public void send(T value) {
    send(value, null, false);
  }

  /** Sends {@code value} under {@code key}; does nothing outside a test of this case. */
  public void send(T value, String key) {
    send(value, key, false);
  }

  /**
   * Sends {@code value}. Outside a LiveCheck test of this signal's case this does nothing unless
   * {@code force} is set (then {@code key} is required).
   *
   * @param key the waiter's key; {@code null} = the current test's id
   */
  public void send(T value, String key, boolean force) {
    Optional<TestExecution> current = TestContext.current();
    boolean ours = current.isPresent() && current.get().caseName().equals(owner.name());
    if (!ours && !force) {
      return;
    }
    String k = key;
    if (k == null) {
      if (!ours) {
        throw new IllegalArgumentException(
            "signal "
                + name
                + ": a forced send outside a test of case "
                + owner.name()
                + " needs a key");
      }
      k = current.get().id();
    }
    if (value != null && !type.isInstance(value)) {
      throw new IllegalArgumentException(
          "signal " + name + " carries " + type.getName() + ", not " + value.getClass().getName());
    }
    owner
        .app()
        .publishSignal(
            new SignalEvent(
                name,
                owner.name(),
                k,
                ours ? current.get().id() : null,
                value,
                ours ? current.get().expires() : null));
  }

  /** Waits for the event keyed by the current test's id. Call it from the case's test. */
  public T await(Duration timeout) {
    TestExecution test =
        TestContext.current()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "signal "
                            + name
                            + ": await(timeout) needs a current test; use await(key, timeout)"));
    return await(test.id(), timeout);
  }

  /**
   * Waits for the event keyed by {@code key}, at most {@code timeout} on the app's clock.
   *
   * @return the payload
   * @throws TestTimeoutException when the timeout passes first; the runner reports TIMEOUT
   */
  public T await(String key, Duration timeout) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(timeout, "timeout");
    LiveCheck app = owner.app();
    long start = app.time().nanoTime();
    TestRunner runner = TestContext.currentRunner();
    try {
      SignalEvent event =
          app.signalWaiters().await(new SignalWaiters.Key(owner.name(), name, key), timeout);
      Duration waited = Duration.ofNanos(app.time().nanoTime() - start);
      if (runner != null) {
        runner.signalReceived(name, waited);
      }
      return value(event);
    } catch (TimeoutException e) {
      if (runner != null) {
        runner.log("signal " + name + " timed out after " + Durations.format(timeout));
      }
      throw new TestTimeoutException(
          "signal "
              + name
              + " not received for key "
              + key
              + " within "
              + Durations.format(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LiveCheckException("interrupted while waiting for signal " + name, e);
    }
  }

  /**
   * The payload as {@code T}: as sent within one process, or read from its JSON form after a hop.
   */
  private T value(SignalEvent event) {
    Object v = event.value();
    if (v == null || type.isInstance(v)) {
      return type.cast(v);
    }
    if (v instanceof JsonNode json) {
      try {
        return JSON.treeToValue(json, type);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new LiveCheckException(
            "signal "
                + name
                + ": cannot read "
                + abbreviate(json.toString())
                + " as "
                + type.getName()
                + ": "
                + (e instanceof JsonProcessingException j
                    ? j.getOriginalMessage()
                    : e.getMessage()),
            e);
      }
    }
    throw new LiveCheckException(
        "signal " + name + " carries " + type.getName() + ", got " + v.getClass().getName());
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  @Override
  public String toString() {
    return "Signal[" + owner.name() + "." + name + "]";
  }
}
