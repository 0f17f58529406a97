package podnet.node.trace;

import podnet.linux.packet.PacketType;

/** A frame of the probe's exchange seen at one hop: when, which way, and what it was. */
public record Sighting(Hop hop, long timestampNanos, PacketType direction, Kind kind, String summary) {
    /** The roles frames play in the exchange, in the order the article tells them. */
    public enum Kind {
        ARP_REQUEST("ARP who-has"), ARP_REPLY("ARP reply"), REQUEST("probe"), REPLY("answer");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }
}
