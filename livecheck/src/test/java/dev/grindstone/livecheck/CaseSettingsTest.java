package dev.grindstone.livecheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaseSettingsTest {

  @Test
  void defaults_are_faust_livecheck_defaults() {
    CaseSettings s = CaseSettings.defaults();
    assertThat(s.probability()).isEqualTo(0.5);
    assertThat(s.warnStalledAfter()).isEqualTo(Duration.ofSeconds(1800));
    assertThat(s.testExpires()).isEqualTo(Duration.ofHours(3));
    assertThat(s.frequency()).isNull();
    assertThat(s.realtimeLogs()).isFalse();
    assertThat(s.maxHistory()).isEqualTo(100);
    assertThat(s.maxConsecutiveFailures()).isEqualTo(30);
    assertThat(s.stateTransitionDelay()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.urlTimeoutTotal()).isEqualTo(Duration.ofSeconds(300));
    assertThat(s.urlTimeoutConnect()).isNull();
    assertThat(s.urlErrorRetries()).isEqualTo(10);
    assertThat(s.urlErrorDelayMin()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.urlErrorDelayBackoff()).isEqualTo(1.5);
    assertThat(s.urlErrorDelayMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.active()).isTrue();
  }

  @Test
  void durations_accept_duration_seconds_and_strings() {
    CaseSettings s =
        CaseSettings.builder()
            .warnStalledAfter(Duration.ofMinutes(2))
            .testExpires("3h")
            .frequency(2.5)
            .stateTransitionDelay("500ms")
            .urlTimeoutTotal("30s")
            .urlTimeoutConnect(" 5m ")
            .urlErrorDelayMin("PT0.25S")
            .urlErrorDelayMax(7)
            .build();
    assertThat(s.warnStalledAfter()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.testExpires()).isEqualTo(Duration.ofHours(3));
    assertThat(s.frequency()).isEqualTo(Duration.ofMillis(2500));
    assertThat(s.stateTransitionDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.urlTimeoutTotal()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.urlTimeoutConnect()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.urlErrorDelayMin()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.urlErrorDelayMax()).isEqualTo(Duration.ofSeconds(7));
    assertThat(Durations.parse("x", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("x", "1.5")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void settings_from_a_map_use_faust_names_and_none_turns_optional_settings_off() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("probability", "0.25");
    m.put("max_history", 10);
    m.put("frequency", "10s");
    m.put("url_timeout_total", "none");
    m.put("active", "false");
    CaseSettings s = CaseSettings.fromMap(m);
    assertThat(s.probability()).isEqualTo(0.25);
    assertThat(s.maxHistory()).isEqualTo(10);
    assertThat(s.frequency()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.urlTimeoutTotal()).isNull();
    assertThat(s.active()).isFalse();
  }

  @Test
  void every_invalid_setting_is_named_with_its_value_and_rule() {
    assertThatThrownBy(
            () ->
                CaseSettings.builder()
                    .probability(1.5)
                    .testExpires("3x")
                    .maxHistory(0)
                    .urlErrorDelayBackoff(0.5)
                    .frequency(-1)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("probability = 1.5: must be between 0 and 1")
        .hasMessageContaining("test_expires: cannot read \"3x\" as a duration")
        .hasMessageContaining("\"30s\"")
        .hasMessageContaining("max_history = 0: must be >= 1")
        .hasMessageContaining("url_error_delay_backoff = 0.5: must be a finite number >= 1")
        .hasMessageContaining("frequency = PT-1S: must be > 0");
  }

  @Test
  void a_delay_cap_below_the_minimum_is_refused() {
    assertThatThrownBy(
            () -> CaseSettings.builder().urlErrorDelayMin("2s").urlErrorDelayMax("1s").build())
        .hasMessageContaining("url_error_delay_max = 1s: must be >= url_error_delay_min (2s)");
  }

  @Test
  void unknown_and_mistyped_settings_are_refused() {
    assertThatThrownBy(() -> CaseSettings.fromMap(Map.of("probabilty", 0.1)))
        .hasMessageContaining("unknown LiveCheck case setting \"probabilty\"")
        .hasMessageContaining("probability");
    assertThatThrownBy(() -> CaseSettings.fromMap(Map.of("max_consecutive_failures", 2.5)))
        .hasMessageContaining("max_consecutive_failures = 2.5: must be a whole number");
    assertThatThrownBy(() -> CaseSettings.fromMap(Map.of("active", "yes")))
        .hasMessageContaining("active = \"yes\": must be true or false");
  }

  @Test
  void to_builder_round_trips() {
    CaseSettings s = CaseSettings.builder().probability(0.1).frequency("2s").build();
    assertThat(s.toBuilder().build()).isEqualTo(s);
  }
}
