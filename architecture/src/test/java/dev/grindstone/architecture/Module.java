package dev.grindstone.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.grindstone.cli.Main;
import dev.grindstone.compare.Comparison;
import dev.grindstone.demo.DemoService;
import dev.grindstone.engine.Run;
import dev.grindstone.http.HttpClient;
import dev.grindstone.http.load.HttpFlow;
import dev.grindstone.junit.MonitorListener;
import dev.grindstone.kube.KubeManifests;
import dev.grindstone.livecheck.LiveCheck;
import dev.grindstone.livecheck.kafka.KafkaTransport;
import dev.grindstone.prometheus.RemoteWriteSink;
import dev.grindstone.report.RunReporter;
import dev.grindstone.server.MetricsServer;
import dev.grindstone.stats.StatisticsSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;

/**
 * The reactor's modules, each found through one class it holds: a module's classes are those in the
 * jar or classes folder that class was loaded from, so the rules see exactly what each module
 * builds, whatever its packages. {@code bench/} is left out on purpose: benchmarks measure internal
 * classes.
 */
enum Module {
  STATS("stats", StatisticsSet.class),
  REPORT_CLIENT("report-client", RunReporter.class),
  ENGINE("engine", Run.class),
  HTTP_CLIENT("http-client", HttpClient.class),
  HTTP("http", HttpFlow.class),
  DEMO("demo", DemoService.class),
  LIVECHECK("livecheck", LiveCheck.class),
  LIVECHECK_KAFKA("livecheck-kafka", KafkaTransport.class),
  PROMETHEUS("prometheus", RemoteWriteSink.class),
  JUNIT("junit", MonitorListener.class),
  SERVER("server", MetricsServer.class),
  COMPARE("compare", Comparison.class),
  KUBE("kube", KubeManifests.class),
  CLI("cli", Main.class);

  private final String folder;
  private final Class<?> anchor;
  private JavaClasses classes;

  Module(String folder, Class<?> anchor) {
    this.folder = folder;
    this.anchor = anchor;
  }

  String folder() {
    return folder;
  }

  /** The module's own classes, imported once (tests excluded). */
  synchronized JavaClasses classes() {
    if (classes == null) {
      Path location = location();
      ClassFileImporter importer =
          new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
      if (Files.isDirectory(location)) {
        classes = importer.importPath(location);
      } else {
        try (JarFile jar = new JarFile(location.toFile())) {
          classes = importer.importJar(jar);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + folder + "'s jar " + location, e);
        }
      }
    }
    return classes;
  }

  /** The packages the module's classes are in. */
  Set<String> packages() {
    Set<String> packages = new TreeSet<>();
    classes().forEach(c -> packages.add(c.getPackageName()));
    return packages;
  }

  /** Classes in one of this module's packages. */
  DescribedPredicate<JavaClass> owns() {
    Set<String> packages = packages();
    return DescribedPredicate.describe(
        "belong to " + folder + "/", c -> packages.contains(c.getPackageName()));
  }

  private Path location() {
    try {
      return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate " + folder + " from " + anchor.getName(), e);
    }
  }
}
