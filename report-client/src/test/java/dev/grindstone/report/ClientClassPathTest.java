package dev.grindstone.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Reporting to the metrics server brings none of the server's weight into the reporting process: no
 * web server, no database driver or pool, no migrations, no JSON library. Checked on this module's
 * own test class path (which Maven resolves exactly as a user's build would, plus the test
 * libraries) and on the dependencies its POM declares.
 */
class ClientClassPathTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "io.javalin.Javalin",
        "org.eclipse.jetty.server.Server",
        "org.flywaydb.core.Flyway",
        "org.jdbi.v3.core.Jdbi",
        "com.zaxxer.hikari.HikariDataSource",
        "org.sqlite.JDBC",
        "org.postgresql.Driver",
        "com.fasterxml.jackson.databind.ObjectMapper",
        "dev.grindstone.server.MetricsServer",
        "dev.grindstone.engine.Run"
      })
  void the_server_and_its_libraries_are_not_on_the_class_path(String className) {
    assertThatThrownBy(() -> Class.forName(className, false, getClass().getClassLoader()))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void no_jar_of_a_web_server_or_a_database_is_on_the_class_path() {
    List<String> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".jar")) {
        jars.add(name);
      }
    }
    assertThat(jars).as("the test class path").isNotEmpty();
    assertThat(jars)
        .noneMatch(
            j ->
                Arrays.stream(
                        new String[] {
                          "javalin",
                          "jetty",
                          "flyway",
                          "jdbi",
                          "hikari",
                          "sqlite",
                          "postgresql",
                          "jackson",
                          "grindstone-server",
                          "grindstone-engine"
                        })
                    .anyMatch(j::contains));
  }

  @Test
  void the_pom_declares_grindstone_stats_alone() throws Exception {
    File pom = Path.of(System.getProperty("basedir", "."), "pom.xml").toFile();
    Element project =
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom).getDocumentElement();
    List<String> declared = new ArrayList<>();
    NodeList children = project.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && e.getTagName().equals("dependencies")) {
        NodeList deps = e.getElementsByTagName("dependency");
        for (int j = 0; j < deps.getLength(); j++) {
          Element d = (Element) deps.item(j);
          String scope = text(d, "scope");
          if (!"test".equals(scope)) {
            declared.add(text(d, "groupId") + ":" + text(d, "artifactId"));
          }
        }
      }
    }
    assertThat(declared).containsExactly("dev.grindstone:grindstone-stats");
  }

  private static String text(Element parent, String tag) {
    NodeList n = parent.getElementsByTagName(tag);
    Node first = n.getLength() == 0 ? null : n.item(0);
    return first == null ? null : first.getTextContent().trim();
  }
}
