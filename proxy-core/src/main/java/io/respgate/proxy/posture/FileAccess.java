package io.respgate.proxy.posture;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Who may read and write a file or directory on this host, from its POSIX owner, group and mode
 * (symbolic links followed, as the reader of the file would).
 *
 * @param owner owner's name
 * @param group group's name
 * @param mode  the permissions, e.g. {@code rwxr-x---}
 */
record FileAccess(String owner, String group, Set<PosixFilePermission> mode) {
    /** A file whose access could not be read, and why. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String reason) {
            super(reason, null, false, false);
        }
    }

    static FileAccess of(Path path) throws Unreadable {
        try {
            PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class);
            return new FileAccess(attributes.owner().getName(), attributes.group().getName(),
                    Set.copyOf(attributes.permissions()));
        } catch (NoSuchFileException e) {
            throw new Unreadable("it does not exist on this host");
        } catch (AccessDeniedException e) {
            throw new Unreadable("permission denied");
        } catch (UnsupportedOperationException e) {
            throw new Unreadable("this file system has no POSIX permissions");
        } catch (IOException e) {
            throw new Unreadable(e.getMessage() == null ? e.getClass().getSimpleName() : Text.shorten(e.getMessage()));
        }
    }

    boolean worldWritable() {
        return mode.contains(PosixFilePermission.OTHERS_WRITE);
    }

    boolean groupWritable() {
        return mode.contains(PosixFilePermission.GROUP_WRITE);
    }

    boolean worldReadable() {
        return mode.contains(PosixFilePermission.OTHERS_READ);
    }

    boolean groupReadable() {
        return mode.contains(PosixFilePermission.GROUP_READ);
    }

    /** {@code owner root, group redis, rwxr-x---}. */
    String describe() {
        return "owner " + owner + ", group " + group + ", " + PosixFilePermissions.toString(mode);
    }
}
