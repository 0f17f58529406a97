package podnet.node.etcd;

import java.util.List;

/** The answer to a range read: the pairs, and the store's revision when it was read (a watch resumes after it). */
public record Range(List<EtcdKv> kvs, long revision) {}
