package dev.grindstone.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.lang.EvaluationResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The module boundaries hold on the classes each module builds. Why this is a module of its own: it
 * must see every module, and the only module that does, the command line, should neither carry
 * ArchUnit nor decide by its dependencies which modules get checked.
 */
class ModuleBoundariesTest {

  @Test
  void each_module_is_found_and_owns_its_packages_alone() {
    Map<String, Module> owner = new HashMap<>();
    List<String> shared = new ArrayList<>();
    for (Module m : Module.values()) {
      assertThat(m.classes()).as("classes of %s/", m.folder()).isNotEmpty();
      for (String p : m.packages()) {
        Module before = owner.putIfAbsent(p, m);
        if (before != null) {
          shared.add(p + " in " + before.folder() + "/ and " + m.folder() + "/");
        }
      }
    }
    assertThat(shared).as("packages split across modules").isEmpty();
  }

  @Test
  void the_http_client_depends_on_no_other_module() {
    Boundaries.httpClientStandsAlone().check(Module.HTTP_CLIENT.classes());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Module.class)
  void no_module_reaches_into_another_modules_internals(Module module) {
    Boundaries.noForeignInternals(module).check(module.classes());
  }

  @Test
  void the_known_crossing_into_engine_internals_is_still_there() {
    EvaluationResult strict =
        Boundaries.noForeignInternalsWithoutException(Module.HTTP).evaluate(Module.HTTP.classes());
    assertThat(strict.getFailureReport().getDetails())
        .as(
            "HttpStatistics no longer uses engine.internal.WorkerContext: delete"
                + " Boundaries.KNOWN_INTERNAL_USE and this test")
        .isNotEmpty()
        .allSatisfy(
            line ->
                assertThat(line)
                    .contains("dev.grindstone.http.load.HttpStatistics")
                    .contains("dev.grindstone.engine.internal.WorkerContext"));
  }

  @Test
  void the_server_never_depends_on_the_engine() {
    Boundaries.serverKnowsNoEngine().check(Module.SERVER.classes());
  }

  @Test
  void stats_depends_on_the_jdk_and_hdrhistogram_only() {
    Boundaries.statsNeedsOnlyTheJdkAndHdrHistogram().check(Module.STATS.classes());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Module.class,
      mode = EnumSource.Mode.EXCLUDE,
      names = {"LIVECHECK_KAFKA", "CLI"})
  void no_module_but_livecheck_kafka_depends_on_kafka(Module module) {
    Boundaries.onlyTheKafkaModuleNeedsKafka().check(module.classes());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Module.class, mode = EnumSource.Mode.EXCLUDE, names = "KUBE")
  void no_module_but_kube_depends_on_the_kubernetes_model(Module module) {
    Boundaries.onlyTheKubeModuleNeedsTheKubernetesModel().check(module.classes());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Module.class,
      mode = EnumSource.Mode.EXCLUDE,
      names = {"DEMO", "CLI"})
  void no_library_module_depends_on_the_demo(Module module) {
    Boundaries.noLibraryNeedsTheDemo().check(module.classes());
  }
}
