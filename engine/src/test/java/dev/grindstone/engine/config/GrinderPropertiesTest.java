package dev.grindstone.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrinderPropertiesTest {

  @TempDir Path dir;

  private Path file(String text) throws IOException {
    return Files.writeString(dir.resolve("grinder.properties"), text);
  }

  @Test
  void every_problem_names_the_line_of_its_property() throws IOException {
    Path f = file("""
        # a comment
        grinder.script = Hello.java

        grinder.threads = two
        grinder.processes = \\
            -3
        grinder.duration = 99999999999999999999
        """);
    assertThatThrownBy(() -> GrinderProperties.load(f)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("grinder.properties:4: grinder.threads: 'two' is not a whole number")
        .hasMessageContaining("grinder.properties:5: grinder.processes: must be between 1 and 2147483647, got -3")
        .hasMessageContaining("grinder.properties:7: grinder.duration: '99999999999999999999' is not a whole number"
            + " between 0 and 9223372036854");
  }

  @Test
  void problems_of_properties_not_in_the_file_say_so() throws IOException {
    Path f = file("grinder.script = test.py\ngrinder.runs=0\n");
    assertThatThrownBy(() -> GrinderProperties.load(f))
        .hasMessageContaining("grinder.properties:1: grinder.script: 'test.py' is not a Java scenario")
        .hasMessageContaining("grinder.properties:2: grinder.runs is 0 (run forever) and grinder.duration is not set");
  }

  @Test
  void users_beyond_an_int_are_refused_rather_than_wrapped() throws IOException {
    Path f = file("grinder.script=Hello.java\ngrinder.processes=100000\ngrinder.threads=100000\n");
    assertThatThrownBy(() -> GrinderProperties.load(f))
        .hasMessageContaining("grinder.properties:3: grinder.processes × grinder.threads is 10000000000 virtual users");
  }

  @Test
  void a_bad_unicode_escape_is_reported_at_its_line() throws IOException {
    Path f = file("grinder.script=Hello.java\ngrinder.threads=\\u00zz\n");
    assertThatThrownBy(() -> GrinderProperties.load(f)).hasMessageStartingWith("grinder.properties:2: Malformed");
  }

  @Test
  void a_binary_file_is_refused_with_a_clear_message() throws IOException {
    Path f = Files.write(dir.resolve("grinder.properties"), new byte[] {'g', '=', 1, 0, (byte) 0xff, (byte) 0xfe});
    assertThatThrownBy(() -> GrinderProperties.load(f)).isInstanceOf(BadInputException.class)
        .hasMessage(f + ":1:3: byte 0x01 is a control character: this is not a text file. A properties file is text"
            + " (key: value lines); check that the right file was given")
        .hasMessageNotContaining("Input length");
  }

  @Test
  void a_latin1_file_is_read_as_the_grinder_reads_it() throws IOException {
    Path f = Files.write(dir.resolve("grinder.properties"),
        "# dur\u00e9e en ms\ngrinder.script=Hello.java\ngrinder.duration=2000\ngrinder.threads=4\n"
            .getBytes(StandardCharsets.ISO_8859_1));
    GrinderProperties.Loaded loaded = GrinderProperties.load(f);
    Phase phase = loaded.config().phases().getFirst();
    assertThat(phase.duration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(phase.shape()).isEqualTo(new LoadShape.Constant(4));
    assertThat(loaded.script()).isEqualTo(dir.toAbsolutePath().resolve("Hello.java"));
  }

  @Test
  void a_system_property_override_is_named_as_such() throws IOException {
    Path f = file("grinder.script=Hello.java\ngrinder.duration=1000\n");
    System.setProperty("grinder.threads", "many");
    try {
      assertThatThrownBy(() -> GrinderProperties.load(f))
          .hasMessage("-Dgrinder.threads: 'many' is not a whole number");
    } finally {
      System.clearProperty("grinder.threads");
    }
  }
}
