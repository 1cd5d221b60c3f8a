package dev.grindstone.junit.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * pytest-monitor's item names for JUnit tests: {@code item_path} the class, {@code item} the
 * method, {@code item_variant} the method plus {@code [invocation]} for parameterized, repeated and
 * dynamic tests, {@code item_fs_loc} the source file below its source root.
 */
public final class Names {
  private static final Pattern INDEX_PREFIX = Pattern.compile("^\\[\\d+]\\s*");

  /** The four names of a row. */
  public record Item(String itemPath, String item, String itemVariant, String itemFsLoc) {}

  private Names() {}

  /** Names of a test (a method, an invocation of one, or a dynamic test). */
  public static Item ofTest(TestPlan plan, TestIdentifier test) {
    TestIdentifier method = null;
    String className = null;
    for (TestIdentifier cur = test; cur != null; cur = plan.getParent(cur).orElse(null)) {
      Optional<TestSource> src = cur.getSource();
      if (src.isPresent() && src.get() instanceof MethodSource ms) {
        method = cur;
        className = ms.getClassName();
      } else if (src.isPresent() && src.get() instanceof ClassSource cs) {
        if (className == null) className = cs.getClassName();
        break;
      }
    }
    if (className == null) className = "";
    if (method == null) {
      return new Item(className, test.getDisplayName(), test.getDisplayName(), fsLoc(className));
    }
    String methodName = ((MethodSource) method.getSource().orElseThrow()).getMethodName();
    if (method.equals(test)) return new Item(className, methodName, methodName, fsLoc(className));
    Deque<String> parts = new ArrayDeque<>();
    for (TestIdentifier cur = test;
        cur != null && !cur.equals(method);
        cur = plan.getParent(cur).orElse(null)) {
      parts.addFirst(INDEX_PREFIX.matcher(cur.getDisplayName()).replaceFirst(""));
    }
    return new Item(
        className, methodName, methodName + "[" + String.join("/", parts) + "]", fsLoc(className));
  }

  /** Names of a test class row: package, class name without it, no variant. */
  public static Item ofClass(ClassSource source) {
    String className = source.getClassName();
    int dot = className.lastIndexOf('.');
    String pkg = dot < 0 ? "" : className.substring(0, dot);
    return new Item(pkg, className.substring(dot + 1), "", fsLoc(className));
  }

  /** {@code com.acme.Outer$Inner} → {@code com/acme/Outer.java}. */
  static String fsLoc(String className) {
    if (className.isEmpty()) return "";
    int dollar = className.indexOf('$');
    String top = dollar < 0 ? className : className.substring(0, dollar);
    return top.replace('.', '/') + ".java";
  }
}
