package dev.grindstone.engine.run;

import java.util.Arrays;

/**
 * Follows a closed-model run's users as one process numbers them, and says which of them run on one
 * {@link Shard}: users are numbered in the order they start, across phases, and the newest leave
 * first when the number falls. Every agent follows the same global numbers, so a user keeps its
 * number (and its seed) whichever agent runs it. Not thread-safe.
 */
public final class UserShare {

  /** What the agent does to follow the global number of users. */
  public record Change(int[] start, int stop) {
    public static final Change NONE = new Change(new int[0], 0);
  }

  private final Shard shard;
  private int[] active = new int[16]; // the global numbers of the running users, oldest first
  private int size;
  private int next;

  public UserShare(Shard shard) {
    this.shard = shard;
  }

  /** Running users over every agent. */
  public int globalUsers() {
    return size;
  }

  /**
   * Moves the run to {@code target} users over every agent.
   *
   * @return the global numbers of the users this agent starts (ascending), and how many of its
   *     newest it stops
   */
  public Change moveTo(int target) {
    if (target == size) {
      return Change.NONE;
    }
    if (target > size) {
      int[] start = new int[target - size];
      int n = 0;
      while (size < target) {
        int u = next++;
        if (size == active.length) {
          active = Arrays.copyOf(active, size * 2);
        }
        active[size++] = u;
        if (shard.owns(u)) {
          start[n++] = u;
        }
      }
      return new Change(Arrays.copyOf(start, n), 0);
    }
    int stop = 0;
    while (size > target) {
      if (shard.owns(active[--size])) {
        stop++;
      }
    }
    return new Change(new int[0], stop);
  }

  /** The number the next user to start will have, over every agent. */
  public int nextNumber() {
    return next;
  }

  /**
   * Takes the next global user number for a user outside the closed model's running set (a wave's
   * or an arrival's pool), or -1 when that number is another agent's.
   */
  public int nextPooled() {
    int u = next++;
    return shard.owns(u) ? u : -1;
  }
}
