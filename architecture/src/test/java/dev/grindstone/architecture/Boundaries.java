package dev.grindstone.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.Dependency.Predicates.dependencyTarget;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The boundaries between the modules, as ArchUnit rules over a module's classes ({@link
 * ModuleBoundariesTest} applies them to the modules as built; {@link BoundaryRulesTest} shows that
 * each one catches what it forbids).
 */
final class Boundaries {

  private Boundaries() {}

  /**
   * The HTTP client stands alone: it depends on no other Grindstone module, neither the engine nor
   * LiveCheck (whose test context reaches it through a {@code RequestDecorator}).
   */
  static ArchRule httpClientStandsAlone() {
    return noClasses()
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.grindstone..").and(not(Module.HTTP_CLIENT.owns())))
        .because("the HTTP client is usable without the engine and LiveCheck");
  }

  /**
   * A module uses another module's public API only, never its {@code internal} packages: a protocol
   * plug-in reaches the engine through its SPI ({@code engine.spi}).
   */
  static ArchRule noForeignInternals(Module module) {
    return classes()
        .should(onlyHaveDependenciesWhere(not(dependencyTarget(foreignInternal(module)))))
        .because("internal packages are no API; they change without notice");
  }

  /** The metrics server stores what load runs send; it never runs one. */
  static ArchRule serverKnowsNoEngine() {
    return noClasses()
        .should()
        .dependOnClassesThat(Module.ENGINE.owns())
        .because("the server scales on its own and must not pull the load engine in");
  }

  /**
   * Comparisons read what runs wrote (results.json, the server's JSON): they run neither the engine
   * nor the server, so a comparison never depends on how a run was made.
   */
  static ArchRule compareKnowsNoEngineNorServer() {
    return noClasses()
        .should()
        .dependOnClassesThat(Module.ENGINE.owns().or(Module.SERVER.owns()))
        .because("a comparison reads results; it must not pull the engine or the server in");
  }

  /** Statistics are pure: the JDK and HdrHistogram only, no I/O library, no other module. */
  static ArchRule statsNeedsOnlyTheJdkAndHdrHistogram() {
    return classes()
        .should()
        .onlyDependOnClassesThat(
            Module.STATS.owns().or(resideInAnyPackage("java..", "org.HdrHistogram..")))
        .because("every other module builds on stats, so it must stay small and pure");
  }

  /**
   * The metrics server's client needs the JDK and stats only (HdrHistogram through it): reporting a
   * run, a LiveCheck report or a JUnit row brings no web server, database or JSON library into the
   * reporting process, and no engine into LiveCheck's or the JUnit monitor's.
   */
  static ArchRule reportClientNeedsOnlyTheJdkAndStats() {
    return classes()
        .should()
        .onlyDependOnClassesThat(
            Module.REPORT_CLIENT
                .owns()
                .or(Module.STATS.owns())
                .or(resideInAnyPackage("java..", "org.HdrHistogram..")))
        .because("whatever reports to the server must stay light: the JDK's HTTP client and stats");
  }

  /** The server holds no client code: its clients share the report-client module instead. */
  static ArchRule serverHoldsNoClient() {
    return noClasses()
        .should()
        .dependOnClassesThat(Module.REPORT_CLIENT.owns())
        .because("the client lives in report-client, so reporting never needs the server's jar");
  }

  /** Only the command line starts the demo service; it ships in no library jar. */
  static ArchRule noLibraryNeedsTheDemo() {
    return noClasses()
        .should()
        .dependOnClassesThat(Module.DEMO.owns())
        .because("the demo service is a test target, not part of the libraries");
  }

  /** The engine's results packages: the sinks and what they get, and the data-log analysis. */
  static final String[] ENGINE_RESULTS = {
    "dev.grindstone.engine.sink..", "dev.grindstone.engine.analyze.."
  };

  /** The engine's configuration packages: run settings and the files they are read from. */
  static final String[] ENGINE_CONFIGURATION = {
    "dev.grindstone.engine.run..", "dev.grindstone.engine.config.."
  };

  /** The package of the one results model. */
  static final String RESULTS_MODEL = "dev.grindstone.stats.results..";

  /**
   * The one results model is a value: it knows no configuration, does no I/O and depends on no
   * module above stats, so every output, the server's included, can read it.
   */
  static ArchRule resultsModelIsPure() {
    return noClasses()
        .should()
        .dependOnClassesThat(
            resideInAnyPackage("java.io..", "java.nio..", "java.net..", "java.sql..")
                .or(resideInAPackage("dev.grindstone..").and(not(Module.STATS.owns()))))
        .because(
            "results are values that every output reads; reading and writing them is the outputs'"
                + " job");
  }

  /** Results (sinks, summaries, analysis) are made without reading the configuration. */
  static ArchRule resultsKnowNoConfiguration() {
    return noClasses()
        .should()
        .dependOnClassesThat(resideInAnyPackage(ENGINE_CONFIGURATION))
        .because("results come from what happened, whatever configuration asked for it");
  }

  /** The configuration names no sink or result type. */
  static ArchRule configurationKnowsNoResults() {
    return noClasses()
        .should()
        .dependOnClassesThat(resideInAnyPackage(ENGINE_RESULTS))
        .because("a run's settings must not depend on where its results go");
  }

  /**
   * Kafka stays in its own module: LiveCheck and the server run without it, and only the command
   * line, which wires the Kafka transport to the server, may name its classes.
   */
  static ArchRule onlyTheKafkaModuleNeedsKafka() {
    return noClasses()
        .should()
        .dependOnClassesThat(resideInAPackage("org.apache.kafka.."))
        .because("only livecheck-kafka (and the command line that wires it) may depend on Kafka");
  }

  /**
   * The Kubernetes model (and the Jackson 3 it is built on) stays in kube/: the command line asks
   * it for YAML through Grindstone's own types, so no other module carries or names it.
   */
  static ArchRule onlyTheKubeModuleNeedsTheKubernetesModel() {
    return noClasses()
        .should()
        .dependOnClassesThat(resideInAnyPackage("io.fabric8..", "tools.jackson.."))
        .because("only kube/ may depend on the Kubernetes model and Jackson 3");
  }

  private static DescribedPredicate<JavaClass> foreignInternal(Module module) {
    return resideInAPackage("dev.grindstone..internal..").and(not(module.owns()));
  }
}
