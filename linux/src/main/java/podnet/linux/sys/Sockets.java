package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The BSD socket calls, on raw descriptors. Higher layers (netlink, packet) wrap them. */
public final class Sockets {
    private Sockets() {}

    public static final int AF_UNIX = 1, AF_INET = 2, AF_BRIDGE = 7, AF_INET6 = 10,
            AF_NETLINK = 16, AF_PACKET = 17;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3,
            SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_SNDBUF = 7, SO_RCVTIMEO = 20,
            SO_SNDTIMEO = 21, SO_ATTACH_FILTER = 26, SO_PEERCRED = 17, SO_PEERPIDFD = 77;
    public static final int MSG_PEEK = 2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40;

    private static final class Socket {
        static final MethodHandle H = Libc.downcall("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Bind {
        static final MethodHandle H = Libc.downcall("bind",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class SetSockOpt {
        static final MethodHandle H = Libc.downcall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class GetSockOpt {
        static final MethodHandle H = Libc.downcall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class SendTo {
        static final MethodHandle H = Libc.downcall("sendto", FunctionDescriptor.of(JAVA_LONG,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class RecvFrom {
        static final MethodHandle H = Libc.downcall("recvfrom", FunctionDescriptor.of(JAVA_LONG,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class Connect {
        static final MethodHandle H = Libc.downcall("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Listen {
        static final MethodHandle H = Libc.downcall("listen",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Accept4 {
        static final MethodHandle H = Libc.downcall("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    private static final class Shutdown {
        static final MethodHandle H = Libc.downcall("shutdown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

    /** shutdown(2); unlike close, it wakes a thread blocked in accept or recv on the socket. */
    public static void shutdown(int fd, int how) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) Shutdown.H.invokeExact(st, fd, how);
            Libc.check("shutdown", rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** connect(2), retried on EINTR. */
    public static void connect(int fd, MemorySegment address) {
        MemorySegment st = Libc.errnoState();
        while (true) {
            try {
                int rc = (int) Connect.H.invokeExact(st, fd, address, (int) address.byteSize());
                if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                Libc.check("connect", rc, st);
                return;
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }

    public static void listen(int fd, int backlog) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) Listen.H.invokeExact(st, fd, backlog);
            Libc.check("listen", rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** accept4(2) with SOCK_CLOEXEC, retried on EINTR; returns the connection's descriptor. */
    public static int accept(int fd) {
        MemorySegment st = Libc.errnoState();
        while (true) {
            try {
                int rc = (int) Accept4.H.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                return Libc.check("accept", rc, st);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }

    public static int socket(int domain, int type, int protocol) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) Socket.H.invokeExact(st, domain, type | SOCK_CLOEXEC, protocol);
            return Libc.check("socket", rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void bind(int fd, MemorySegment address) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) Bind.H.invokeExact(st, fd, address, (int) address.byteSize());
            Libc.check("bind", rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void setsockopt(int fd, int level, int name, MemorySegment value) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) SetSockOpt.H.invokeExact(st, fd, level, name, value, (int) value.byteSize());
            Libc.check("setsockopt " + level + "/" + name, rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** getsockopt into {@code value}; returns the length the kernel wrote. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment lenCell) {
        MemorySegment st = Libc.errnoState();
        lenCell.set(JAVA_INT, 0, (int) value.byteSize());
        try {
            int rc = (int) GetSockOpt.H.invokeExact(st, fd, level, name, value, lenCell);
            Libc.check("getsockopt " + level + "/" + name, rc, st);
            return lenCell.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** sendto(2), retried on EINTR; returns the bytes sent. */
    public static long sendto(int fd, MemorySegment data, long length, int flags, MemorySegment to) {
        MemorySegment st = Libc.errnoState();
        int toLen = to.equals(MemorySegment.NULL) ? 0 : (int) to.byteSize();
        while (true) {
            try {
                long rc = (long) SendTo.H.invokeExact(st, fd, data, length, flags, to, toLen);
                if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                return Libc.check("sendto", rc, st);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }

    /**
     * recvfrom(2), retried on EINTR; returns the datagram's length (which, with MSG_TRUNC, may
     * exceed the buffer).
     */
    public static long recvfrom(int fd, MemorySegment buffer, int flags) {
        MemorySegment st = Libc.errnoState();
        while (true) {
            try {
                long rc = (long) RecvFrom.H.invokeExact(st, fd, buffer, buffer.byteSize(), flags,
                        MemorySegment.NULL, MemorySegment.NULL);
                if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                return Libc.check("recvfrom", rc, st);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }
}
