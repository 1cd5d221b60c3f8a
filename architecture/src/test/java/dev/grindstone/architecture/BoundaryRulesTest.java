package dev.grindstone.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.grindstone.architecture.fixtures.UsesClientInternal;
import dev.grindstone.architecture.fixtures.UsesConfiguration;
import dev.grindstone.architecture.fixtures.UsesDemo;
import dev.grindstone.architecture.fixtures.UsesEngine;
import dev.grindstone.architecture.fixtures.UsesEngineInternal;
import dev.grindstone.architecture.fixtures.UsesFileIo;
import dev.grindstone.architecture.fixtures.UsesJackson;
import dev.grindstone.architecture.fixtures.UsesJavalin;
import dev.grindstone.architecture.fixtures.UsesJdkAndHdrHistogram;
import dev.grindstone.architecture.fixtures.UsesKafka;
import dev.grindstone.architecture.fixtures.UsesKubernetesModel;
import dev.grindstone.architecture.fixtures.UsesLiveCheck;
import dev.grindstone.architecture.fixtures.UsesReportClient;
import dev.grindstone.architecture.fixtures.UsesResults;
import dev.grindstone.architecture.fixtures.UsesStats;
import dev.grindstone.http.load.HttpStatistics;
import org.junit.jupiter.api.Test;

/** Each boundary rule fails on a class that crosses it, and only on such a class. */
class BoundaryRulesTest {

  private static EvaluationResult evaluate(ArchRule rule, Class<?>... classes) {
    JavaClasses imported = new ClassFileImporter().importClasses(classes);
    return rule.evaluate(imported);
  }

  @Test
  void the_http_client_rule_catches_the_engine_and_livecheck() {
    EvaluationResult result =
        evaluate(Boundaries.httpClientStandsAlone(), UsesEngine.class, UsesLiveCheck.class);
    assertThat(result.getFailureReport().getDetails())
        .anySatisfy(line -> assertThat(line).contains("dev.grindstone.engine.Run"))
        .anySatisfy(line -> assertThat(line).contains("dev.grindstone.livecheck.TestContext"));
  }

  @Test
  void the_internals_rule_catches_engine_and_client_internals_outside_their_module() {
    EvaluationResult result =
        evaluate(
            Boundaries.noForeignInternals(Module.CLI),
            UsesEngineInternal.class,
            UsesClientInternal.class);
    assertThat(result.getFailureReport().getDetails())
        .anySatisfy(
            line -> assertThat(line).contains("dev.grindstone.engine.internal.WorkerContext"))
        .anySatisfy(line -> assertThat(line).contains("dev.grindstone.http.internal.Json"));
  }

  @Test
  void a_module_may_use_its_own_internals() {
    assertThat(
            evaluate(Boundaries.noForeignInternals(Module.ENGINE), UsesEngineInternal.class)
                .hasViolation())
        .isFalse();
  }

  @Test
  void the_internals_rule_holds_a_protocol_plugin_to_the_engines_spi() {
    assertThat(
            evaluate(Boundaries.noForeignInternals(Module.HTTP), HttpStatistics.class)
                .hasViolation())
        .as("HttpStatistics fills the test's statistics through engine.spi")
        .isFalse();
    assertThat(
            evaluate(Boundaries.noForeignInternals(Module.HTTP), UsesEngineInternal.class)
                .hasViolation())
        .isTrue();
  }

  @Test
  void the_server_rule_catches_the_engine() {
    assertThat(evaluate(Boundaries.serverKnowsNoEngine(), UsesEngine.class).hasViolation())
        .isTrue();
  }

  @Test
  void the_compare_rule_catches_the_engine() {
    assertThat(
            evaluate(Boundaries.compareKnowsNoEngineNorServer(), UsesEngine.class).hasViolation())
        .isTrue();
    assertThat(
            evaluate(Boundaries.compareKnowsNoEngineNorServer(), UsesJackson.class).hasViolation())
        .isFalse();
  }

