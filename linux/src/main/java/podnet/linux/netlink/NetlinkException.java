package podnet.linux.netlink;

import podnet.linux.sys.SysException;

/** The kernel refused a netlink request: errno plus its extended-ack message when it gave one. */
public final class NetlinkException extends SysException {
    public NetlinkException(String what, int errno, String kernelMessage) {
        super(what, errno, kernelMessage);
    }
}
