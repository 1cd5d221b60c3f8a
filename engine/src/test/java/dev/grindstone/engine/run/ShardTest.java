package dev.grindstone.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardTest {

  /** A closed-model plan as the engine follows it: the global user counts it moves to, in order. */
  private static final int[] TARGETS = {0, 1, 3, 7, 7, 10, 4, 4, 0, 5, 13, 2, 9};

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 7, 16})
  void merged_closed_model_users_equal_the_single_process_users_at_every_step(int n) {
    UserShare whole = new UserShare(Shard.WHOLE);
    List<UserShare> agents = new ArrayList<>();
    List<List<Integer>> running = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      agents.add(new UserShare(new Shard(i, n)));
      running.add(new ArrayList<>());
    }
    List<Integer> single = new ArrayList<>();
    for (int target : TARGETS) {
      apply(whole.moveTo(target), single);
      TreeSet<Integer> merged = new TreeSet<>();
      for (int i = 0; i < n; i++) {
        apply(agents.get(i).moveTo(target), running.get(i));
        for (int u : running.get(i)) {
          assertThat(Math.floorMod(u, n)).as("user %d runs on agent u mod n", u).isEqualTo(i);
          assertThat(merged.add(u)).as("user %d runs once", u).isTrue();
        }
        if (single.isEmpty() || single.getLast() == single.size() - 1) {
          // users 0 .. target-1: each agent has ⌊target/n⌋ or ⌈target/n⌉ of them
          assertThat(running.get(i).size())
              .as("share of %d users", target)
              .isBetween(target / n, (target + n - 1) / n);
        }
      }
      assertThat(merged)
          .as("users after moving to %d", target)
          .containsExactlyElementsOf(new TreeSet<>(single));
    }
  }

  private static void apply(UserShare.Change c, List<Integer> running) {
    for (int u : c.start()) {
      running.add(u);
    }
    for (int i = 0; i < c.stop(); i++) {
      running.removeLast();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5})
  void merged_arrivals_have_the_single_process_intended_start_times(int n) {
    for (LoadShape.ArrivalRate rate :
        List.of(
            new LoadShape.ArrivalRate(50, 50, 10),
            new LoadShape.ArrivalRate(0, 120, 10),
            new LoadShape.ArrivalRate(90, 7, 10))) {
      double length = 4.0;
      List<Double> single = starts(rate, Shard.WHOLE, length);
      List<Double> merged = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        merged.addAll(starts(rate, new Shard(i, n), length));
      }
      merged.sort(null);
      assertThat(merged).as("%s over %d agents", rate, n).containsExactlyElementsOf(single);
    }
  }

  @Test
  void at_a_constant_rate_each_agent_runs_r_over_n_shifted_by_i_over_n_of_its_inter_arrival() {
    LoadShape.ArrivalRate rate = new LoadShape.ArrivalRate(100, 100, 10);
    int n = 4;
    for (int i = 0; i < n; i++) {
      List<Double> s = starts(rate, new Shard(i, n), 1.0);
      double interArrival = n / 100.0;
      assertThat(s.get(0))
          .isCloseTo(i * interArrival / n, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(s.get(1) - s.get(0))
          .isCloseTo(interArrival, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(s).hasSize(25);
    }
  }

  private static List<Double> starts(LoadShape.ArrivalRate rate, Shard shard, double length) {
    List<Double> list = new ArrayList<>();
    for (long k = 0; ; k++) {
      double t = rate.startOf(shard.global(k), length);
      if (Double.isInfinite(t) || t >= length) {
        return list;
      }
      list.add(t);
    }
  }

  @Test
  void waves_of_run_once_users_split_the_same_way() {
    LoadShape.Steps steps =
        new LoadShape.Steps(1, 20, List.of(3), null, List.of(Duration.ofMillis(10)), true);
    int n = 3;
    UserShare whole = new UserShare(Shard.WHOLE);
    List<UserShare> agents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      agents.add(new UserShare(new Shard(i, n)));
    }
    List<Integer> single = new ArrayList<>();
    List<Integer> merged = new ArrayList<>();
    for (LoadShape.Steps.Step step : steps.schedule()) {
      for (int w = single.size(); w < step.users(); w++) {
        single.add(whole.nextPooled());
        for (UserShare a : agents) {
          int u = a.nextPooled();
          if (u >= 0) {
            merged.add(u);
          }
        }
      }
      assertThat(new TreeSet<>(merged)).containsExactlyElementsOf(new TreeSet<>(single));
      assertThat(merged).hasSameSizeAs(single);
    }
  }

  @Test
  void queue_feeder_rows_are_partitioned_so_none_is_used_twice() {
    List<Integer> rows = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      all.addAll(new Shard(i, 3).rows(rows));
    }
    assertThat(new Shard(1, 3).rows(rows)).containsExactly(1, 4, 7);
    all.sort(null);
    assertThat(all).isEqualTo(rows);
  }

  @Test
  void shares_are_floor_or_ceil_and_sum_to_the_whole() {
    for (int n = 1; n <= 9; n++) {
      for (int total = 0; total < 40; total++) {
        int sum = 0;
        for (int i = 0; i < n; i++) {
          sum += new Shard(i, n).share(total);
        }
        assertThat(sum).as("%d users over %d agents", total, n).isEqualTo(total);
      }
    }
  }

  @Test
  void rejects_an_index_outside_the_agents() {
    assertThatThrownBy(() -> new Shard(3, 3)).hasMessageContaining("0 to 2 for 3 agents, got 3");
    assertThatThrownBy(() -> new Shard(0, 0)).hasMessageContaining("1 agent or more, got 0");
  }
}
