package podnet.linux.packet.filter;

import java.util.List;

/** A classic BPF program, as attached with SO_ATTACH_FILTER (at most 4096 instructions). */
public record BpfProgram(List<BpfInstruction> instructions) {
    public static final int MAX_INSTRUCTIONS = 4096;

    public BpfProgram {
        instructions = List.copyOf(instructions);
        if (instructions.isEmpty() || instructions.size() > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("a BPF program has 1.." + MAX_INSTRUCTIONS
                    + " instructions, not " + instructions.size());
        }
    }

    /** Accepts every frame, keeping at most {@code snapLength} bytes of each. */
    public static BpfProgram acceptAll(int snapLength) {
        return new BpfProgram(List.of(new BpfInstruction(BpfInstruction.RET | BpfInstruction.K, 0, 0, snapLength)));
    }

    public int size() {
        return instructions.size();
    }
}
