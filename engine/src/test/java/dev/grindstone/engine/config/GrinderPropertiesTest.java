package dev.grindstone.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScriptSleep;
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
    Path f =
        file(
            """
            # a comment
            grinder.script = Hello.java

            grinder.threads = two
            grinder.processes = \\
                -3
            grinder.duration = 99999999999999999999
            """);
    assertThatThrownBy(() -> GrinderProperties.load(f))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("grinder.properties:4: grinder.threads: 'two' is not a whole number")
        .hasMessageContaining(
            "grinder.properties:5: grinder.processes: must be between 1 and 2147483647, got -3")
        .hasMessageContaining(
            "grinder.properties:7: grinder.duration: '99999999999999999999' is not a whole number"
                + " between 0 and 9223372036854");
  }

  @Test
  void problems_of_properties_not_in_the_file_say_so() throws IOException {
    Path f = file("grinder.script = test.py\ngrinder.runs=0\n");
    assertThatThrownBy(() -> GrinderProperties.load(f))
        .hasMessageContaining(
            "grinder.properties:1: grinder.script: 'test.py' is not a Java scenario")
        .hasMessageContaining(
            "grinder.properties:2: grinder.runs is 0 (run forever) and grinder.duration is not"
                + " set");
  }

  @Test
  void users_beyond_an_int_are_refused_rather_than_wrapped() throws IOException {
    Path f = file("grinder.script=Hello.java\ngrinder.processes=100000\ngrinder.threads=100000\n");
    assertThatThrownBy(() -> GrinderProperties.load(f))
        .hasMessageContaining(
            "grinder.properties:3: grinder.processes × grinder.threads is 10000000000 virtual"
                + " users");
  }

  @Test
  void a_bad_unicode_escape_is_reported_at_its_line() throws IOException {
    Path f = file("grinder.script=Hello.java\ngrinder.threads=\\u00zz\n");
    assertThatThrownBy(() -> GrinderProperties.load(f))
        .hasMessageStartingWith("grinder.properties:2: Malformed");
  }

  @Test
  void a_binary_file_is_refused_with_a_clear_message() throws IOException {
    Path f =
        Files.write(
            dir.resolve("grinder.properties"),
            new byte[] {'g', '=', 1, 0, (byte) 0xff, (byte) 0xfe});
    assertThatThrownBy(() -> GrinderProperties.load(f))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            f
                + ":1:3: byte 0x01 is a control character: this is not a text file. A properties"
                + " file is text (key: value lines); check that the right file was given")
        .hasMessageNotContaining("Input length");
  }

  @Test
  void a_latin1_file_is_read_as_the_grinder_reads_it() throws IOException {
    Path f =
        Files.write(
            dir.resolve("grinder.properties"),
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

  @Test
  void every_unsupported_grinder_property_gets_a_warning_naming_it_and_its_line()
      throws IOException {
    Path f =
        file(
            """
            grinder.script=Hello.java
            grinder.useConsole=false
            grinder.threads=2
            grinder.logDirectory=logs
            my.own.setting=1
            """);
    GrinderProperties.Loaded loaded = GrinderProperties.load(f);
    assertThat(loaded.warnings()).hasSize(2);
    assertThat(loaded.warnings().get(0))
        .startsWith(
            "grinder.properties:4: grinder.logDirectory is not supported"
                + " by Grindstone and is ignored");
    assertThat(loaded.warnings().get(1))
        .startsWith("grinder.properties:2: grinder.useConsole is not supported");
    assertThat(
            GrinderProperties.load(file("grinder.script=Hello.java\ngrinder.sleepTimeFactor=2\n"))
                .warnings())
        .as("supported properties and keys outside grinder.* are not warned about")
        .isEmpty();
  }

  @Test
  void sleep_time_factor_and_variation_shape_the_scenarios_sleeps_and_the_factor_the_initial_sleep()
      throws IOException {
    Path f =
        file(
            """
            grinder.script=Hello.java
            grinder.sleepTimeFactor=0.5
            grinder.sleepTimeVariation=0.1
            grinder.initialSleepTime=1000
            """);
    RunConfig config = GrinderProperties.load(f).config().build();
    assertThat(config.scriptSleep()).isEqualTo(new ScriptSleep(0.5, 0.1));
    assertThat(config.phases().getFirst().initialSleep()).isEqualTo(Duration.ofMillis(500));
    assertThat(
            GrinderProperties.load(file("grinder.script=Hello.java\n"))
                .config()
                .build()
                .scriptSleep())
        .as("The Grinder's defaults")
        .isEqualTo(ScriptSleep.GRINDER);
    assertThat(
            RunConfig.builder("plain")
                .phase(Phase.hold("h", Duration.ofSeconds(1), 1))
                .build()
                .scriptSleep())
        .as("other runs sleep exactly")
        .isEqualTo(ScriptSleep.EXACT);
  }

  @Test
  void bad_sleep_and_report_properties_are_reported_at_their_lines() throws IOException {
    Path f =
        file(
            """
            grinder.script=Hello.java
            grinder.sleepTimeFactor=-1
            grinder.sleepTimeVariation=1.5
            grinder.reportTimesToConsole=no
            """);
    assertThatThrownBy(() -> GrinderProperties.load(f))
        .hasMessageContaining(
            "grinder.properties:2: grinder.sleepTimeFactor: must be a finite number of at least 0,"
                + " got -1")
        .hasMessageContaining(
            "grinder.properties:3: grinder.sleepTimeVariation: must be between 0 and 1.0, got 1.5")
        .hasMessageContaining(
            "grinder.properties:4: grinder.reportTimesToConsole: 'no' is not true or false");
  }

  @Test
  void report_times_to_console_false_turns_off_the_timing_of_the_outputs() throws IOException {
    Path f = file("grinder.script=Hello.java\ngrinder.reportTimesToConsole=false\n");
    assertThat(GrinderProperties.load(f).config().build().reportTimes()).isFalse();
    assertThat(
            GrinderProperties.load(file("grinder.script=Hello.java\n"))
                .config()
                .build()
                .reportTimes())
        .isTrue();
  }
}
