package podnet.linux.packet.filter;

/** One classic BPF instruction ({@code struct sock_filter}): opcode, jump offsets, constant. */
public record BpfInstruction(int code, int jt, int jf, int k) {
    // Opcode parts (linux/filter.h, linux/bpf_common.h).
    public static final int LD = 0x00, LDX = 0x01, ALU = 0x04, JMP = 0x05, RET = 0x06;
    public static final int W = 0x00, H = 0x08, B = 0x10;
    public static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MSH = 0xa0;
    public static final int AND = 0x50;
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    public static final int K = 0x00, X = 0x08;

    public BpfInstruction {
        if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
            throw new IllegalArgumentException("jump offset out of range: jt " + jt + " jf " + jf);
        }
    }

    /** In the style of {@code tcpdump -dd}: {@code { 0x28, 0, 0, 0x0000000c }}. */
    @Override
    public String toString() {
        return String.format("{ 0x%x, %d, %d, 0x%08x }", code, jt, jf, k);
    }
}
