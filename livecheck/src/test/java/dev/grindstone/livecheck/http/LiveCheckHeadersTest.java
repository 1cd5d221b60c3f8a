package dev.grindstone.livecheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.livecheck.TestExecution;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LiveCheckHeadersTest {
  /**
   * The form Faust's fallback ISO-8601 reader accepts (faust/utils/_iso8601_python.py): a fraction
   * is read as a count of microseconds, so it must have at most six digits (seven or more are out
   * of range there, and fewer than six would be misread).
   */
  private static final Pattern FAUST_READABLE =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?\\+00:00");

  @Test
  void timestamps_are_written_as_python_isoformat_with_at_most_six_fraction_digits() {
    assertThat(LiveCheckHeaders.isoformat(Instant.parse("2026-01-01T12:00:00.123456789Z")))
        .isEqualTo("2026-01-01T12:00:00.123456+00:00");
    assertThat(LiveCheckHeaders.isoformat(Instant.parse("2026-01-01T12:00:00.250Z")))
        .isEqualTo("2026-01-01T12:00:00.250000+00:00");
    assertThat(LiveCheckHeaders.isoformat(Instant.parse("2026-01-01T12:00:00Z")))
        .isEqualTo("2026-01-01T12:00:00+00:00");
    assertThat(LiveCheckHeaders.isoformat(Instant.parse("2026-01-01T12:00:00.000000999Z")))
        .as("below a microsecond there is no fraction to write")
        .isEqualTo("2026-01-01T12:00:00+00:00");
  }

  @Test
  void the_headers_of_a_test_with_nanosecond_times_are_readable_by_faust_and_read_back_here() {
    Instant t = Instant.parse("2026-03-04T05:06:07.987654321Z");
    TestExecution test =
        new TestExecution("id-1", "orders.place_order", t, Map.of(), t.plusSeconds(10_800));
    Map<String, String> h = LiveCheckHeaders.of(test);
    assertThat(h.get(LiveCheckHeaders.TEST_TIMESTAMP))
        .matches(FAUST_READABLE)
        .isEqualTo("2026-03-04T05:06:07.987654+00:00");
    assertThat(h.get(LiveCheckHeaders.TEST_EXPIRES))
        .matches(FAUST_READABLE)
        .isEqualTo("2026-03-04T08:06:07.987654+00:00");
    TestExecution back = LiveCheckHeaders.read(h::get).orElseThrow();
    assertThat(back.timestamp()).isEqualTo(Instant.parse("2026-03-04T05:06:07.987654Z"));
    assertThat(back.expires()).isEqualTo(Instant.parse("2026-03-04T08:06:07.987654Z"));
    // What Faust itself writes is read here too.
    assertThat(LiveCheckHeaders.parseInstant("2026-03-04T05:06:07.987654+00:00"))
        .isEqualTo(back.timestamp());
    assertThat(LiveCheckHeaders.parseInstant("2026-03-04T05:06:07+00:00"))
        .isEqualTo(Instant.parse("2026-03-04T05:06:07Z"));
  }
}
