package dev.grindstone.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScmAndCiTest {
  static final String A = "0123456789abcdef0123456789abcdef01234567";
  static final String B = "89abcdef0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  @Test
  void branch_head_is_resolved_from_a_loose_ref_in_a_subfolder() throws Exception {
    Path git = Files.createDirectories(dir.resolve("repo/.git/refs/heads"));
    Files.writeString(git.getParent().getParent().resolve("HEAD"), "ref: refs/heads/main\n");
    Files.writeString(git.resolve("main"), A + "\n");
    Path sub = Files.createDirectories(dir.resolve("repo/module/src"));
    assertThat(ScmRevision.of(sub)).isEqualTo(A);
  }

  @Test
  void branch_head_is_resolved_from_packed_refs_and_a_detached_head_is_read_as_is()
      throws Exception {
    Path git = Files.createDirectories(dir.resolve("repo/.git"));
    Files.writeString(git.resolve("HEAD"), "ref: refs/heads/release\n");
    Files.writeString(
        git.resolve("packed-refs"),
        "# pack-refs with: peeled fully-peeled sorted\n"
            + B
            + " refs/heads/main\n"
            + A
            + " refs/heads/release\n");
    assertThat(ScmRevision.of(dir.resolve("repo"))).isEqualTo(A);
    Files.writeString(git.resolve("HEAD"), B + "\n");
    assertThat(ScmRevision.of(dir.resolve("repo"))).isEqualTo(B);
  }

  @Test
  void a_worktree_reads_its_own_head_and_the_common_refs() throws Exception {
    Path common = Files.createDirectories(dir.resolve("main/.git"));
    Files.createDirectories(common.resolve("refs/heads"));
    Files.writeString(common.resolve("refs/heads/feature"), B + "\n");
    Path wtGit = Files.createDirectories(common.resolve("worktrees/wt"));
    Files.writeString(wtGit.resolve("HEAD"), "ref: refs/heads/feature\n");
    Files.writeString(wtGit.resolve("commondir"), "../..\n");
    Path wt = Files.createDirectories(dir.resolve("wt"));
    Files.writeString(wt.resolve(".git"), "gitdir: " + wtGit + "\n");
    assertThat(ScmRevision.of(wt)).isEqualTo(B);
  }

  @Test
  void ci_variables_become_pipeline_branch_and_build_number() {
    assertThat(CiInfo.from(Map.of())).isEmpty();
    assertThat(CiInfo.from(Map.of("BUILD_NUMBER", "12", "JOB_NAME", "nightly")))
        .containsExactly(
            Map.entry("pipeline_branch", "nightly"), Map.entry("pipeline_build_no", "12"));
    assertThat(
            CiInfo.from(Map.of("BUILD_NUMBER", "12", "JOB_NAME", "nightly", "BRANCH_NAME", "main")))
        .containsEntry("pipeline_branch", "main");
    assertThat(
            CiInfo.from(
                Map.of(
                    "CI_JOB_NAME",
                    "test",
                    "CI_PIPELINE_ID",
                    "99",
                    "CIRCLE_JOB",
                    "x",
                    "CIRCLE_BUILD_NUM",
                    "1")))
        .as("GitLab is checked last among pytest-monitor's systems, so it wins")
        .containsEntry("pipeline_branch", "test")
        .containsEntry("pipeline_build_no", "99");
    assertThat(CiInfo.from(Map.of("GITHUB_RUN_NUMBER", "5", "GITHUB_REF_NAME", "main")))
        .containsExactly(Map.entry("pipeline_branch", "main"), Map.entry("pipeline_build_no", "5"));
    assertThat(CiInfo.from(Map.of("BUILD_NUMBER", "12")))
        .as("a build number alone is not Jenkins")
        .isEmpty();
  }

  @Test
  void class_names_map_to_source_files() {
    assertThat(Names.fsLoc("com.acme.FooTest$Inner")).isEqualTo("com/acme/FooTest.java");
    assertThat(Names.fsLoc("FooTest")).isEqualTo("FooTest.java");
  }
}
