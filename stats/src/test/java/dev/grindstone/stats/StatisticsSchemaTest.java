package dev.grindstone.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatisticsSchemaTest {

  @Test
  void standard_schema_has_grinders_names_and_kinds() {
    StatisticsSchema s = StatisticsSchema.standard();
    for (String name :
        new String[] {"errors", "untimedTests", "userLong0", "userLong4", "period"}) {
      assertThat(s.find(name)).as(name).isInstanceOf(StatisticIndex.LongIndex.class);
    }
    for (String name : new String[] {"peakTPS", "userDouble0", "userDouble4"}) {
      assertThat(s.find(name)).as(name).isInstanceOf(StatisticIndex.DoubleIndex.class);
    }
    assertThat(s.find("timedTests")).isInstanceOf(StatisticIndex.SampleIndex.class);
    assertThat(s.longIndex("period").isTransient()).isTrue();
    assertThat(s.longIndex("errors").isTransient()).isFalse();
    assertThat(s.find("httpplugin.responseStatus")).isNull();
  }

  @Test
  void schemas_built_alike_are_equal_and_their_sets_combine() {
    StatisticsSchema a = StatisticsSchema.builder().standard().registerLong("bytesSent").build();
    StatisticsSchema b = StatisticsSchema.builder().standard().registerLong("bytesSent").build();
    StatisticsSchema other =
        StatisticsSchema.builder().standard().registerLong("bytesReceived").build();
    assertThat(a)
        .isEqualTo(b)
        .hasSameHashCodeAs(b)
        .isNotEqualTo(other)
        .isNotEqualTo(StatisticsSchema.standard());
    StatisticsSet sum = new StatisticsSet(a);
    StatisticsSet part = new StatisticsSet(b);
    part.addLong(b.longIndex("bytesSent"), 5);
    sum.add(part);
    assertThat(sum).isEqualTo(part);
    assertThatThrownBy(() -> sum.add(new StatisticsSet(other)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unknown_name_suggests_the_closest_one() {
    assertThatThrownBy(() -> StatisticsSchema.standard().longIndex("eror"))
        .isInstanceOf(NoSuchStatisticException.class)
        .hasMessageContaining("no basic long statistic called 'eror'")
        .hasMessageContaining("Did you mean 'errors'?");
  }

  @Test
  void wrong_kind_says_what_kind_the_name_is() {
    assertThatThrownBy(() -> StatisticsSchema.standard().longIndex("timedTests"))
        .isInstanceOf(NoSuchStatisticException.class)
        .hasMessageContaining("'timedTests' is a sample statistic, not a basic long one")
        .hasMessageContaining("(sum timedTests)");
    assertThatThrownBy(() -> StatisticsSchema.standard().doubleIndex("errors"))
        .hasMessageContaining("'errors' is a basic long statistic, not a basic double one");
  }

  @Test
  void far_off_name_lists_the_statistics_of_that_kind() {
    assertThatThrownBy(() -> StatisticsSchema.standard().sampleIndex("somethingElse"))
        .hasMessageContaining("The sample statistics are: timedTests");
  }

  @Test
  void more_statistics_can_be_registered_once() {
    StatisticsSchema s =
        StatisticsSchema.standard().toBuilder()
            .registerLong("bytesSent")
            .registerSample("queueTime")
            .build();
    assertThat(s.longIndex("bytesSent")).isNotNull();
    assertThat(s.sampleIndex("queueTime")).isNotNull();
    assertThatThrownBy(() -> StatisticsSchema.builder().standard().registerLong("errors"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already registered");
    assertThatThrownBy(() -> StatisticsSchema.builder().registerLong("bad name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without spaces");
  }
}
