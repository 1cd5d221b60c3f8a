package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the agent reads from a snapshot's answer in place of a poll. */
class AgentSnapshotAnswerTest {
  @Test
  void an_answer_carrying_the_polls_run_stands_for_a_poll() {
    String answer =
        "{\"runId\":\"r\",\"agent\":\"0.a\",\"seq\":3,\"duplicate\":false,"
            + "\"poll\":{\"serverMs\":5,\"run\":{\"id\":\"r\",\"status\":\"stopping\"}}}";
    assertThat(AgentCommand.polled(answer).get("status").asText()).isEqualTo("stopping");
  }

  @Test
  void an_answer_without_it_leaves_the_heartbeat_to_a_poll() {
    assertThat(AgentCommand.polled("{\"runId\":\"r\",\"seq\":3,\"duplicate\":false}")).isNull();
    assertThat(AgentCommand.polled("{\"poll\":{\"serverMs\":5,\"run\":null}}")).isNull();
    assertThat(AgentCommand.polled("not json")).isNull();
  }
}
