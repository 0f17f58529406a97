package podnet.cni.ipam;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import podnet.cni.spec.CniError;
import podnet.cni.spec.NetConf;
import podnet.linux.inet.Cidr;
import podnet.linux.sys.FileDescriptor;

/**
 * The reference host-local's on-disk store, byte for byte: {@code <dataDir>/<network>/<ip>}
 * holding {@code <containerID>\r\n<ifname>} (created O_EXCL, mode 0644),
 * {@code last_reserved_ip.<rangeIndex>}, and a {@code lock} file held with flock(2) for the
 * whole operation — the same lock the Go plugin takes, so both can share a node.
 */
public final class LeaseStore implements AutoCloseable {
    static final String LINE_BREAK = "\r\n";
    static final String LAST_IP_PREFIX = "last_reserved_ip.";

    private final Path dir;
    private final FileDescriptor lock;

    private LeaseStore(Path dir, FileDescriptor lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /** Opens (creating) the network's directory and takes its lock exclusively. */
    public static LeaseStore lock(Path dataDir, String network) {
        NetConf.validateName(network);
        Path dir = dataDir.resolve(network);
        if (!dir.normalize().getParent().equals(dataDir.normalize())) {
            throw CniError.config("network name \"" + network + "\" escapes dataDir");
        }
        try {
            if (!Files.isDirectory(dir)) { // createDirectories alone throws (and catches) an exception when it exists: every call
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot create IPAM store " + dir + ": " + e, null, e);
        }
        FileDescriptor fd;
        try {
            fd = FileDescriptor.open(dir.resolve("lock"), FileDescriptor.O_RDONLY | FileDescriptor.O_CREAT, 0750);
        } catch (RuntimeException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot open IPAM lock " + dir.resolve("lock") + ": " + e.getMessage(), null, e);
        }
        try {
            fd.flock(FileDescriptor.LOCK_EX);
        } catch (RuntimeException e) {
            fd.close();
            throw new CniError(CniError.IO_FAILURE, "cannot lock " + dir.resolve("lock") + ": " + e.getMessage(), null, e);
        }
        return new LeaseStore(dir, fd);
    }

    public Path dir() {
        return dir;
    }

    private Path ipFile(InetAddress ip) {
        return dir.resolve(Cidr.text(ip));
    }

    /**
     * Reserves {@code ip} for the attachment; false if someone holds it already. The lease is
     * written to a temporary file first and then linked into place, so a crash at any point
     * leaves either no lease or a complete one, never an empty file that blocks the address.
     */
    public boolean reserve(String id, String ifName, InetAddress ip, int rangeIndex) {
        Path f = ipFile(ip);
        if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        byte[] lease = (id.strip() + LINE_BREAK + ifName).getBytes(StandardCharsets.UTF_8);
        try {
            if (!placeExclusively(f, lease)) {
                return false;
            }
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot write lease " + f + ": " + e, null, e);
        }
        try {
            replace(dir.resolve(LAST_IP_PREFIX + rangeIndex), Cidr.text(ip).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            deleteQuietly(f);
            throw new CniError(CniError.IO_FAILURE, "cannot write " + LAST_IP_PREFIX + rangeIndex + ": " + e, null, e);
        }
        return true;
    }

    /** Temporary files are named so that neither we nor the reference take them for a lease. */
    static final String TEMP_PREFIX = ".podnet-tmp-";
    private static final FileAttribute<?> MODE_0644 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

    private Path temp(byte[] content) throws IOException {
        Path tmp = Files.createTempFile(dir, TEMP_PREFIX, "", MODE_0644);
        try {
            // Not O_TRUNC: the file is new and empty, and ext4 flushes a file truncated to 0 on its close (auto_da_alloc).
            Files.write(tmp, content, StandardOpenOption.WRITE);
            return tmp;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Links a complete temporary file to {@code target}; false if {@code target} exists. */
    private boolean placeExclusively(Path target, byte[] content) throws IOException {
        Path tmp = temp(content);
        try {
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException e) {
            // no hard links here: the store's lock already excludes other writers, so a rename is exclusive too
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Replaces {@code target} with {@code content} in one rename. */
    private void replace(Path target, byte[] content) throws IOException {
        Path tmp = temp(content);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp); // only then: deleting a moved file fails inside the JDK, an exception per call
            throw e;
        }
    }

    public InetAddress lastReserved(int rangeIndex) {
        try {
            return Cidr.parseAddress(Files.readString(dir.resolve(LAST_IP_PREFIX + rangeIndex)).strip());
        } catch (IOException | IllegalArgumentException e) {
            return null; // missing or garbled: just lose round-robin once, like the reference
        }
    }

    public record Lease(InetAddress ip, String containerId, String ifName) {}

    /** Every lease file (files named by an IP address); unreadable files are skipped. */
    public List<Lease> leases() {
        List<Lease> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX)) {
                    deleteQuietly(p); // left by a crash: we hold the lock, nobody is writing it
                    continue;
                }
                if (name.equals("lock") || name.startsWith(LAST_IP_PREFIX) || !looksLikeIp(name)) {
                    continue;
                }
                InetAddress ip;
                try {
                    ip = Cidr.parseAddress(name);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                String content;
                try {
                    content = Files.readString(p, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    continue;
                }
                int br = content.indexOf(LINE_BREAK);
                out.add(br < 0 ? new Lease(ip, content, "") // the pre-0.8 format: ID only
                        : new Lease(ip, content.substring(0, br).strip(), content.substring(br + 2)));
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot list IPAM store " + dir + ": " + e, null, e);
        }
        return out;
    }

    private static boolean looksLikeIp(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && c != ':' && Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    public List<InetAddress> getById(String id, String ifName) {
        List<InetAddress> out = new ArrayList<>();
        for (Lease l : leases()) {
            if (matches(l, id, ifName)) {
                out.add(l.ip());
            }
        }
        return out;
    }

    private static boolean matches(Lease l, String id, String ifName) {
        return l.containerId().equals(id.strip()) && l.ifName().equals(ifName);
    }

    /** Releases every lease of the attachment; returns the addresses released. */
    public List<InetAddress> releaseById(String id, String ifName) {
        List<InetAddress> out = new ArrayList<>();
        for (Lease l : leases()) {
            if (matches(l, id, ifName)) {
                release(l.ip());
                out.add(l.ip());
            }
        }
        return out;
    }

    public void release(InetAddress ip) {
        try {
            Files.deleteIfExists(ipFile(ip));
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot release " + Cidr.text(ip) + ": " + e, null, e);
        }
    }

    /** Lease counts by attachment, for GC and STATUS. */
    public Map<InetAddress, Lease> byIp() {
        Map<InetAddress, Lease> m = new LinkedHashMap<>();
        leases().forEach(l -> m.put(l.ip(), l));
        return m;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort while failing anyway
        }
    }

    @Override
    public void close() {
        lock.close(); // closing the descriptor drops the flock
    }
}
