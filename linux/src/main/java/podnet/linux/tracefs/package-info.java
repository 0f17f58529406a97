/**
 * The kernel's tracing filesystem, used read-only in spirit: podnet never touches the global
 * trace settings. {@link podnet.linux.tracefs.TraceFs} mounts tracefs detached (reachable only
 * through a descriptor, gone with the process), {@link podnet.linux.tracefs.TraceInstance} is a
 * private ring buffer with its own events, clock and filter, and
 * {@link podnet.linux.tracefs.SkbDropWatch} reads the {@code skb:kfree_skb} tracepoint through
 * one: every packet the kernel frees as dropped, with its {@code enum skb_drop_reason} named
 * from the event's {@code format} file and the kernel function that dropped it.
 */
package podnet.linux.tracefs;
