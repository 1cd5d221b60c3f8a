package dev.grindstone.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpellingTest {

  @Test
  void edit_distance_counts_insertions_deletions_and_substitutions() {
    assertThat(Spelling.editDistance("kitten", "sitting")).isEqualTo(3);
    assertThat(Spelling.editDistance("errors", "errors")).isZero();
    assertThat(Spelling.editDistance("", "period")).isEqualTo(6);
    assertThat(Spelling.editDistance("think_tme", "think_time")).isEqualTo(1);
  }
}
