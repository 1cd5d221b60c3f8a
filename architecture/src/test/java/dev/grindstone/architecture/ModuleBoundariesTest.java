package dev.grindstone.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
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

  @Test
  void comparisons_read_results_without_the_engine_or_the_server() {
    Boundaries.compareKnowsNoEngineNorServer().check(Module.COMPARE.classes());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Module.class)
  void no_module_reaches_into_another_modules_internals(Module module) {
    Boundaries.noForeignInternals(module).check(module.classes());
  }

  @Test
  void the_server_never_depends_on_the_engine() {
    Boundaries.serverKnowsNoEngine().check(Module.SERVER.classes());
  }

  @Test
  void the_results_model_knows_no_configuration_and_does_no_io() {
    Boundaries.resultsModelIsPure()
        .check(Module.STATS.classes().that(resideInAPackage(Boundaries.RESULTS_MODEL)));
  }

  @Test
  void the_engines_results_and_configuration_do_not_import_each_other() {
    JavaClasses engine = Module.ENGINE.classes();
    JavaClasses results = engine.that(resideInAnyPackage(Boundaries.ENGINE_RESULTS));
    JavaClasses configuration = engine.that(resideInAnyPackage(Boundaries.ENGINE_CONFIGURATION));
    assertThat(results).as("the results packages").isNotEmpty();
    assertThat(configuration).as("the configuration packages").isNotEmpty();
    Boundaries.resultsKnowNoConfiguration().check(results);
    Boundaries.configurationKnowsNoResults().check(configuration);
  }

  @Test
  void the_report_client_depends_on_the_jdk_and_stats_only() {
    Boundaries.reportClientNeedsOnlyTheJdkAndStats().check(Module.REPORT_CLIENT.classes());
  }

  @Test
  void the_server_holds_no_client_code() {
    Boundaries.serverHoldsNoClient().check(Module.SERVER.classes());
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