  @Test
  void the_stats_rule_catches_any_library_but_the_jdk_and_hdrhistogram() {
    assertThat(
            evaluate(Boundaries.statsNeedsOnlyTheJdkAndHdrHistogram(), UsesJackson.class)
                .hasViolation())
        .isTrue();
    assertThat(
            evaluate(Boundaries.statsNeedsOnlyTheJdkAndHdrHistogram(), UsesEngine.class)
                .hasViolation())
        .isTrue();
    assertThat(
            evaluate(Boundaries.statsNeedsOnlyTheJdkAndHdrHistogram(), UsesJdkAndHdrHistogram.class)
                .getFailureReport()
                .getDetails())
        .isEmpty();
  }

  @Test
  void the_results_model_rule_catches_io_configuration_and_the_engine() {
    EvaluationResult result =
        evaluate(Boundaries.resultsModelIsPure(), UsesFileIo.class, UsesConfiguration.class);
    assertThat(result.getFailureReport().getDetails())
        .anySatisfy(line -> assertThat(line).contains("java.nio.file.Files"))
        .anySatisfy(line -> assertThat(line).contains("dev.grindstone.engine.run.RunConfig"));
    assertThat(
            evaluate(Boundaries.resultsModelIsPure(), UsesJdkAndHdrHistogram.class).hasViolation())
        .isFalse();
  }

  @Test
  void the_results_and_configuration_rules_catch_each_crossing() {
    assertThat(
            evaluate(Boundaries.resultsKnowNoConfiguration(), UsesConfiguration.class)
                .hasViolation())
        .isTrue();
    assertThat(evaluate(Boundaries.resultsKnowNoConfiguration(), UsesResults.class).hasViolation())
        .isFalse();
    assertThat(evaluate(Boundaries.configurationKnowsNoResults(), UsesResults.class).hasViolation())
        .isTrue();
    assertThat(
            evaluate(Boundaries.configurationKnowsNoResults(), UsesConfiguration.class)
                .hasViolation())
        .isFalse();
  }

  @Test
  void the_report_client_rule_catches_a_web_server_json_and_the_engine_but_not_stats() {
    assertThat(
            evaluate(Boundaries.reportClientNeedsOnlyTheJdkAndStats(), UsesJavalin.class)
                .hasViolation())
        .isTrue();
    assertThat(
            evaluate(Boundaries.reportClientNeedsOnlyTheJdkAndStats(), UsesJackson.class)
                .hasViolation())
        .isTrue();
    assertThat(
            evaluate(Boundaries.reportClientNeedsOnlyTheJdkAndStats(), UsesEngine.class)
                .hasViolation())
        .isTrue();
    assertThat(
            evaluate(
                    Boundaries.reportClientNeedsOnlyTheJdkAndStats(),
                    UsesStats.class,
                    UsesJdkAndHdrHistogram.class)
                .getFailureReport()
                .getDetails())
        .isEmpty();
  }

  @Test
  void the_server_rule_catches_client_code() {
    assertThat(evaluate(Boundaries.serverHoldsNoClient(), UsesReportClient.class).hasViolation())
        .isTrue();
    assertThat(evaluate(Boundaries.serverHoldsNoClient(), UsesJavalin.class).hasViolation())
        .isFalse();
  }

  @Test
  void the_demo_rule_catches_the_demo_service() {
    assertThat(evaluate(Boundaries.noLibraryNeedsTheDemo(), UsesDemo.class).hasViolation())
        .isTrue();
  }

  @Test
  void the_kube_rule_catches_the_kubernetes_model() {
    assertThat(
            evaluate(
                    Boundaries.onlyTheKubeModuleNeedsTheKubernetesModel(),
                    UsesKubernetesModel.class)
                .hasViolation())
        .isTrue();
  }

  @Test
  void the_kafka_rule_catches_a_kafka_client() {
    assertThat(evaluate(Boundaries.onlyTheKafkaModuleNeedsKafka(), UsesKafka.class).hasViolation())
        .isTrue();
  }
}
