package dev.grindstone.compare;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes pass/fail rules as a JUnit-XML report, the format CI servers, Maven Surefire's report and
 * test dashboards read: each rule checked against a test or the totals is a {@code <testcase>}
 * (class name = the suite, name = the rule and its scope); a failed one carries a {@code <failure>}
 * whose message holds the actual and the expected value. One {@code <testsuite>} per suite, inside
 * a {@code <testsuites>} root.
 */
public final class JUnitXml {

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private JUnitXml() {}

  /**
   * One group of rules.
   *
   * @param name the suite's name, also each test case's class name, e.g. {@code
   *     grindstone.checkout.thresholds}
   * @param timestampMs when the checked run started, epoch milliseconds
   * @param seconds how long the run took
   */
  public record Suite(String name, long timestampMs, double seconds, List<RuleResult> rules) {
    public Suite {
      rules = List.copyOf(rules);
    }
  }

  /** Writes {@code suites} to {@code file} (UTF-8), creating its folder. */
  public static void write(Path file, List<Suite> suites) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream out = Files.newOutputStream(file)) {
        write(out, suites);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the JUnit XML report " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code suites} to {@code out} (UTF-8). */
  public static void write(OutputStream out, List<Suite> suites) throws IOException {
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      int tests = 0;
      int failures = 0;
      for (Suite s : suites) {
        tests += s.rules().size();
        failures += (int) s.rules().stream().filter(r -> !r.passed()).count();
      }
      x.writeAttribute("tests", Integer.toString(tests));
      x.writeAttribute("failures", Integer.toString(failures));
      x.writeAttribute("errors", "0");
      for (Suite s : suites) {
        suite(x, s);
      }
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IOException("the JUnit XML report cannot be written: " + e.getMessage(), e);
    }
  }

  private static void suite(XMLStreamWriter x, Suite s) throws XMLStreamException {
    x.writeCharacters("\n  ");
    x.writeStartElement("testsuite");
    x.writeAttribute("name", clean(s.name()));
    x.writeAttribute("tests", Integer.toString(s.rules().size()));
    x.writeAttribute(
        "failures", Long.toString(s.rules().stream().filter(r -> !r.passed()).count()));
    x.writeAttribute("errors", "0");
    x.writeAttribute("skipped", "0");
    x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", s.seconds()));
    x.writeAttribute("timestamp", TIMESTAMP.format(Instant.ofEpochMilli(s.timestampMs())));
    for (RuleResult r : s.rules()) {
      x.writeCharacters("\n    ");
      x.writeStartElement("testcase");
      x.writeAttribute("classname", clean(s.name()));
      x.writeAttribute("name", clean(r.rule() + " [" + r.scope() + "]"));
      // A rule is checked, not run: it takes no time of its own.
      x.writeAttribute("time", "0");
      if (!r.passed()) {
        x.writeCharacters("\n      ");
        x.writeStartElement("failure");
        x.writeAttribute("message", clean(r.message()));
        x.writeAttribute("type", "grindstone.RuleFailed");
        x.writeCharacters(
            clean("actual: " + r.actual() + "\nexpected: " + r.expected() + "\n" + r.message()));
        x.writeEndElement();
        x.writeCharacters("\n    ");
      }
      x.writeEndElement();
    }
    x.writeCharacters("\n  ");
    x.writeEndElement();
  }

  /** XML 1.0 cannot carry most control characters, even escaped: they become U+FFFD. */
  static String clean(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      boolean allowed =
          cp == 0x9
              || cp == 0xA
              || cp == 0xD
              || (cp >= 0x20 && cp <= 0xD7FF)
              || (cp >= 0xE000 && cp <= 0xFFFD)
              || (cp >= 0x10000 && cp <= 0x10FFFF);
      b.appendCodePoint(allowed ? cp : 0xFFFD);
      i += Character.charCount(cp);
    }
    return b.toString();
  }
}
