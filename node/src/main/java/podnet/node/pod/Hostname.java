package podnet.node.pod;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import podnet.linux.sys.Libc;

/** sethostname(2): names the calling thread's UTS namespace. */
final class Hostname {
    private Hostname() {}

    private static final class SetHostname {
        static final MethodHandle H = Libc.downcall("sethostname",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    static void set(String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(b.length);
            s.copyFrom(MemorySegment.ofArray(b));
            MemorySegment st = Libc.errnoState();
            int rc = (int) SetHostname.H.invokeExact(st, s, (long) b.length);
            Libc.check("sethostname " + name, rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
