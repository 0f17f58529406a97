package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import podnet.linux.sys.ffm.Libc;

/**
 * setns(2), unshare(2), mount(2), umount2(2) and sethostname(2): the calls behind namespaces.
 *
 * <p>setns and unshare change only the calling thread; see {@code podnet.linux.ns.NsThread}
 * for running code on a dedicated platform thread that may be switched.
 */
public final class Namespaces {
    private Namespaces() {}

    public static final int CLONE_FS = 0x00000200, CLONE_NEWNS = 0x00020000,
            CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000,
            CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000,
            CLONE_NEWTIME = 0x00000080;
    public static final long MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18,
            MS_SHARED = 1 << 20, MS_SLAVE = 1 << 19;
    public static final int MNT_DETACH = 2;

    private static final class SetNs {
        static final MethodHandle H = Libc.downcall("setns",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /** ioctl(fd, NS_GET_NSTYPE): ioctl is variadic, so the (ignored) third argument is passed as one. */
    private static final class Ioctl {
        static final MethodHandle H = Libc.downcall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    }

    /** _IO(0xb7, 0x3) from linux/nsfs.h. */
    private static final long NS_GET_NSTYPE = 0xb703;

    private static final class Unshare {
        static final MethodHandle H = Libc.downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class Mount {
        static final MethodHandle H = Libc.downcall("mount", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }

    private static final class Umount2 {
        static final MethodHandle H = Libc.downcall("umount2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class SetHostname {
        static final MethodHandle H = Libc.downcall("sethostname",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    /** setns(2): moves the calling thread into the namespace {@code fd} refers to. */
    public static void setns(int fd, int nstype) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) SetNs.H.invokeExact(st, fd, nstype);
            Libc.check("setns", rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * The type of the namespace {@code fd} refers to, as its CLONE_NEW* flag (NS_GET_NSTYPE,
     * Linux 4.11+). A descriptor of a file that is no namespace fails with ENOTTY.
     */
    public static int type(int fd) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) Ioctl.H.invokeExact(st, fd, NS_GET_NSTYPE, 0L);
            return Libc.check("ioctl NS_GET_NSTYPE", rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** unshare(2) for the calling thread. */
    public static void unshare(int flags) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) Unshare.H.invokeExact(st, flags);
            Libc.check("unshare", rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** mount(2); null strings are passed as NULL. */
    public static void mount(String source, String target, String fstype, long flags) {
        MemorySegment st = Libc.errnoState();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) Mount.H.invokeExact(st, cString(arena, source), cString(arena, target),
                    cString(arena, fstype), flags, MemorySegment.NULL);
            Libc.check("mount " + target, rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** umount2(2). */
    public static void umount2(String target, int flags) {
        MemorySegment st = Libc.errnoState();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) Umount2.H.invokeExact(st, arena.allocateFrom(target), flags);
            Libc.check("umount2 " + target, rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * sethostname(2): names the calling thread's UTS namespace. Only for a thread that has just
     * unshared CLONE_NEWUTS (see {@code podnet.linux.ns.PinnedNamespaces}); anywhere else it
     * renames the host.
     */
    public static void sethostname(String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment st = Libc.errnoState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(b.length);
            s.copyFrom(MemorySegment.ofArray(b));
            int rc = (int) SetHostname.H.invokeExact(st, s, (long) b.length);
            Libc.check("sethostname " + name, rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static MemorySegment cString(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }
}
