package podnet.node.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import podnet.linux.inet.Cidr;

/**
 * The node subnets of a cluster network, chosen as flannel does: the network cut into
 * {@code SubnetLen} pieces, the first one left out (flannel's default SubnetMin), a free one
 * picked at random so that nodes starting together rarely collide (the create-if-absent
 * transaction settles the rest).
 */
final class SubnetPool {
    private SubnetPool() {}

    /** Every subnet a node may take, in address order. */
    static List<Cidr> candidates(NetworkConfig c) {
        int count = 1 << (c.subnetLen() - c.network().prefixLength());
        long step = 1L << (32 - c.subnetLen());
        List<Cidr> out = new ArrayList<>(count - 1);
        for (int i = 1; i < count; i++) {
            out.add(new Cidr(Cidr.add(c.network().address(), i * step), c.subnetLen()));
        }
        return out;
    }

    /** A random free subnet; null when every one is taken. */
    static Cidr pickFree(NetworkConfig c, Collection<Cidr> taken, RandomGenerator random) {
        Set<Cidr> used = new HashSet<>(taken);
        List<Cidr> free = candidates(c).stream().filter(s -> !used.contains(s)).toList();
        return free.isEmpty() ? null : free.get(random.nextInt(free.size()));
    }

    /** Whether {@code subnet} is one of the pool's (right length, inside the network, not the first). */
    static boolean contains(NetworkConfig c, Cidr subnet) {
        return subnet.prefixLength() == c.subnetLen() && c.network().contains(subnet.address())
                && !subnet.address().equals(c.network().address());
    }
}
