package dev.grindstone.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MonitorConfigTest {
  static MonitorConfig of(Map<String, String> m) {
    return MonitorConfig.from(k -> Optional.ofNullable(m.get(k)));
  }

  @Test
  void defaults_write_dot_jmon_for_methods_only() {
    MonitorConfig c = MonitorConfig.defaults();
    assertThat(c.enabled()).isTrue();
    assertThat(c.file()).contains(Path.of(".jmon"));
    assertThat(c.server()).isEmpty();
    assertThat(c.scopes()).containsExactly(MonitorConfig.Kind.METHOD);
    assertThat(c.keepGoing()).isTrue();
    assertThat(c.serverTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void every_setting_is_read() {
    MonitorConfig c =
        of(
            Map.of(
                "grindstone.monitor.file", "",
                "grindstone.monitor.server", "http://127.0.0.1:8080/api/v1/",
                "grindstone.monitor.tags", "a=1, b = x=y ,",
                "grindstone.monitor.scope", "class, method",
                "grindstone.monitor.server.keepGoing", "false",
                "grindstone.monitor.memory.intervalMillis", "50"));
    assertThat(c.file()).isEmpty();
    assertThat(c.server()).contains(URI.create("http://127.0.0.1:8080/api/v1"));
    assertThat(c.tags()).containsExactly(Map.entry("a", "1"), Map.entry("b", "x=y"));
    assertThat(c.scopes())
        .containsExactlyInAnyOrder(MonitorConfig.Kind.METHOD, MonitorConfig.Kind.CLASS);
    assertThat(c.keepGoing()).isFalse();
    assertThat(c.sampleInterval()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void every_bad_setting_is_named_with_its_value_and_what_is_allowed() {
    assertThatThrownBy(
            () ->
                of(
                    Map.of(
                        "grindstone.monitor.enabled", "maybe",
                        "grindstone.monitor.server", "localhost:8080",
                        "grindstone.monitor.server.timeoutMillis", "0",
                        "grindstone.monitor.memory.intervalMillis", "often")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("grindstone.monitor.enabled='maybe' must be true or false")
        .hasMessageContaining(
            "grindstone.monitor.server='localhost:8080' must be an http:// or https:// URL")
        .hasMessageContaining(
            "grindstone.monitor.server.timeoutMillis=0 must be between 1 and 600000")
        .hasMessageContaining(
            "grindstone.monitor.memory.intervalMillis='often' must be a whole number");
    assertThatThrownBy(() -> of(Map.of("grindstone.monitor.file", "")))
        .hasMessageContaining("nowhere to store results");
  }
}
