package podnet.node.bench;

import podnet.node.observe.FlowTable;
import podnet.node.observe.FrameHeaders;

/**
 * Heap taken by the observer's flow table at N flows: fills a table with N distinct UDP
 * flows (synthetic frames through the real parser and table) and reports the retained heap
 * after a full GC, against the same heap without the table, per flow.
 */
public final class FlowTableMemory {
    private FlowTableMemory() {}

    public record Result(int flows, long bytes) {
        public double bytesPerFlow() {
            return (double) bytes / flows;
        }
    }

    public static Result measure(int flows) {
        long before = usedAfterGc();
        FlowTable t = new FlowTable(flows);
        byte[] frame = udpFrame();
        for (int i = 0; i < flows; i++) {
            frame[26 + 2] = (byte) (i >> 16); // source 10.x.y.z varies: one flow per frame
            frame[26 + 3] = (byte) (i >> 8);
            frame[34] = (byte) i;             // and the source port's high byte
            t.see(FrameHeaders.parse(frame, frame.length), 3, false, i);
        }
        long after = usedAfterGc();
        if (t.size() != flows) {
            throw new IllegalStateException("expected " + flows + " flows, the table has " + t.size());
        }
        return new Result(flows, after - before);
    }

    private static long usedAfterGc() {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return r.totalMemory() - r.freeMemory();
    }

    /** Ethernet + IPv4 10.0.0.0 -> 10.250.0.2 + UDP 1000 -> 53, 18 bytes of payload. */
    private static byte[] udpFrame() {
        byte[] f = new byte[60];
        f[12] = 0x08;
        f[14] = 0x45;
        f[16] = 0;
        f[17] = 46;
        f[22] = 64;
        f[23] = 17;
        f[26] = 10;
        f[30] = 10;
        f[31] = (byte) 250;
        f[33] = 2;
        f[34] = 0x03;
        f[35] = (byte) 0xe8;
        f[37] = 53;
        f[39] = 26;
        return f;
    }
}
