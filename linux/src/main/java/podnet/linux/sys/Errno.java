package podnet.linux.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import podnet.linux.sys.ffm.Libc;

/** Linux errno numbers (x86-64 / generic) and their symbolic names. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6,
            EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16,
            EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
            ENFILE = 23, EMFILE = 24, ENOTTY = 25, ENOSPC = 28, EROFS = 30, ERANGE = 34, ENAMETOOLONG = 36,
            ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EPROTO = 71, EOVERFLOW = 75,
            ENOTSOCK = 88, EMSGSIZE = 90, EPROTONOSUPPORT = 93, EOPNOTSUPP = 95,
            EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100,
            ENETUNREACH = 101, ENOBUFS = 105, ETIMEDOUT = 110, ECONNREFUSED = 111,
            EHOSTUNREACH = 113, EALREADY = 114, EINPROGRESS = 115;

    private static final String[] NAMES = new String[134];

    static {
        String[] pairs = {
            "1 EPERM", "2 ENOENT", "3 ESRCH", "4 EINTR", "5 EIO", "6 ENXIO", "7 E2BIG",
            "8 ENOEXEC", "9 EBADF", "10 ECHILD", "11 EAGAIN", "12 ENOMEM", "13 EACCES",
            "14 EFAULT", "15 ENOTBLK", "16 EBUSY", "17 EEXIST", "18 EXDEV", "19 ENODEV",
            "20 ENOTDIR", "21 EISDIR", "22 EINVAL", "23 ENFILE", "24 EMFILE", "25 ENOTTY",
            "26 ETXTBSY", "27 EFBIG", "28 ENOSPC", "29 ESPIPE", "30 EROFS", "31 EMLINK",
            "32 EPIPE", "33 EDOM", "34 ERANGE", "35 EDEADLK", "36 ENAMETOOLONG", "37 ENOLCK",
            "38 ENOSYS", "39 ENOTEMPTY", "40 ELOOP", "61 ENODATA", "71 EPROTO", "75 EOVERFLOW",
            "88 ENOTSOCK", "89 EDESTADDRREQ", "90 EMSGSIZE", "91 EPROTOTYPE", "92 ENOPROTOOPT",
            "93 EPROTONOSUPPORT", "94 ESOCKTNOSUPPORT", "95 EOPNOTSUPP", "96 EPFNOSUPPORT",
            "97 EAFNOSUPPORT", "98 EADDRINUSE", "99 EADDRNOTAVAIL", "100 ENETDOWN",
            "101 ENETUNREACH", "102 ENETRESET", "103 ECONNABORTED", "104 ECONNRESET",
            "105 ENOBUFS", "106 EISCONN", "107 ENOTCONN", "110 ETIMEDOUT", "111 ECONNREFUSED",
            "112 EHOSTDOWN", "113 EHOSTUNREACH", "114 EALREADY", "115 EINPROGRESS",
            "122 EDQUOT", "125 ECANCELED", "133 EHWPOISON",
        };
        for (String p : pairs) {
            int sp = p.indexOf(' ');
            NAMES[Integer.parseInt(p.substring(0, sp))] = p.substring(sp + 1);
        }
    }

    /** The symbolic name, e.g. {@code EEXIST}, or {@code errno N} when unknown. */
    public static String name(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno];
        }
        return "errno " + errno;
    }

    /** The C library's description, e.g. "File exists". */
    public static String describe(int errno) {
        try {
            MemorySegment s = (MemorySegment) StrError.H.invokeExact(errno);
            // strerror returns a zero-length segment: widen it before reading the C string.
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return name(errno);
        }
    }

    /** Held apart so that naming an errno links nothing. */
    private static final class StrError {
        static final MethodHandle H = Libc.plainDowncall("strerror",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }
}
