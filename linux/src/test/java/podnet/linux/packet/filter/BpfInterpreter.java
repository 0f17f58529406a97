package podnet.linux.packet.filter;

import static podnet.linux.packet.filter.BpfInstruction.*;

/**
 * A classic BPF interpreter for tests: runs our compiled programs on frames without a kernel,
 * with the kernel's rule that a load past the end of the frame rejects it.
 */
final class BpfInterpreter {
    private BpfInterpreter() {}

    /** The program's return value (0 = drop, else the bytes to keep). */
    static int run(BpfProgram prog, byte[] p) {
        int a = 0, x = 0;
        var code = prog.instructions();
        for (int pc = 0; pc < code.size(); pc++) {
            BpfInstruction i = code.get(pc);
            int cls = i.code() & 0x07;
            switch (cls) {
                case LD -> {
                    int size = i.code() & 0x18, mode = i.code() & 0xe0;
                    int off = mode == IND ? x + i.k() : i.k();
                    int n = size == W ? 4 : size == H ? 2 : 1;
                    if (mode == IMM) {
                        a = i.k();
                        break;
                    }
                    if (off < 0 || off + n > p.length) {
                        return 0;
                    }
                    a = 0;
                    for (int b = 0; b < n; b++) {
                        a = a << 8 | (p[off + b] & 0xff);
                    }
                }
                case LDX -> {
                    if ((i.code() & 0xe0) != MSH || i.k() >= p.length) {
                        if ((i.code() & 0xe0) != MSH) {
                            throw new IllegalStateException("unsupported ldx " + i);
                        }
                        return 0;
                    }
                    x = (p[i.k()] & 0xf) * 4;
                }
                case ALU -> {
                    if ((i.code() & 0xf0) != AND) {
                        throw new IllegalStateException("unsupported alu " + i);
                    }
                    a &= i.k();
                }
                case JMP -> {
                    int op = i.code() & 0xf0;
                    if (op == JA) {
                        pc += i.k();
                        break;
                    }
                    boolean c = switch (op) {
                        case JEQ -> a == i.k();
                        case JSET -> (a & i.k()) != 0;
                        case JGT -> Integer.compareUnsigned(a, i.k()) > 0;
                        case JGE -> Integer.compareUnsigned(a, i.k()) >= 0;
                        default -> throw new IllegalStateException("unsupported jmp " + i);
                    };
                    pc += c ? i.jt() : i.jf();
                }
                case RET -> {
                    return i.k();
                }
                default -> throw new IllegalStateException("unsupported " + i);
            }
        }
        throw new IllegalStateException("fell off the end of the program");
    }
}
