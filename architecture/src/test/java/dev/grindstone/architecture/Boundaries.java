package dev.grindstone.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.Dependency.Predicates.dependency;
import static com.tngtech.archunit.core.domain.Dependency.Predicates.dependencyTarget;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The boundaries between the modules, as ArchUnit rules over a module's classes ({@link
 * ModuleBoundariesTest} applies them to the modules as built; {@link BoundaryRulesTest} shows that
 * each one catches what it forbids).
 */
final class Boundaries {

  /**
   * The one known crossing into another module's internals: the HTTP plugin fills the current
   * test's {@code httpplugin.*} statistics through the engine's {@code WorkerContext}, because the
   * engine has no public plugin SPI yet. Once it has one, this exception goes, and {@link
   * ModuleBoundariesTest#the_known_crossing_into_engine_internals_is_still_there} says so. It
   * exempts this one pair of classes only: any other class, or another internal class, still fails.
   */
  static final DescribedPredicate<Dependency> KNOWN_INTERNAL_USE =
      dependency(
          "dev.grindstone.http.load.HttpStatistics",
          "dev.grindstone.engine.internal.WorkerContext");

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
   * A module uses another module's public API only, never its {@code internal} packages (the one
   * known exception aside).
   */
  static ArchRule noForeignInternals(Module module) {
    return classes()
        .should(
            onlyHaveDependenciesWhere(not(dependencyTarget(foreignInternal(module))))
                .ignoreDependency(KNOWN_INTERNAL_USE))
        .because("internal packages are no API; they change without notice");
  }

  /** The same rule without the known exception, to see whether it is still needed. */
  static ArchRule noForeignInternalsWithoutException(Module module) {
    return classes()
        .should(onlyHaveDependenciesWhere(not(dependencyTarget(foreignInternal(module)))));
  }

  /** The metrics server stores what load runs send; it never runs one. */
  static ArchRule serverKnowsNoEngine() {
    return noClasses()
        .should()
        .dependOnClassesThat(Module.ENGINE.owns())
        .because("the server scales on its own and must not pull the load engine in");
  }

  /** Statistics are pure: the JDK and HdrHistogram only, no I/O library, no other module. */
  static ArchRule statsNeedsOnlyTheJdkAndHdrHistogram() {
    return classes()
        .should()
        .onlyDependOnClassesThat(
            Module.STATS.owns().or(resideInAnyPackage("java..", "org.HdrHistogram..")))
        .because("every other module builds on stats, so it must stay small and pure");
  }

  /** Only the command line starts the demo service; it ships in no library jar. */
  static ArchRule noLibraryNeedsTheDemo() {
    return noClasses()
        .should()
        .dependOnClassesThat(Module.DEMO.owns())
        .because("the demo service is a test target, not part of the libraries");
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
   * The Kubernetes model (and the Jackson 3 it is built on) stays in kube/: the command line asks it
   * for YAML through Grindstone's own types, so no other module carries or names it.
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
