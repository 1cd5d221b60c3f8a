package dev.grindstone.junit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The commit checked out in the working folder. Reads {@code .git/HEAD}, loose refs and {@code
 * packed-refs} (worktrees included) without starting a process; only when that finds a repository
 * but cannot resolve HEAD does it run {@code git rev-parse HEAD} once.
 */
public final class ScmRevision {
  private ScmRevision() {}

  /** The commit id, or {@code ""} outside a git repository. */
  public static String of(Path workingDir) {
    Path dir = workingDir.toAbsolutePath().normalize();
    while (dir != null) {
      Path dotGit = dir.resolve(".git");
      if (Files.exists(dotGit)) {
        String fromFiles = fromFiles(dotGit);
        return fromFiles != null ? fromFiles : fromGitCommand(dir);
      }
      dir = dir.getParent();
    }
    return "";
  }

  static String fromFiles(Path dotGit) {
    try {
      Path gitDir = dotGit;
      if (Files.isRegularFile(dotGit)) {
        String line = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
        if (!line.startsWith("gitdir:")) return null;
        gitDir = dotGit.getParent().resolve(line.substring("gitdir:".length()).trim()).normalize();
      }
      Path commonDir = gitDir;
      Path commonFile = gitDir.resolve("commondir");
      if (Files.isRegularFile(commonFile)) {
        commonDir = gitDir.resolve(Files.readString(commonFile).trim()).normalize();
      }
      String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).trim();
      if (!head.startsWith("ref:")) return isSha(head) ? head : null;
      String ref = head.substring("ref:".length()).trim();
      for (Path base : List.of(gitDir, commonDir)) {
        Path loose = base.resolve(ref);
        if (Files.isRegularFile(loose)) {
          String sha = Files.readString(loose, StandardCharsets.UTF_8).trim();
          if (isSha(sha)) return sha;
        }
      }
      Path packed = commonDir.resolve("packed-refs");
      if (Files.isRegularFile(packed)) {
        for (String l : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
          String[] parts = l.trim().split(" ", 2);
          if (parts.length == 2 && parts[1].equals(ref) && isSha(parts[0])) return parts[0];
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String fromGitCommand(Path dir) {
    try {
      Process p =
          new ProcessBuilder("git", "rev-parse", "HEAD")
              .directory(dir.toFile())
              .redirectErrorStream(false)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "";
      }
      String sha = new String(out, StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0 && isSha(sha) ? sha : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static boolean isSha(String s) {
    return s.length() >= 40 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }
}
