package podnet.node.etcd;

/** A key-value pair as etcd keeps it: revisions of its creation and last change, and its lease (0: none). */
public record EtcdKv(String key, String value, long createRevision, long modRevision, long lease) {}
