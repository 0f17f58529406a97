package podnet.linux.packet.filter;

import java.util.List;
import java.util.Optional;
import podnet.linux.packet.decode.FrameDecoder;

/**
 * A capture filter: where the expression compiles to classic BPF the kernel applies it (and
 * copies only frames that pass); otherwise each frame is decoded and tested in Java.
 */
public final class CaptureFilter {
    /** Keeps every frame. */
    public static final CaptureFilter ALL = new CaptureFilter("", null);

    private final String text;
    private final FilterExpr expr;
    private final boolean inKernel;

    private CaptureFilter(String text, FilterExpr expr) {
        this.text = text;
        this.expr = expr;
        this.inKernel = expr != null && BpfCompiler.compile(expr, 1).isPresent();
    }

    /** Parses {@code text} (blank means {@link #ALL}); a bad expression fails with the reason. */
    public static CaptureFilter parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        return new CaptureFilter(text.trim(), FilterParser.parse(text));
    }

    /** Parses words as given on a command line ({@code tcp port 80}). */
    public static CaptureFilter parse(List<String> words) {
        return parse(words == null ? "" : String.join(" ", words));
    }

    public String expression() {
        return text;
    }

    public Optional<FilterExpr> expr() {
        return Optional.ofNullable(expr);
    }

    /** Whether the kernel filters (BPF); false means frames are tested after decoding. */
    public boolean inKernel() {
        return inKernel;
    }

    /** The program to attach, returning {@code snapLength} for accepted frames; empty if none. */
    public Optional<BpfProgram> bpf(int snapLength) {
        return inKernel ? BpfCompiler.compile(expr, snapLength) : Optional.empty();
    }

    /** The Java half: true when the kernel already filtered or there is no filter. */
    public boolean matchesInJava(byte[] frame) {
        return expr == null || inKernel || FrameMatcher.matches(expr, FrameDecoder.decode(frame));
    }

    /** Evaluates the whole expression in Java, whatever the kernel does. */
    public boolean matches(byte[] frame) {
        return expr == null || FrameMatcher.matches(expr, FrameDecoder.decode(frame));
    }

    @Override
    public String toString() {
        return text.isEmpty() ? "(all)" : text;
    }
}
