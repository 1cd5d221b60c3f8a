package dev.grindstone.engine.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFolderTest {

  @TempDir Path dir;

  private final LocalDateTime start = LocalDateTime.of(2025, 1, 1, 10, 15, 0);

  @Test
  void a_folder_is_named_after_the_run_and_its_start_to_the_second() {
    Path folder = ResultsFolder.create(dir.resolve("results"), "checkout", start);
    assertThat(folder).isDirectory().hasFileName("checkout-20250101-101500");
  }

  @Test
  void runs_of_one_name_started_in_the_same_second_get_numbered_folders() {
    Path first = ResultsFolder.create(dir, "checkout", start);
    Path second = ResultsFolder.create(dir, "checkout", start);
    Path third = ResultsFolder.create(dir, "checkout", start);
    assertThat(first).hasFileName("checkout-20250101-101500");
    assertThat(second).hasFileName("checkout-20250101-101500-2");
    assertThat(third).hasFileName("checkout-20250101-101500-3");
  }

  @Test
  void a_root_that_cannot_be_a_folder_is_reported_with_the_option_to_choose_another()
      throws IOException {
    Path file = Files.writeString(dir.resolve("taken"), "a file, not a folder");
    assertThatThrownBy(() -> ResultsFolder.create(file, "checkout", start))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("Cannot create the results folder under " + file.toAbsolutePath())
        .hasMessageContaining("--out");
  }
}
