package dev.pipekeeper.embedded.internal;

import dev.pipekeeper.embedded.EmbeddedServerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only their owner may read and write (0600): keys, passwords and the files that name them.
 * On a file system without POSIX permissions the file is made as usual.
 */
public final class OwnerOnly {
  private static final Set<PosixFilePermission> RW = PosixFilePermissions.fromString("rw-------");

  private OwnerOnly() {}

  /** Creates {@code file} (empty, 0600), or makes an existing one 0600. */
  public static void createFile(Path file) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    if (Files.exists(file)) {
      if (posix) {
        Files.setPosixFilePermissions(file, RW);
      }
      return;
    }
    if (posix) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(RW));
    } else {
      Files.createFile(file);
    }
  }

  /** Writes {@code text} to {@code file}, which is 0600 before anything is written to it. */
  public static Path write(Path file, String text) {
    try {
      createFile(file);
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
