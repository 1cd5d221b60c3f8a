package dev.grindstone.livecheck.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.TestExecution;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What every {@link Transport} must do; run over each implementation. */
abstract class TransportContract {

  abstract Transport transport();

  static final class Recorder implements Transport.Member {
    final List<String> got = new CopyOnWriteArrayList<>();
    final List<Boolean> leadership = new CopyOnWriteArrayList<>();

    @Override
    public void onExecution(TestExecution execution) {
      got.add("test " + execution.id());
    }

    @Override
    public void onSignal(SignalEvent event) {
      got.add("signal " + event.key());
    }

    @Override
    public void onLeadership(boolean leader) {
      leadership.add(leader);
    }
  }

  private static TestExecution test(String id) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return new TestExecution(id, "c", now, Map.of(), now.plusSeconds(60));
  }

  @Test
  void the_first_member_leads_and_leadership_moves_when_it_leaves() {
    Transport t = transport();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    Transport.Membership ma = t.join("app", a);
    Transport.Membership mb = t.join("app", b);
    assertThat(ma.isLeader()).isTrue();
    assertThat(mb.isLeader()).isFalse();
    ma.close();
    assertThat(mb.isLeader()).isTrue();
    assertThat(a.leadership).containsExactly(true, false);
    assertThat(b.leadership).containsExactly(true);
    mb.close();
  }

  @Test
  void each_test_and_its_signals_reach_exactly_one_member_the_same_one() {
    Transport t = transport();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    Recorder otherApp = new Recorder();
    t.join("app", a);
    t.join("app", b);
    t.join("other", otherApp);
    for (int i = 0; i < 50; i++) {
      t.publishExecution("app", test("t" + i));
      t.publishSignal("app", new SignalEvent("s", "c", "custom-key-" + i, "t" + i, i, null));
    }
    assertThat(a.got.size() + b.got.size()).isEqualTo(100);
    assertThat(a.got).isNotEmpty();
    assertThat(b.got).isNotEmpty();
    for (int i = 0; i < 50; i++) {
      Recorder owner = a.got.contains("test t" + i) ? a : b;
      assertThat(owner.got).contains("signal custom-key-" + i);
    }
    assertThat(otherApp.got).isEmpty();
  }
}
