package dev.grindstone.engine.script;

import dev.grindstone.engine.Scenario;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Turns a single Java source file into a {@link Scenario}: compiles it in-process against the
 * Grindstone API (no build tool needed) and instantiates its public class, or loads a scenario
 * class already on the class path by name.
 */
public final class ScenarioLoader {

  private ScenarioLoader() {}

  /** Compiles {@code source} and returns a new instance of its scenario class. */
  public static Scenario compile(Path source) {
    if (!Files.isRegularFile(source)) {
      throw new BadInputException("There is no scenario file " + source + ".");
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (compiler == null) {
      throw new BadInputException(
          "Compiling "
              + source
              + " needs a JDK, but this Java ("
              + System.getProperty("java.home")
              + ") has no compiler. Run grindstone with a JDK 21 or newer.");
    }
    Path out;
    try {
      out = Files.createTempDirectory("grindstone-scenario");
    } catch (IOException e) {
      throw new BadInputException(
          "Cannot create a folder for the compiled scenario: " + e.getMessage(), e);
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter log = new StringWriter();
    try (StandardJavaFileManager files =
        compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options =
          List.of(
              "-d",
              out.toString(),
              "-classpath",
              System.getProperty("java.class.path"),
              "-proc:none",
              "-parameters",
              "-nowarn",
              "--release",
              "21");
      var units = files.getJavaFileObjects(source);
      boolean ok = compiler.getTask(log, files, diagnostics, options, null, units).call();
      if (!ok) {
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
          if (d.getKind() == Diagnostic.Kind.ERROR) {
            errors.add(
                source.getFileName()
                    + ":"
                    + d.getLineNumber()
                    + ":"
                    + d.getColumnNumber()
                    + ": "
                    + d.getMessage(Locale.ROOT));
          }
        }
        throw new BadInputException(
            "The scenario " + source + " does not compile:\n" + String.join("\n", errors));
      }
    } catch (IOException e) {
      throw new BadInputException("Cannot compile " + source + ": " + e.getMessage(), e);
    }
    String className = source.getFileName().toString().replaceFirst("\\.java$", "");
    String packageName = packageOf(source);
    String qualified = packageName.isEmpty() ? className : packageName + "." + className;
    try {
      URLClassLoader loader =
          new URLClassLoader(
              new URL[] {out.toUri().toURL()}, ScenarioLoader.class.getClassLoader());
      return instantiate(loader.loadClass(qualified), source.toString());
    } catch (ClassNotFoundException e) {
      throw new BadInputException(
          "The scenario file "
              + source
              + " must declare a public class "
              + className
              + " (named after the file) that implements dev.grindstone.engine.Scenario.");
    } catch (IOException e) {
      throw new BadInputException("Cannot load the compiled scenario: " + e.getMessage(), e);
    }
  }

  /** A scenario class on the class path, by its fully qualified name. */
  public static Scenario load(String className) {
    try {
      return instantiate(Class.forName(className), className);
    } catch (ClassNotFoundException e) {
      throw new BadInputException(
          "There is no scenario class "
              + className
              + " on the class path; give a .java"
              + " file or a fully qualified class name.");
    }
  }

  private static Scenario instantiate(Class<?> type, String where) {
    if (!Scenario.class.isAssignableFrom(type)) {
      throw new BadInputException(
          type.getName()
              + " (from "
              + where
              + ") does not implement"
              + " dev.grindstone.engine.Scenario; declare it as 'public class "
              + type.getSimpleName()
              + " implements Scenario'.");
    }
    try {
      Constructor<?> c = type.getDeclaredConstructor();
      c.setAccessible(true);
      return (Scenario) c.newInstance();
    } catch (NoSuchMethodException e) {
      throw new BadInputException(type.getName() + " needs a constructor without parameters.");
    } catch (InvocationTargetException e) {
      throw new BadInputException(
          "Creating the scenario " + type.getName() + " failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new BadInputException("Cannot create the scenario " + type.getName() + ": " + e, e);
    }
  }

  private static String packageOf(Path source) {
    try {
      for (String line : Files.readAllLines(source, StandardCharsets.UTF_8)) {
        String t = line.trim();
        if (t.startsWith("package ") && t.endsWith(";")) {
          return t.substring(8, t.length() - 1).trim();
        }
        if (t.startsWith("import ") || t.startsWith("public ") || t.startsWith("class ")) {
          break;
        }
      }
    } catch (IOException e) {
      // compilation already read it; no package then
    }
    return "";
  }
}
