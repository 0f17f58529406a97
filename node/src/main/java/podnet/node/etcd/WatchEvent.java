package podnet.node.etcd;

/**
 * One change seen by a watch: a put, or a delete (also a lease expiring). A delete's
 * {@code kv} has the key and the revision of the deletion, no value.
 */
public record WatchEvent(boolean deleted, EtcdKv kv) {}
