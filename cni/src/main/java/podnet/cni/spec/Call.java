package podnet.cni.spec;

import java.util.Map;

/**
 * One plugin invocation: the validated environment, the parsed config, the raw stdin, the raw
 * environment (passed on unchanged to delegated plugins such as an exec'd IPAM), and how
 * delegated plugins are reached.
 */
public record Call(CniEnv env, NetConf conf, byte[] stdin, Map<String, String> rawEnv, Delegation delegation) {}
