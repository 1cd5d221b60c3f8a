package dev.grindstone.engine.run;

import java.util.ArrayList;
import java.util.List;

/**
 * One agent's share of a run split over {@code count} agents: a pure function of (plan, index,
 * count), so every agent computes its share alone and the shares add up to the whole plan exactly.
 *
 * <ul>
 *   <li>Users (closed model, waves of {@code run_once}): user {@code u}, in the single-process
 *       numbering, runs on agent {@code u mod count}; of users 0 to U−1 an agent runs ⌊U/n⌋ or
 *       ⌈U/n⌉ (after a ramp down and up again the numbers keep their agents, see {@link
 *       UserShare}).
 *   <li>Arrivals (open model): the single process's {@code k}-th start is agent {@code k mod
 *       count}'s; at a constant rate r each agent starts r/n a second, agent i shifted by i/n of
 *       its inter-arrival, so the merged starts are those of one generator.
 *   <li>Rows of a {@code queue} feeder: row {@code r} is agent {@code r mod count}'s, so no row is
 *       used twice.
 * </ul>
 *
 * @param index this agent's index, 0 to {@code count - 1}
 * @param count the number of agents
 */
public record Shard(int index, int count) {

  /** The whole plan in one process. */
  public static final Shard WHOLE = new Shard(0, 1);

  public Shard {
    if (count < 1) {
      throw new IllegalArgumentException("A run is split over 1 agent or more, got " + count);
    }
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException(
          "An agent's index is 0 to " + (count - 1) + " for " + count + " agents, got " + index);
    }
  }

  /** True when the single-process item {@code n} (a user, an arrival, a row) is this agent's. */
  public boolean owns(long n) {
    return Math.floorMod(n, count) == index;
  }

  /** How many of the users {@code 0 .. total-1} are this agent's: ⌊total/n⌋ or ⌈total/n⌉. */
  public int share(int total) {
    return total <= index ? 0 : (total - index + count - 1) / count;
  }

  /** The single-process number of this agent's {@code k}-th (0-based) arrival or user. */
  public long global(long k) {
    return k * count + index;
  }

  /** This agent's rows of a {@code queue} feeder: rows {@code index}, {@code index + count}, ... */
  public <T> List<T> rows(List<T> all) {
    List<T> mine = new ArrayList<>();
    for (int r = index; r < all.size(); r += count) {
      mine.add(all.get(r));
    }
    return mine;
  }

  /**
   * This agent's cap on concurrent open-model iterations: its share of {@code maxUsers}, at least 1
   * (an agent with arrivals needs a user to run them).
   */
  public int maxUsers(int maxUsers) {
    return Math.max(1, share(maxUsers));
  }

  @Override
  public String toString() {
    return "agent " + index + " of " + count;
  }
}
