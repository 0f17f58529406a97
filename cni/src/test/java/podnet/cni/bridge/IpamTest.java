package podnet.cni.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.build.InstalledBuild;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniEnv;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Delegation;
import podnet.cni.spec.NetConf;
import podnet.linux.ns.Netns;
import podnet.cni.testing.Cni;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * Which host-local the bridge uses: the first in CNI_PATH, exec'd like the reference does,
 * unless that file is our own of the very build that runs (then the same code in this JVM).
 */
class IpamTest {
    @TempDir
    Path dir;

    static final String CONF = """
            {"cniVersion":"1.0.0","name":"ipt","type":"bridge","ipam":{"type":"host-local","subnet":"10.244.40.0/24"}}""";

    Call call(Path cniPath, Delegation delegation) {
        Map<String, String> env = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c", "CNI_NETNS", "/n",
                "CNI_IFNAME", "eth0", "CNI_PATH", cniPath.toString());
        return new Call(CniEnv.parse(env), NetConf.parse(CONF.getBytes(StandardCharsets.UTF_8)),
                CONF.getBytes(StandardCharsets.UTF_8), env, delegation);
    }

    Path executable(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static byte[] concat(String text, byte[] trailer) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(t, t.length + trailer.length);
        System.arraycopy(trailer, 0, out, t.length, trailer.length);
        return out;
    }

    @Test
    void ourOwnBuildRunsInProcessAnythingElseIsExecd() throws IOException {
        executable("host-local", concat("#!/bin/sh\nexit 0\n", InstalledBuild.trailer(InstalledBuild.current())));
        assertThat(Ipam.of("host-local", call(dir, Delegation.CNI_PATH))).isInstanceOf(HostLocalIpam.class);

        executable("host-local", concat("#!/bin/sh\nexit 0\n", InstalledBuild.trailer("0123456789abcdef")));
        assertThat(Ipam.of("host-local", call(dir, Delegation.CNI_PATH))).as("another build").isInstanceOf(ExecIpam.class);

        executable("host-local", "#!/bin/sh\nexec /usr/lib/cni/host-local\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Ipam.of("host-local", call(dir, Delegation.CNI_PATH))).as("a wrapper").isInstanceOf(ExecIpam.class);

        assertThat(Ipam.of("host-local", call(dir, Delegation.IN_PROCESS))).as("podnet's own runtime")
                .isInstanceOf(HostLocalIpam.class);
    }

    @Test
    void aMissingIpamPluginIsCode7() {
        assertThatThrownBy(() -> Ipam.of("host-local", call(dir, Delegation.CNI_PATH)))
                .isInstanceOf(CniError.class).satisfies(e -> assertThat(((CniError) e).code()).isEqualTo(7))
                .hasMessageContaining("failed to find plugin \"host-local\"");
        assertThatThrownBy(() -> Ipam.of("dhcp-nope", call(dir, Delegation.IN_PROCESS))).isInstanceOf(CniError.class);
    }

    @Test
    void aWrapperInCniPathSeesEveryCall() throws IOException {
        Root.assume();
        Path log = dir.resolve("calls.log");
        executable("host-local", ("#!/bin/sh\necho \"$CNI_COMMAND $CNI_CONTAINERID\" >> " + log
                + "\nexec /usr/lib/cni/host-local\n").getBytes(StandardCharsets.UTF_8));
        Path data = dir.resolve("ipam");
        String conf = """
                {"cniVersion":"1.0.0","name":"wrapped","type":"bridge","bridge":"cni0","isGateway":true,
                 "ipam":{"type":"host-local","dataDir":"%s","subnet":"10.244.41.0/24"}}""".formatted(data);
        try (TestNetns ns = new TestNetns("ipamw")) {
            Netns node = ns.add("node"), pod = ns.add("pod");
            Cni add = Cni.of("ADD", "wrapped-1", pod.path().toString(), "eth0").path(dir.toString());
            Cni.Out r = add.oursAsExecutable(node, "bridge", conf).ok();
            assertThat(r.address(0)).isEqualTo("10.244.41.2/24");
            assertThat(data.resolve("wrapped/10.244.41.2")).hasContent("wrapped-1\r\neth0"); // the reference wrote it
            add.command("DEL").oursAsExecutable(node, "bridge", conf).ok();
            assertThat(data.resolve("wrapped/10.244.41.2")).doesNotExist();
        }
        assertThat(Files.readAllLines(log)).containsExactly("ADD wrapped-1", "DEL wrapped-1");
    }
}
