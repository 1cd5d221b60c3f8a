package dev.grindstone.junit.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pipeline a run belongs to, read from CI environment variables the way pytest-monitor reads
 * them: Jenkins, CircleCI, Travis, Drone, GitLab (a later match wins), plus GitHub Actions.
 */
public final class CiInfo {
  private CiInfo() {}

  /** {@code pipeline_branch} and {@code pipeline_build_no}, or an empty map outside CI. */
  public static Map<String, String> from(Map<String, String> env) {
    Map<String, String> d = new LinkedHashMap<>();
    if (env.containsKey("BUILD_NUMBER")
        && (env.containsKey("BRANCH_NAME") || env.containsKey("JOB_NAME"))) {
      String branch = env.containsKey("BRANCH_NAME") ? env.get("BRANCH_NAME") : env.get("JOB_NAME");
      put(d, branch, env.get("BUILD_NUMBER"));
    }
    if (env.containsKey("CIRCLE_JOB") && env.containsKey("CIRCLE_BUILD_NUM")) {
      put(d, env.get("CIRCLE_JOB"), env.get("CIRCLE_BUILD_NUM"));
    }
    if (env.containsKey("TRAVIS_BUILD_NUMBER") && env.containsKey("TRAVIS_BUILD_ID")) {
      put(d, env.get("TRAVIS_BUILD_ID"), env.get("TRAVIS_BUILD_NUMBER"));
    }
    if (env.containsKey("DRONE_REPO_BRANCH") && env.containsKey("DRONE_BUILD_NUMBER")) {
      put(d, env.get("DRONE_REPO_BRANCH"), env.get("DRONE_BUILD_NUMBER"));
    }
    if (env.containsKey("CI_JOB_NAME") && env.containsKey("CI_PIPELINE_ID")) {
      put(d, env.get("CI_JOB_NAME"), env.get("CI_PIPELINE_ID"));
    }
    if (env.containsKey("GITHUB_RUN_NUMBER")
        && (env.containsKey("GITHUB_REF_NAME") || env.containsKey("GITHUB_WORKFLOW"))) {
      String branch =
          env.containsKey("GITHUB_REF_NAME")
              ? env.get("GITHUB_REF_NAME")
              : env.get("GITHUB_WORKFLOW");
      put(d, branch, env.get("GITHUB_RUN_NUMBER"));
    }
    return d;
  }

  private static void put(Map<String, String> d, String branch, String build) {
    d.clear();
    d.put("pipeline_branch", branch);
    d.put("pipeline_build_no", build);
  }
}
