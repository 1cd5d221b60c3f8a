package dev.grindstone.cli;

import dev.grindstone.stats.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A distributed run's bundle: the run file's folder as a zip archive (the run file, the Java
 * scenario, feeders and data files), without results folders, build output and hidden files.
 */
final class RunBundle {
  private static final Set<String> SKIPPED = Set.of("results", "target", "build", "node_modules");

  private RunBundle() {}

  /** The folder of {@code file}, zipped, entries relative to it. */
  static byte[] zip(Path folder, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      Files.walkFileTree(
          folder,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
              return !dir.equals(folder) && (name.startsWith(".") || SKIPPED.contains(name))
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (file.getFileName().toString().startsWith(".") || !attrs.isRegularFile()) {
                return FileVisitResult.CONTINUE;
              }
              if (out.size() + attrs.size() > limit) {
                throw new BadInputException(
                    "the run's folder "
                        + folder
                        + " is more than "
                        + limit
                        + " bytes (at "
                        + file
                        + "): the agents get the whole folder, so keep the run file, its scenario"
                        + " and its data in a folder of their own");
              }
              zip.putNextEntry(new ZipEntry(folder.relativize(file).toString().replace('\\', '/')));
              Files.copy(file, zip);
              zip.closeEntry();
              return FileVisitResult.CONTINUE;
            }
          });
    }
    return out.toByteArray();
  }

  /** Unpacks {@code zip} into {@code into}; an entry that would land outside it is refused. */
  static void unzip(byte[] zip, Path into) throws IOException {
    Path root = into.toAbsolutePath().normalize();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        Path target = root.resolve(e.getName()).normalize();
        if (!target.startsWith(root)) {
          throw new IOException(
              "the bundle's entry '" + e.getName() + "' points outside its folder");
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(target)) {
          copy(in, out);
        }
      }
    }
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
    }
  }
}
