package podnet.linux.netlink;

import podnet.linux.inet.Cidr;

/** An interface address (RTM_NEWADDR): {@code cidr} is the local address with its prefix. */
public record Address(int index, Cidr cidr, int scope, int flags, String label) {
    public static final int IFA_F_NODAD = 0x02, IFA_F_DADFAILED = 0x08, IFA_F_TENTATIVE = 0x40,
            IFA_F_PERMANENT = 0x80;

    public boolean isIpv4() {
        return cidr.isIpv4();
    }

    public boolean isTentative() {
        return (flags & IFA_F_TENTATIVE) != 0;
    }
}
