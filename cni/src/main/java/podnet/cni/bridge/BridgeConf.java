package podnet.cni.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniEnv;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Json;
import podnet.cni.spec.NetConf;
import podnet.cni.spec.Result;
import podnet.linux.inet.MacAddress;

/** The bridge plugin's options, with the reference's names, defaults and checks. */
public record BridgeConf(String bridge, boolean isGateway, boolean isDefaultGateway, boolean forceAddress,
        boolean ipMasq, int mtu, boolean hairpinMode, boolean promiscMode, int vlan, List<Integer> vlanTrunk,
        boolean preserveDefaultVlan, boolean enableDad, boolean macSpoofCheck, boolean disableContainerInterface,
        boolean portIsolation, MacAddress mac, String ipamType, Result.Dns dns) {

    public static BridgeConf parse(Call call) {
        NetConf c = call.conf();
        Map<String, Object> m = c.raw();
        String br = Json.str(m, "bridge", "cni0");
        if (br.isEmpty()) {
            br = "cni0";
        }
        try {
            CniEnv.validateIfName(br);
        } catch (CniError e) {
            throw CniError.config("\"bridge\": invalid interface name \"" + br + "\"");
        }
        boolean isDefaultGw = Json.bool(m, "isDefaultGateway", false);
        boolean isGw = Json.bool(m, "isGateway", false) || isDefaultGw;
        int mtu = Json.integer(m, "mtu", 0);
        if (mtu < 0 || mtu > 65535) {
            throw CniError.config("\"mtu\": " + mtu + " out of range");
        }
        boolean hairpin = Json.bool(m, "hairpinMode", false);
        boolean promisc = Json.bool(m, "promiscMode", false);
        if (hairpin && promisc) {
            throw CniError.config("cannot set \"hairpinMode\" and \"promiscMode\" at the same time");
        }
        int vlan = Json.integer(m, "vlan", 0);
        if (vlan < 0 || vlan > 4094) {
            throw CniError.config("invalid VLAN ID " + vlan + " in \"vlan\" (must be between 0 and 4094)");
        }
        List<Integer> trunk = trunk(Json.list(m, "vlanTrunk"));
        if (vlan != 0 && !trunk.isEmpty()) {
            throw CniError.config("cannot set \"vlan\" and \"vlanTrunk\" at the same time");
        }
        String backend = Json.str(m, "ipMasqBackend", null);
        if (backend != null && !backend.equals("nftables")) {
            throw new CniError(CniError.UNSUPPORTED_FIELD, "\"ipMasqBackend\": \"" + backend
                    + "\" is not supported (only \"nftables\")");
        }
        boolean macspoof = Json.bool(m, "macspoofchk", false);
        Map<String, Object> ipam = Json.object(m, "ipam");
        String ipamType = ipam == null ? "" : Json.str(ipam, "type", "");
        if (vlan != 0 && isGw && !ipamType.isEmpty()) {
            throw new CniError(CniError.UNSUPPORTED_FIELD, "\"isGateway\" together with \"vlan\" is not supported yet");
        }
        Map<String, Object> dns = Json.object(m, "dns");
        return new BridgeConf(br, isGw, isDefaultGw, Json.bool(m, "forceAddress", false), Json.bool(m, "ipMasq", false),
                mtu, hairpin, promisc, vlan, trunk, Json.bool(m, "preserveDefaultVlan", true),
                Json.bool(m, "enabledad", false), macspoof, Json.bool(m, "disableContainerInterface", false),
                Json.bool(m, "portIsolation", false), mac(call), ipamType, Result.dns(dns));
    }

    /** The container MAC: CNI_ARGS MAC=, then args.cni.mac, then the "mac" capability (last wins). */
    private static MacAddress mac(Call call) {
        String mac = null;
        if (call.env().args().get("MAC") != null) {
            mac = call.env().args().get("MAC");
        }
        Object a = call.conf().cniArg("mac");
        if (a instanceof String s) {
            mac = s;
        }
        String rc = Json.str(call.conf().runtimeConfig(), "mac", null);
        if (rc != null) {
            mac = rc;
        }
        if (mac == null || mac.isEmpty()) {
            return null;
        }
        try {
            return MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw CniError.config("invalid MAC address \"" + mac + "\"");
        }
    }

    private static List<Integer> trunk(List<Object> l) {
        List<Integer> out = new ArrayList<>();
        if (l == null) {
            return out;
        }
        for (Object o : l) {
            Map<String, Object> t = Json.asObject(o, "vlanTrunk[]");
            if (t.get("id") != null) {
                out.add(vid(Json.integer(t, "id", 0), "vlanTrunk[].id"));
            }
            if (t.get("minID") != null || t.get("maxID") != null) {
                int min = vid(Json.integer(t, "minID", 0), "vlanTrunk[].minID");
                int max = vid(Json.integer(t, "maxID", 0), "vlanTrunk[].maxID");
                if (min > max) {
                    throw CniError.config("invalid vlanTrunk range: minID " + min + " > maxID " + max);
                }
                for (int v = min; v <= max; v++) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    private static int vid(int v, String where) {
        if (v < 1 || v > 4094) {
            throw CniError.config("invalid VLAN ID " + v + " in " + where + " (must be between 1 and 4094)");
        }
        return v;
    }

    public boolean vlanFiltering() {
        return vlan != 0 || !vlanTrunk.isEmpty();
    }

    public boolean layer3() {
        return !ipamType.isEmpty();
    }
}
