package dev.grindstone.engine;

import java.time.Duration;
import java.util.Map;
import java.util.random.RandomGenerator;

/** The virtual user running the current iteration. Used only by its own thread. */
public interface VirtualUser {

  /** 0-based number of this user within the run (The Grinder's thread number). */
  int number();

  /** 0-based number of the current iteration of this user (The Grinder's run number). */
  long iteration();

  /** Name of the phase the run is in. */
  String phase();

  /** Name of the scenario this user runs; empty in a run of one unnamed scenario. */
  default String scenario() {
    return "";
  }

  /** This user's variables; they live as long as the user. */
  Map<String, Object> vars();

  /** This user's random numbers. */
  RandomGenerator random();

  /**
   * Sleeps for {@code duration}. Between test calls it returns early when the user is asked to stop
   * (ramp-down, end of phase, Ctrl-C). Inside a test call it sleeps the whole duration, because the
   * sleep is part of the call's time; only when the run's graceful stop runs out does it return
   * early, and then the call is counted as cancelled at stop, never timed.
   */
  void sleep(Duration duration);

  /** True once this user has been asked to stop after the current iteration. */
  boolean isStopping();
}
