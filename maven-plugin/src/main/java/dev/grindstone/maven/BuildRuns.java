package dev.grindstone.maven;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.project.MavenProject;

/** The results folders that grindstone:run wrote in this build, for grindstone:check. */
final class BuildRuns {
  private static final String KEY = "dev.grindstone.maven.runs";

  private BuildRuns() {}

  static synchronized void add(MavenProject project, Path folder) {
    List<String> list = new ArrayList<>(of(project));
    list.add(folder.toAbsolutePath().toString());
    project.setContextValue(KEY, List.copyOf(list));
  }

  @SuppressWarnings("unchecked")
  static synchronized List<String> of(MavenProject project) {
    Object v = project.getContextValue(KEY);
    return v instanceof List<?> l ? (List<String>) l : List.of();
  }
}
