package dev.grindstone.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.junit.internal.Py;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Known answers computed with CPython 3.11. */
class PyTest {
  @Test
  void float_text_matches_python_repr() {
    assertThat(Py.floatRepr(2445.428)).isEqualTo("2445.428");
    assertThat(Py.floatRepr(0.0)).isEqualTo("0.0");
    assertThat(Py.floatRepr(100.0)).isEqualTo("100.0");
    assertThat(Py.floatRepr(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(Py.floatRepr(1e-05)).isEqualTo("1e-05");
    assertThat(Py.floatRepr(-2.5e-7)).isEqualTo("-2.5e-07");
    assertThat(Py.floatRepr(1.5e16)).isEqualTo("1.5e+16");
    assertThat(Py.floatRepr(123456789012345.6)).isEqualTo("123456789012345.6");
  }

  @Test
  void isoformat_leaves_out_zero_microseconds() {
    assertThat(Py.isoformat(LocalDateTime.of(2026, 11, 21, 20, 55, 23, 35_462_000)))
        .isEqualTo("2026-11-21T20:55:23.035462");
    assertThat(Py.isoformat(LocalDateTime.of(2026, 11, 21, 20, 55, 23, 999)))
        .isEqualTo("2026-11-21T20:55:23");
  }

  @Test
  void context_hash_matches_pytest_monitor() {
    ExecutionContext ctx =
        new ExecutionContext(
            2,
            2445.428,
            "",
            "AMD EPYC",
            24105,
            "localhost",
            "x86_64",
            "64bit",
            "Linux - 6.18.44",
            "21.0.5+11-LTS (OpenJDK 64-Bit Server VM 21.0.5+11-LTS, mixed mode) [Eclipse"
                + " Adoptium]");
    assertThat(ctx.hash()).isEqualTo("9bd57c6d41b413cd2add0606fd09a0c4");
  }

  @Test
  void session_hash_and_description_match_pytest_monitor() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("team", "core");
    Map<String, String> ci = new LinkedHashMap<>();
    ci.put("pipeline_branch", "main");
    ci.put("pipeline_build_no", "42");
    MonitorSession s =
        MonitorSession.of(
            LocalDateTime.of(2026, 11, 21, 20, 55, 23, 35_462_000),
            "bf8a71ac0000000000000000000000000000beef",
            "nightly",
            ci,
            tags);
    assertThat(s.hash()).isEqualTo("010693de9b4584bacedffade6ebc6935");
    MonitorSession accented =
        MonitorSession.of(LocalDateTime.of(2026, 11, 21, 20, 55, 23), "", "nightly é", ci, tags);
    assertThat(accented.descriptionJsonText())
        .isEqualTo(
            "{\"pipeline_branch\": \"main\", \"pipeline_build_no\": \"42\", \"description\":"
                + " \"nightly \\u00e9\", \"team\": \"core\"}");
  }
}
