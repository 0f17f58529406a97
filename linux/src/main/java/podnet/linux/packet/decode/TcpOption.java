package podnet.linux.packet.decode;

/**
 * One TCP option: its kind and the values that matter for printing (mss, wscale, TS val/ecr,
 * SACK edges as pairs), or the raw length for kinds we do not know.
 */
public record TcpOption(int kind, long[] values) {
    public static final int EOL = 0, NOP = 1, MSS = 2, WSCALE = 3, SACK_OK = 4, SACK = 5, TIMESTAMP = 8;

    public TcpOption {
        values = values.clone();
    }

    @Override
    public long[] values() {
        return values.clone();
    }
}
